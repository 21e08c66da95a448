import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { RestartPolicy, ServicesSupervisor, type ChildLike } from './supervisor';
import { forkServicesHost } from './node-child';
import type { ToHost } from './protocol';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'estation-svc-'));
function configFile(extra: Record<string, unknown> = {}): string {
  const dir = tmp();
  const file = path.join(dir, 'config.yaml');
  fs.writeFileSync(file, YAML.stringify({ dataDir: path.join(dir, 'data'), face: { enabled: false }, ...extra }));
  return file;
}
const init = (configPath: string | null): Extract<ToHost, { type: 'init' }> => ({ type: 'init', configPath, faceKey: null, faceWorkerPath: null });
const waitFor = <T>(em: ServicesSupervisor, name: string) => new Promise<T>((r) => em.once(name, r));

describe('restart policy', () => {
  it('doubles the delay per restart in the window, caps it, and gives up after too many', () => {
    const p = new RestartPolicy({ baseDelayMs: 500, maxDelayMs: 3000, maxRestarts: 4, windowMs: 60_000 });
    expect([p.next(0), p.next(1000), p.next(2000), p.next(3000)]).toEqual([500, 1000, 2000, 3000]);
    expect(p.next(4000)).toBeNull();
  });

  it('forgets restarts older than the window', () => {
    const p = new RestartPolicy({ baseDelayMs: 100, maxDelayMs: 10_000, maxRestarts: 2, windowMs: 10_000 });
    expect(p.next(0)).toBe(100);
    expect(p.next(1)).toBe(200);
    expect(p.next(2)).toBeNull();
    expect(p.next(20_000)).toBe(100);
  });
});

describe('services host in a real child process', () => {
  let sup: ServicesSupervisor | null = null;
  afterEach(async () => {
    await sup?.stop(5000);
    sup = null;
  });

  it('answers bridge calls, refuses an unknown channel by type, relays events, and stops cleanly', async () => {
    const children: ReturnType<typeof forkServicesHost>[] = [];
    sup = new ServicesSupervisor({ spawn: () => (children.push(forkServicesHost()), children.at(-1)!), init: init(configFile()) });
    const events: string[] = [];
    sup.on('event', (e: { event: string }) => events.push(e.event));
    await sup.start();
    const hello = await sup.call('app.hello', {});
    expect(hello).toMatchObject({ ok: true, value: { host: 'electron', mode: 'kiosk' } });
    expect(await sup.call('nope.nothing', {})).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
    expect(await sup.call('session.end', { reason: 'no such reason' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_BAD_PAYLOAD' } });
    await expect.poll(() => events).toContain('status.device');
    // Service mode's restart reaches main as an event, only behind the technician's PIN.
    expect(await sup.call('service.restart', {})).toMatchObject({ ok: false, error: { code: 'SERVICE_LOCKED' } });
    // No PIN on a new terminal: setting the first one opens service mode.
    expect(await sup.call('service.setPin', { pin: '246810', confirm: '246810' })).toMatchObject({ ok: true });
    expect(await sup.call('service.restart', {})).toEqual({ ok: true, value: { ok: true } });
    await expect.poll(() => events).toContain('shell.request');
    const exited = new Promise((r) => children[0]!.onExit(r));
    await sup.stop();
    expect(await exited).toBe(0);
  }, 60_000);

  it('restarts a killed host with backoff; a call in flight gets a typed error, and the next one works', async () => {
    const children: ReturnType<typeof forkServicesHost>[] = [];
    sup = new ServicesSupervisor({
      spawn: () => (children.push(forkServicesHost()), children.at(-1)!),
      init: init(configFile()),
      policy: new RestartPolicy({ baseDelayMs: 200, maxDelayMs: 1000, maxRestarts: 3, windowMs: 60_000 }),
    });
    await sup.start();
    const inFlight = sup.call('devices.selfTest', {});
    const restarting = waitFor<{ attempt: number; delayMs: number }>(sup, 'restarting');
    process.kill(children[0]!.pid!, 'SIGKILL');
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'SERVICES_CRASHED' } });
    expect(await restarting).toMatchObject({ attempt: 1, delayMs: 200 });
    expect(await sup.call('app.hello', {})).toMatchObject({ ok: false, error: { code: 'SERVICES_RESTARTING' } });
    await waitFor(sup, 'ready');
    expect(children).toHaveLength(2);
    expect(await sup.call('app.hello', {})).toMatchObject({ ok: true });
  }, 60_000);

  it('gives up on a crash loop and says so, instead of restarting forever', async () => {
    const children: ReturnType<typeof forkServicesHost>[] = [];
    sup = new ServicesSupervisor({
      spawn: () => (children.push(forkServicesHost()), children.at(-1)!),
      init: init(configFile()),
      policy: new RestartPolicy({ baseDelayMs: 50, maxDelayMs: 100, maxRestarts: 1, windowMs: 60_000 }),
    });
    await sup.start();
    const fatal = waitFor<{ code: string }>(sup, 'fatal');
    process.kill(children[0]!.pid!, 'SIGKILL');
    await waitFor(sup, 'ready');
    process.kill(children[1]!.pid!, 'SIGKILL');
    expect(await fatal).toMatchObject({ code: 'SERVICES_CRASH_LOOP' });
    expect(await sup.call('app.hello', {})).toMatchObject({ ok: false, error: { code: 'SERVICES_DOWN' } });
    expect(children).toHaveLength(2);
  }, 60_000);

  it('a config that cannot start is fatal at once, naming the key, and is not retried', async () => {
    const children: ChildLike[] = [];
    sup = new ServicesSupervisor({
      spawn: () => (children.push(forkServicesHost()), children.at(-1)!),
      init: init(configFile({ ui: { idleTimeoutSeconds: 'soon' } })),
    });
    const restarting: unknown[] = [];
    sup.on('restarting', (e) => restarting.push(e));
    await expect(sup.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('ui.idleTimeoutSeconds') });
    // The supervisor decides on a restart when the child exits: wait for that exit, then look.
    const child = children[0] as unknown as { exitCode: number | null; once(e: 'exit', l: () => void): void };
    if (child.exitCode === null) await new Promise<void>((r) => child.once('exit', r));
    await new Promise((r) => setImmediate(r));
    expect(restarting).toEqual([]);
    expect(sup.restartCount).toBe(0);
    expect(children).toHaveLength(1);
  }, 60_000);
});

describe('messages that break the protocol', () => {
  it("are dropped on main's side without harm, and the valid ones still work", async () => {
    let listener: (m: unknown) => void = () => {};
    const sent: ToHost[] = [];
    const child: ChildLike = {
      postMessage: (m) => {
        sent.push(m);
        if (m.type === 'call') listener({ type: 'result', id: m.id, result: { ok: true, value: { pong: 1 } } });
      },
      onMessage: (l) => void (listener = l),
      onExit: () => {},
      kill: () => {},
    };
    const logged: string[] = [];
    const sup = new ServicesSupervisor({ spawn: () => child, init: init(null), log: (msg) => logged.push(msg) });
    const started = sup.start();
    listener('garbage');
    listener({ type: 'result', id: 'x' });
    listener({ type: 'ready', mode: 'kiosk', pid: 1 });
    await started;
    expect(logged).toEqual(['services.malformed_message', 'services.malformed_message']);
    expect(await sup.call('app.hello', {})).toEqual({ ok: true, value: { pong: 1 } });
    expect(sent[0]).toMatchObject({ type: 'init' });
  });

  it("are dropped on the host's side too, and a call before start-up gets SERVICES_STARTING", async () => {
    const { runServicesHost } = await import('./host');
    let deliver: (m: unknown) => void = () => {};
    const out: unknown[] = [];
    const logs: string[] = [];
    runServicesHost({ onMessage: (l) => void (deliver = l), postMessage: (m) => void out.push(m) }, (l) => logs.push(l));
    deliver({ type: 'call', id: -1, channel: 'app.hello' });
    deliver(42);
    deliver({ type: 'call', id: 7, channel: 'app.hello', payload: {} });
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('services_host.malformed_message');
    expect(out).toEqual([{ type: 'result', id: 7, result: { ok: false, error: { code: 'SERVICES_STARTING', message: 'the terminal is still starting' } } }]);
  });
});

describe('when the supervisor itself dies', () => {
  it('the services host ends too, instead of holding the ports and the data', async () => {
    const dir = tmp();
    const script = path.join(dir, 'supervisor.ts');
    // A stand-in supervisor: forks the services host, starts the terminal in it (devices, outbox,
    // timers: plenty to keep it alive), says the host's pid once it is ready, and waits to be killed.
    fs.writeFileSync(
      script,
      `import { forkServicesHost } from ${JSON.stringify(path.join(import.meta.dirname, 'node-child.ts'))};\n` +
        `const child = forkServicesHost();\n` +
        `child.onMessage((m) => { if (m && m.type === 'ready') process.stdout.write(String(child.pid) + '\\n'); });\n` +
        `child.postMessage(${JSON.stringify(init(configFile()))});\n` +
        `setInterval(() => undefined, 1000);\n`,
    );
    const { spawn } = await import('node:child_process');
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(fs.existsSync(`/proc/${childPid}`)).toBe(true);
    parent.kill('SIGKILL');
    await expect
      .poll(() => fs.existsSync(`/proc/${childPid}`) && !fs.readFileSync(`/proc/${childPid}/stat`, 'utf8').includes(') Z '), { timeout: 15_000 })
      .toBe(false);
  }, 60_000);
});
