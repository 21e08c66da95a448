/**
 * Test support for the fleet server: wait for a terminal's view to meet a condition, checked at
 * every change the server records (no polling, no fixed sleep), with a deadline that names the
 * last view it saw.
 */
import type { FleetServer, TerminalView } from './server';

export function untilTerminal(server: FleetServer, id: string, test: (t: TerminalView) => boolean, ms = 15_000): Promise<TerminalView> {
  return new Promise((resolve, reject) => {
    const check = async () => {
      await server.settled();
      const t = await server.terminal(id);
      if (t && test(t)) {
        done();
        resolve(t);
      }
    };
    const onChange = (e: { terminalId: string }) => void (e.terminalId === id && check().catch(reject));
    const timer = setTimeout(() => {
      done();
      void server.terminal(id).then((t) => reject(new Error(`${id}: condition not met within ${ms} ms; last view: ${JSON.stringify(t)}`)), reject);
    }, ms);
    const done = () => {
      clearTimeout(timer);
      server.off('changed', onChange);
    };
    server.on('changed', onChange);
    void check().catch(reject);
  });
}
