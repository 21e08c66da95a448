/**
 * Staged updates end to end (issue 19 item 5): the fleet server (embedded broker, console serving
 * the packages) and three real terminals, each run by `estation launch` from its own update slots.
 * Packages are real .tar.gz files signed with an Ed25519 key: 1.1.0 is the terminal itself, 1.2.0
 * crashes at start. A good version goes out in waves of 1 then 2 and is committed everywhere; the
 * crashing one is rolled back on the canary by its launcher, the rollout aborts, and the other
 * two never get it. Waits follow the server's change events; no fixed sleeps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, type FleetConsole } from './http';
import { FleetServer } from './server';
import { migrateStore, openSqliteStore } from './store';
import { untilRollout, untilTerminal } from './testing';
import { launchTerminal, publishRelease, releaseKeys, type LaunchedTerminal, type ReleaseBehaviour } from './testing-update';
import { wangJianguo } from '../fixtures/people/id-cards';

const IDS = ['UP-01', 'UP-02', 'UP-03'];
const GROUP = '更新测试 网点';

let dir: string;
let broker: EmbeddedBroker;
let server: FleetServer;
let fleetConsole: FleetConsole;
let keys: ReturnType<typeof releaseKeys>;
const launched = new Map<string, LaunchedTerminal>();

const publish = (version: string, behaviour: ReleaseBehaviour) =>
  publishRelease(server, { dir, releasesDir: path.join(dir, 'releases'), privateKey: keys.privateKey, version, behaviour });
/** A rollout to the group: 1 terminal first (33 %), then twice that; abort at half failed, after 1. */
const rollOut = (version: string) =>
  server.rollouts.start({
    version,
    group: GROUP,
    policy: { canaryPercent: 33, growth: 2, abort: { failurePercent: 50, minFinished: 1 } },
    windowSeconds: 120,
    jobTtlSeconds: 600,
  });
const logs = () => [...launched.values()].map((t) => `--- ${t.id}\n${t.stderr().slice(-3000)}`).join('\n');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-update-'));
  fs.mkdirSync(path.join(dir, 'releases'));
  keys = releaseKeys(dir);
  const store = openSqliteStore(path.join(dir, 'fleet.sqlite'));
  await migrateStore(store);
  server = new FleetServer(store, undefined, { releasesDir: path.join(dir, 'releases'), releaseKeyPem: keys.publicPem });
  broker = await startEmbeddedBroker({ authenticate: server.authenticate });
  await server.connect(broker.url, server.serverCredentials());
  fleetConsole = await startConsole({ server });
  server.packageBaseUrl = fleetConsole.url;
  for (const id of IDS) {
    const password = (await server.register(id, { group: GROUP }))!;
    launched.set(id, launchTerminal({ dir, id, releaseKeyFile: keys.publicFile, fleet: { url: broker.url, password } }));
  }
  for (const id of IDS) await untilTerminal(server, id, (t) => t.presence?.state === 'online' && t.presence.version === '1.0.0', 90_000);
}, 120_000);

afterAll(async () => {
  for (const t of launched.values()) await t.stop();
  await fleetConsole?.close();
  await server?.close();
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('staged updates from the fleet server to terminals run by estation launch', () => {
  it('a good version goes to 1 terminal, then 2, and is committed on each: the terminals come back as 1.1.0, started as their own program (runtime exec, as the packaged Electron shell is)', async () => {
    await publish('1.1.0', 'program');
    const id = await rollOut('1.1.0');
    const done = await untilRollout(server, id, (r) => r.summary.done || r.aborted, 150_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${logs()}`);
    });
    expect(done.aborted, JSON.stringify(done.terminals)).toBe(false);
    expect(done.waves).toEqual([1, 2]);
    expect(done.terminals.map((t) => t.state)).toEqual(['committed', 'committed', 'committed']);
    for (const t of IDS) {
      expect((await server.terminal(t))!.presence).toMatchObject({ state: 'online', version: '1.1.0' });
      expect(launched.get(t)!.slotState()).toMatchObject({ current: '1.1.0', previous: '1.0.0', trial: null, failed: {} });
      // The launcher ran 1.1.0's own executable with the arguments after --, not a script under its Node.
      expect(fs.readFileSync(path.join(launched.get(t)!.home, 'program-started'), 'utf8')).toMatch(/^start --headless --port 0 --config /);
    }
  }, 200_000);

  it('a version that crashes is rolled back on the canary by its launcher, the rollout aborts, and the others never get it', async () => {
    await publish('1.2.0', 'crash');
    const id = await rollOut('1.2.0');
    const r = await untilRollout(server, id, (v) => v.aborted, 120_000);
    const canary = r.terminals.find((t) => t.state !== 'pending')!;
    expect(r.waves).toEqual([1]);
    expect(canary).toMatchObject({ state: 'rolled-back', last: { state: 'rolled-back', error: { code: 'UPDATE_ROLLED_BACK' } } });
    expect(canary.last!.error!.message).toMatch(/crashed on trial \(exit code 3\)/);
    expect(r.terminals.filter((t) => t.state === 'pending')).toHaveLength(2);
    // The canary is back on 1.1.0, online, with 1.2.0 in its failed list; the others never moved.
    const back = await untilTerminal(server, canary.id, (t) => t.presence?.state === 'online' && t.presence.version === '1.1.0', 30_000);
    expect(back.presence!.version).toBe('1.1.0');
    expect(launched.get(canary.id)!.slotState()).toMatchObject({ current: '1.1.0', trial: null, failed: { '1.2.0': expect.stringMatching(/crashed/) } });
    for (const t of IDS.filter((x) => x !== canary.id)) {
      expect(launched.get(t)!.slotState()).toMatchObject({ current: '1.1.0', failed: {} });
      expect(fs.existsSync(path.join(dir, t, 'updates', 'releases', '1.2.0'))).toBe(false);
    }
    expect(launched.get(canary.id)!.stderr()).toMatch(/update 1\.2\.0: rolled-back/);
  }, 150_000);

  it('an abort recalls a job that waits for a customer at the counter: the terminal answers cancelled, fetches nothing and stays on its version', async () => {
    // A customer identified at UP-01 (the first target, so the canary) holds its update lock.
    const up1 = launched.get('UP-01')!;
    await up1.call('sim.device', {
      action: 'insert-id-card',
      card: { name: wangJianguo.name, idNumber: wangJianguo.idNumber, gender: wangJianguo.gender, birthDate: wangJianguo.birthDate },
    });
    // The card is read at the reader's next poll: the customer is there once the terminal's session says so.
    const deadline = Date.now() + 30_000;
    while ((await up1.call<{ session: unknown }>('session.get', {})).session === null) {
      if (Date.now() > deadline) throw new Error(`UP-01 read no card within 30 s\n${logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await publish('1.3.0', 'terminal');
    const id = await rollOut('1.3.0');
    const waiting = await untilRollout(server, id, (v) => v.terminals.find((t) => t.id === 'UP-01')?.last?.state === 'waiting', 60_000);
    expect(waiting.terminals.find((t) => t.id === 'UP-01')!.last!.detail).not.toBeNull();
    await server.rollouts.abort(id);
    const r = await untilRollout(server, id, (v) => v.terminals.find((t) => t.id === 'UP-01')?.state === 'cancelled', 30_000);
    expect(r.terminals.find((t) => t.id === 'UP-01')!.last).toMatchObject({ state: 'cancelled', detail: 'recalled while waiting for the update lock' });
    expect(r.terminals.filter((t) => t.state === 'pending')).toHaveLength(2);
    expect(up1.slotState()).toMatchObject({ current: '1.1.0', trial: null });
    expect(fs.existsSync(path.join(dir, 'UP-01', 'updates', 'releases', '1.3.0'))).toBe(false);
    await up1.call('sim.device', { action: 'remove-id-card' });
  }, 120_000);
});
