/**
 * The services host: runs every service of the terminal (devices, face, platform, outbox) away
 * from the window's process, so inference and device I/O never block the UI, and a crash here
 * is a restart, not a frozen kiosk. It speaks the protocol in ./protocol.ts over whatever port
 * its parent gives it: Electron's `process.parentPort` in a utility process, Node's IPC channel
 * in a forked child (tests, and any non-Electron supervisor).
 */
import { createApp, type App } from '../app/compose';
import { defaultConfig, loadConfigFile } from '../app/config';
import { StaticKeyProvider } from '../face/keys';
import { fromHostSchema, toHostSchema, type FromHost } from './protocol';

export interface ParentPortLike {
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: FromHost): void;
}

/** Node's IPC channel (`child_process.fork`) as a ParentPortLike. */
export function nodeParentPort(): ParentPortLike {
  if (!process.send) throw new Error('the services host needs an IPC channel to its parent');
  return {
    onMessage: (l) => void process.on('message', l),
    postMessage: (m) => void process.send!(m),
  };
}

export function runServicesHost(port: ParentPortLike, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): void {
  let app: App | null = null;
  let starting: Promise<void> | null = null;
  const send = (m: FromHost) => {
    // Checked on the way out too: a bug here must not put a bad shape on the wire.
    const r = fromHostSchema.safeParse(m);
    if (r.success) port.postMessage(r.data);
    else log(JSON.stringify({ level: 'error', msg: 'services_host.bad_outgoing', type: m.type }));
  };

  port.onMessage((raw) => {
    const parsed = toHostSchema.safeParse(raw);
    if (!parsed.success) {
      log(JSON.stringify({ level: 'warn', msg: 'services_host.malformed_message', issues: parsed.error.issues.slice(0, 3).map((i) => i.message) }));
      return;
    }
    const m = parsed.data;
    if (m.type === 'init') {
      if (starting) return;
      starting = (async () => {
        try {
          const config = m.configPath ? loadConfigFile(m.configPath) : defaultConfig();
          app = await createApp(config, {
            host: 'electron',
            faceKeys: m.faceKey ? new StaticKeyProvider(Buffer.from(m.faceKey, 'base64')) : undefined,
            faceWorkerFile: m.faceWorkerPath ?? undefined,
            // Electron's fuses forbid running it as Node, so no child process: a worker thread.
            faceIsolation: 'thread',
          });
          app.bus.subscribe((envelope) => send({ type: 'event', envelope }));
          for (const envelope of app.bus.snapshot()) send({ type: 'event', envelope });
          send({ type: 'ready', mode: config.mode, pid: process.pid });
        } catch (err) {
          const e = err as Error & { code?: string };
          send({ type: 'fatal', code: e.code ?? 'SERVICES_START_FAILED', message: e.message });
        }
      })();
      return;
    }
    if (m.type === 'call') {
      if (!app) {
        send({ type: 'result', id: m.id, result: { ok: false, error: { code: 'SERVICES_STARTING', message: 'the terminal is still starting' } } });
        return;
      }
      void app.dispatcher.dispatch(m.channel, m.payload, { transport: 'ipc' }).then((result) => send({ type: 'result', id: m.id, result }));
      return;
    }
    void (async () => {
      await starting;
      await app?.close();
      send({ type: 'stopped' });
      process.exit(0);
    })();
  });
}
