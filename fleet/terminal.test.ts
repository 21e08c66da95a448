/**
 * A real terminal app (simulated devices on PTYs, the embedded platform, its SQLite) with its fleet
 * agent on, and the fleet server over the embedded broker: the health carries the supervisor's
 * device states, a desired config changes what the screen is told at once, a command takes the
 * terminal out of service and main (not the screen) refuses business, and the accepted config
 * survives a restart without the server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../main/app/compose';
import { parseConfig } from '../main/app/config';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { untilTerminal } from './testing';
import { FleetServer, type TerminalView } from './server';
import { migrateStore, openSqliteStore } from './store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fleet-terminal-'));
const dataDir = path.join(root, 'data');
let broker: EmbeddedBroker;
let server: FleetServer;
let app: App | null = null;
let token: string;

const config = () =>
  parseConfig({
    dataDir,
    mode: 'checkout',
    terminal: { id: 'SZ-NS-001' },
    face: { enabled: false },
    platform: { healthIntervalMs: 60_000 },
    fleet: { enabled: true, url: broker.url, chain: 'YF-CHAIN', password: token, healthIntervalSeconds: 1, backoff: { minMs: 100, maxMs: 500 } },
  });

async function call<T = Record<string, unknown>>(channel: string, input: unknown = {}): Promise<T> {
  const r = await app!.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

const until = (test: (t: TerminalView) => boolean, ms = 20_000) => untilTerminal(server, 'SZ-NS-001', test, ms);

async function commandDone(id: string) {
  await expect.poll(async () => (await server.commandState(id))?.state, { timeout: 20_000 }).not.toBe('sent');
  return (await server.commandState(id))!.result as { state: string; result?: unknown; error?: { code: string } };
}

beforeAll(async () => {
  const store = openSqliteStore(path.join(root, 'fleet.sqlite'));
  await migrateStore(store);
  server = new FleetServer(store);
  broker = await startEmbeddedBroker({ authenticate: server.authenticate });
  await server.connect(broker.url);
  token = (await server.register('SZ-NS-001', { chain: 'YF-CHAIN', group: '一方大药房 南山店' }))!;
  app = await createApp(config(), { host: 'node' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await server?.close();
  await broker?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a terminal in its fleet', () => {
  it('reports its simulated devices; an unplugged printer shows as absent at the server', async () => {
    const ready = await until((t) => t.health?.devices.find((d) => d.id === 'printer')?.state === 'ready');
    expect(ready.presence).toMatchObject({ state: 'online', mode: 'checkout', chain: 'YF-CHAIN' });
    expect(ready.health?.devices.map((d) => d.id).sort()).toEqual(['id-card', 'printer', 'scanner', 'ss-card']);
    expect(ready.health?.paper).toBe('ok');
    expect(ready.health?.disk?.totalBytes).toBeGreaterThan(ready.health!.disk!.freeBytes - 1);
    await call('sim.device', { action: 'unplug', deviceId: 'printer' });
    const gone = await until((t) => t.health?.devices.find((d) => d.id === 'printer')?.state === 'absent');
    expect(gone.health?.paper).toBe('ok');
    await call('sim.device', { action: 'replug', deviceId: 'printer' });
    await until((t) => t.health?.devices.find((d) => d.id === 'printer')?.state === 'ready');
  });

  it('a desired idle timeout reaches the screen at once; a data directory from the fleet is refused and the last good version stays', async () => {
    expect((await call<{ idleTimeoutSeconds: number }>('app.hello')).idleTimeoutSeconds).toBe(120);
    const v1 = await server.setDesired('SZ-NS-001', { ui: { idleTimeoutSeconds: 90 }, counter: { maxLinesPerSale: 30 } });
    const applied = await until((t) => t.reported?.version === v1);
    expect(applied.reported).toMatchObject({ state: 'applied', live: ['ui.idleTimeoutSeconds'], atRestart: ['counter.maxLinesPerSale'], inForce: v1 });
    expect((await call<{ idleTimeoutSeconds: number }>('app.hello')).idleTimeoutSeconds).toBe(90);
    const v2 = await server.setDesired('SZ-NS-001', { dataDir: '/tmp/elsewhere' });
    const refused = await until((t) => t.reported?.version === v2);
    expect(refused.reported).toMatchObject({ state: 'rejected', inForce: v1, error: { code: 'FLEET_CONFIG_KEY_LOCAL', problems: [{ key: 'dataDir' }] } });
    expect((await call<{ idleTimeoutSeconds: number }>('app.hello')).idleTimeoutSeconds).toBe(90);
  });

  it('out of service by command: main refuses the counter’s business with TERMINAL_OUT_OF_SERVICE, status still answers; back in service it works', async () => {
    const before = await call<{ drugs: unknown[] }>('checkout.catalogue');
    expect(before.drugs.length).toBeGreaterThan(1);
    const out = await commandDone(await server.command('SZ-NS-001', 'out-of-service'));
    expect(out).toMatchObject({ state: 'done', result: { outOfService: true } });
    await expect(call('checkout.catalogue')).rejects.toMatchObject({ code: 'TERMINAL_OUT_OF_SERVICE' });
    await expect(call('status.get')).resolves.toMatchObject({ devices: expect.any(Array) });
    await until((t) => t.health?.outOfService === true);
    const back = await commandDone(await server.command('SZ-NS-001', 'in-service'));
    expect(back).toMatchObject({ state: 'done', result: { outOfService: false } });
    expect((await call<{ drugs: unknown[] }>('checkout.catalogue')).drugs).toEqual(before.drugs);
  });

  it('self-test, readiness and drain commands run the terminal’s own checks; restart is refused on the Node host', async () => {
    const selfTest = await commandDone(await server.command('SZ-NS-001', 'self-test'));
    expect(selfTest).toMatchObject({ state: 'done', result: { passed: 4, failed: [] } });
    const readiness = await commandDone(await server.command('SZ-NS-001', 'readiness'));
    expect(readiness).toMatchObject({ state: 'done', result: { storage: true, platform: true, failedDevices: [] } });
    const drain = await commandDone(await server.command('SZ-NS-001', 'drain-queue'));
    expect(drain).toMatchObject({ state: 'done', result: { queue: { pending: 0 } } });
    const restart = await commandDone(await server.command('SZ-NS-001', 'restart'));
    expect(restart).toMatchObject({ state: 'failed', error: { code: 'FLEET_COMMAND_UNSUPPORTED' } });
  });

  it('a 呼叫工作人员 reaches the server with the next word (not the next period); answering it by command ends it on the terminal', async () => {
    await call('help.call', { screen: 'counter' });
    const seen = await until((v) => !!v.health?.help);
    expect(seen.health?.help).toMatchObject({ screen: 'counter', presses: 1 });
    expect(JSON.stringify(seen.health?.help)).not.toMatch(/\d{17}[\dX]/);
    const answered = await commandDone(await server.command('SZ-NS-001', 'answer-help'));
    expect(answered).toMatchObject({ state: 'done', result: { ended: true } });
    expect((await call<{ call: unknown }>('help.get')).call).toBeNull();
    await until((v) => v.health !== null && v.health.help === null);
    // Nothing pending: the command says so and changes nothing.
    expect(await commandDone(await server.command('SZ-NS-001', 'answer-help'))).toMatchObject({ state: 'done', result: { ended: false } });
  });

  it('after a restart with the fleet server gone, the terminal runs with the config it last accepted', async () => {
    await app!.close();
    app = null;
    await server.close();
    await broker.close();
    app = await createApp(config(), { host: 'node' });
    expect(app.config.counter.maxLinesPerSale).toBe(30);
    expect(app.config.ui.idleTimeoutSeconds).toBe(90);
    expect((await call<{ idleTimeoutSeconds: number }>('app.hello')).idleTimeoutSeconds).toBe(90);
  });
});
