/**
 * Test support for the fleet server: wait for a terminal's view to meet a condition, checked at
 * every change the server records (no polling, no fixed sleep), with a deadline that names the
 * last view it saw.
 */
import type { FaceShareView } from './faces';
import type { RolloutView } from './rollouts';
import type { FleetServer, TerminalView } from './server';

/**
 * Resolves with `read()`'s value once `test` passes, checked now and at every change the server
 * records; rejects at the deadline with the last value seen.
 */
function untilChanged<T>(
  server: FleetServer,
  read: () => Promise<T | null | undefined>,
  test: (v: T) => boolean,
  ms: number,
  label: string,
  relevant: (e: { terminalId: string }) => boolean,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = async () => {
      await server.settled();
      const v = await read();
      if (v && test(v)) {
        done();
        resolve(v);
      }
    };
    const onChange = (e: { terminalId: string }) => void (relevant(e) && check().catch(reject));
    const timer = setTimeout(() => {
      done();
      void read().then((v) => reject(new Error(`${label}: condition not met within ${ms} ms; last view: ${JSON.stringify(v)}`)), reject);
    }, ms);
    const done = () => {
      clearTimeout(timer);
      server.off('changed', onChange);
    };
    server.on('changed', onChange);
    void check().catch(reject);
  });
}

export function untilTerminal(server: FleetServer, id: string, test: (t: TerminalView) => boolean, ms = 15_000): Promise<TerminalView> {
  return untilChanged(
    server,
    () => server.terminal(id),
    test,
    ms,
    id,
    (e) => e.terminalId === id,
  );
}

/** Waits for a rollout's view to meet a condition, checked at every change the server records. */
export function untilRollout(server: FleetServer, id: string, test: (r: RolloutView) => boolean, ms = 60_000): Promise<RolloutView> {
  return untilChanged(
    server,
    async () => (await server.rollouts.list()).find((r) => r.id === id),
    test,
    ms,
    `rollout ${id}`,
    () => true,
  );
}

/** Waits for a chain's shared face entries (with each terminal's answer) to meet a condition. */
export function untilFaces(server: FleetServer, chain: string, test: (entries: FaceShareView[]) => boolean, ms = 20_000): Promise<FaceShareView[]> {
  return untilChanged(
    server,
    () => server.faces.list(chain),
    test,
    ms,
    `faces of ${chain}`,
    () => true,
  );
}
