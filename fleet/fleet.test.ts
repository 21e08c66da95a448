/**
 * The fleet over the embedded aedes broker on 127.0.0.1: the server and terminal agents with their
 * real SQLite stores. Presence with a last will, stale wills, health, desired/reported config and
 * commands. Waits are on the server's `changed` events, never fixed sleeps. Everything runs twice:
 * the server's store on SQLite, then on PostgreSQL (ESTATION_TEST_PG; skipped by name without it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devTopics, type FleetHealth } from '../main/bridge/contract/fleet';
import { FleetAgent, storedDesired, type FleetCommandKind, type FleetDeps } from '../main/fleet/agent';
import { fleetConfigSchema } from '../main/fleet/config';
import { systemClock } from '../main/ground/clock';
import { silentLogger } from '../main/ground/logger';
import { openDatabase, type Db } from '../main/store/database';
import { parseConfig } from '../main/app/config';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { untilTerminal } from './testing';
import { FleetServer, type TerminalView } from './server';
import { openTestStore, STORES, type StoreKind, type TestStore } from './testing-pg';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fleet-'));
/** The running store's own directory (the terminals' databases): each store starts from nothing. */
let dir: string;
let store: TestStore;
let broker: EmbeddedBroker;
let server: FleetServer;
const agents: FleetAgent[] = [];
const dbs: Db[] = [];

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A fresh store of `kind`, its server and a broker, for one run of every test below. */
function fleetOn(kind: StoreKind) {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(root, `${kind.dialect}-`));
    store = await openTestStore(kind, dir);
    server = new FleetServer(store.db);
    broker = await startEmbeddedBroker({ authenticate: server.authenticate });
    await server.connect(broker.url);
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    dbs.splice(0).forEach((d) => d.close());
  });

  afterAll(async () => {
    await server?.close();
    await broker?.close();
    await store?.dispose();
  });
}

/** Resolves with the terminal's view once `test` holds, checked at each change the server records. */
const until = (id: string, test: (t: TerminalView) => boolean, ms?: number) => untilTerminal(server, id, test, ms);

type Tweak = Partial<Pick<FleetDeps, 'health' | 'applyConfig' | 'random'>> & {
  commands?: Partial<FleetDeps['commands']>;
  dbFile?: string;
  backoff?: { minMs: number; maxMs: number };
};

async function terminal(id: string, chain: string | null, tweak: Tweak = {}) {
  const token = await server.register(id, { chain, group: '南山区' });
  const db = openDatabase(tweak.dbFile ?? path.join(dir, `${id}-${agents.length}-${Date.now()}.sqlite`));
  dbs.push(db);
  let printer: FleetHealth['devices'][number]['state'] = 'ready';
  const runs: FleetCommandKind[] = [];
  const command = (kind: FleetCommandKind) => async () => {
    runs.push(kind);
    return tweak.commands?.[kind] ? tweak.commands[kind]() : { kind };
  };
  const agent = new FleetAgent({
    terminalId: id,
    mode: 'checkout',
    version: '0.1.0',
    config: fleetConfigSchema.parse({
      enabled: true,
      url: broker.url,
      chain,
      password: token,
      healthIntervalSeconds: 1,
      backoff: tweak.backoff ?? { minMs: 50, maxMs: 200 },
    }),
    random: tweak.random,
    db,
    clock: systemClock,
    log: silentLogger,
    health:
      tweak.health ??
      (async () => ({
        devices: [{ id: 'printer', state: printer, code: printer === 'absent' ? 'DEVICE_ABSENT' : null }],
        paper: 'ok',
        queue: { pending: 0, unknown: 0, needsAttention: 0, oldestPendingAt: null },
        platform: 'online',
        disk: null,
        lastError: null,
      })),
    applyConfig:
      tweak.applyConfig ??
      ((patch) => {
        if ('dataDir' in patch) throw Object.assign(new Error('dataDir is set on the terminal only'), { code: 'FLEET_CONFIG_KEY_LOCAL', problems: [] });
        parseConfig(patch);
        return { live: Object.keys(patch).filter((k) => k === 'ui'), atRestart: Object.keys(patch).filter((k) => k !== 'ui') };
      }),
    commands: {
      restart: command('restart'),
      'self-test': command('self-test'),
      readiness: command('readiness'),
      'drain-queue': command('drain-queue'),
      'out-of-service': command('out-of-service'),
      'in-service': command('in-service'),
      'answer-help': command('answer-help'),
    },
    outOfService: () => false,
  });
  agents.push(agent);
  agent.start();
  return { agent, db, runs, unplugPrinter: () => void (printer = 'absent') };
}

/** A client logged in as the server (another client id), to publish what a broker might deliver late. */
async function serverSideClient() {
  const c = server.serverCredentials();
  return mqtt.connectAsync(broker.url, { ...c, clientId: 'fleet-test-tool', protocolVersion: 4, reconnectPeriod: 0 });
}

for (const kind of STORES) {
  describe.skipIf(kind.skip)(`the fleet with its store on ${kind.name}`, () => {
    fleetOn(kind);

    describe('presence', () => {
      it('online on connect with its boot id; a dropped connection (no DISCONNECT) becomes offline by the retained will; it comes back online with the next sequence', async () => {
        const seen: string[] = [];
        const record = (e: { terminalId: string; status: { state: string; seq: number } }) =>
          void (e.terminalId === 'T-PRES' && seen.push(`${e.status.state} ${e.status.seq}`));
        server.on('presence', record);
        // Reconnects after 1 s: time for the will, which the broker sends when the socket closes.
        const { agent } = await terminal('T-PRES', 'C1', { backoff: { minMs: 1000, maxMs: 1000 }, random: () => 0.999 });
        const online = await until('T-PRES', (t) => t.presence?.state === 'online');
        expect(online.presence).toMatchObject({ bootId: agent.bootId, seq: 1, mode: 'checkout', version: '0.1.0' });
        agent.dropConnection();
        // The order of what was stored, not the view at one moment: offline lasts only until the reconnect.
        const back = await until('T-PRES', (t) => t.presence?.state === 'online' && t.presence.seq === 2);
        server.off('presence', record);
        expect(back.presence?.bootId).toBe(agent.bootId);
        // Back online, the terminal may read its own retained will and say "online 2" once more
        // (stored again, harmless): whether that lands before the listener goes is a race, and a
        // slower store (PostgreSQL) loses it more often. The order is what counts.
        expect(seen.filter((e, i) => e !== seen[i - 1])).toEqual(['online 1', 'offline 1', 'online 2']);
      });

      it('a stale will (an earlier connection of this boot) that lands after a fresh online changes nothing, and the terminal puts its retained online back', async () => {
        const { agent } = await terminal('T-STALE', 'C1');
        await until('T-STALE', (t) => t.presence?.state === 'online');
        agent.dropConnection();
        await until('T-STALE', (t) => t.presence?.state === 'online' && t.presence.seq === 2);
        const tool = await serverSideClient();
        try {
          const stale = { state: 'offline', bootId: agent.bootId, seq: 1, at: new Date().toISOString(), version: '0.1.0', mode: 'checkout', chain: 'C1' };
          // The terminal answers the stale will on its own status topic: wait for its fresh online.
          const republished = new Promise<string>((resolve) => {
            tool.on('message', (_t, p) => {
              const s = JSON.parse(p.toString()) as { state: string; seq: number };
              if (s.state === 'online' && s.seq === 2) resolve(p.toString());
            });
          });
          await tool.publishAsync(devTopics('T-STALE').status, JSON.stringify(stale), { qos: 1, retain: true });
          await tool.subscribeAsync(devTopics('T-STALE').status, { qos: 1 });
          await republished;
          await server.settled();
          expect((await server.terminal('T-STALE'))?.presence).toMatchObject({ state: 'online', seq: 2 });
          // A newcomer reads the retained status: online again.
          const late = await serverSideClient();
          const retained = await new Promise<string>((resolve) => {
            late.on('message', (_t, p) => resolve(p.toString()));
            void late.subscribeAsync(devTopics('T-STALE').status, { qos: 1 });
          });
          await late.endAsync();
          expect(JSON.parse(retained)).toMatchObject({ state: 'online', seq: 2 });
        } finally {
          await tool.endAsync();
        }
      });

      it('a terminal with a wrong password is refused by the broker and keeps retrying (no presence)', async () => {
        await server.register('T-BADPW', { chain: null });
        const db = openDatabase(path.join(dir, 'badpw.sqlite'));
        dbs.push(db);
        const failed: string[] = [];
        const agent = new FleetAgent({
          terminalId: 'T-BADPW',
          mode: 'kiosk',
          version: '0.1.0',
          config: fleetConfigSchema.parse({ enabled: true, url: broker.url, password: 'x'.repeat(48), backoff: { minMs: 50, maxMs: 100 } }),
          db,
          clock: systemClock,
          log: { ...silentLogger, warn: (msg: string) => void failed.push(msg), child: () => silentLogger },
          health: async () => {
            throw new Error('never asked');
          },
          applyConfig: () => ({ live: [], atRestart: [] }),
          commands: {} as FleetDeps['commands'],
          outOfService: () => false,
        });
        agents.push(agent);
        agent.start();
        await expect.poll(() => failed.filter((m) => m === 'fleet.error').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
        expect(agent.isConnected).toBe(false);
        expect((await server.terminal('T-BADPW'))?.presence).toBeNull();
      });
    });

    describe('health', () => {
      it('arrives every period; a printer unplugged shows within two periods', async () => {
        const t = await terminal('T-HEALTH', 'C1');
        const first = await until('T-HEALTH', (v) => v.health?.devices[0]?.state === 'ready');
        expect(first.health).toMatchObject({ bootId: t.agent.bootId, paper: 'ok', configVersion: 0, outOfService: false, intervalSeconds: 1 });
        // Online and reporting every second: silent once three periods pass after the latest word.
        const latest = [first.presence!.receivedAt, first.health!.receivedAt].sort().at(-1)!;
        expect(first.silentAfter).toBe(new Date(Date.parse(latest) + 3 * 1000).toISOString());
        const unpluggedAt = Date.now();
        t.unplugPrinter();
        const seen = await until('T-HEALTH', (v) => v.health?.devices[0]?.state === 'absent');
        expect(seen.health?.devices[0]).toEqual({ id: 'printer', state: 'absent', code: 'DEVICE_ABSENT' });
        // Measured, not a speed assertion: the bound is the acceptance's own (two health periods of 1 s).
        expect(Date.now() - unpluggedAt).toBeLessThan(2 * 1000 + 1000);
        const history = await server.healthHistory('T-HEALTH');
        expect(history.length).toBeGreaterThanOrEqual(2);
        expect(history[0]!.seq).toBeGreaterThan(history[history.length - 1]!.seq);
      });
    });

    describe('desired and reported config', () => {
      it('applies a valid patch and reports which keys took effect at once and which at the next start; keeps it across a restart', async () => {
        const file = path.join(dir, 'T-CFG.sqlite');
        const t = await terminal('T-CFG', 'C1', { dbFile: file });
        await until('T-CFG', (v) => v.presence?.state === 'online');
        const version = await server.setDesired('T-CFG', { ui: { idleTimeoutSeconds: 90 }, counter: {} });
        const v = await until('T-CFG', (x) => x.reported?.version === version);
        expect(v.reported).toMatchObject({ state: 'applied', live: ['ui'], atRestart: ['counter'], inForce: version, error: null });
        expect(t.agent.configVersion).toBe(version);
        await t.agent.stop();
        // The terminal starts again without its fleet server: the patch is in its own database.
        expect(storedDesired(t.db)).toEqual({ version, patch: { ui: { idleTimeoutSeconds: 90 }, counter: {} } });
      });

      it('the server refuses a patch that cannot be valid (naming the key); the terminal refuses one it must not take and keeps the last good version', async () => {
        const t = await terminal('T-REJ', null);
        await until('T-REJ', (v) => v.presence?.state === 'online');
        await expect(server.setDesired('T-REJ', { ui: { idleTimeoutSeconds: 1 } })).rejects.toMatchObject({
          code: 'FLEET_CONFIG_INVALID',
          problems: [{ key: 'ui.idleTimeoutSeconds', expected: expect.any(String) }],
        });
        const good = await server.setDesired('T-REJ', { ui: { elderlyMode: true } });
        await until('T-REJ', (v) => v.reported?.version === good && v.reported.state === 'applied');
        const bad = await server.setDesired('T-REJ', { dataDir: '/tmp/elsewhere' });
        const v = await until('T-REJ', (x) => x.reported?.version === bad);
        expect(v.reported).toMatchObject({ state: 'rejected', inForce: good, error: { code: 'FLEET_CONFIG_KEY_LOCAL' } });
        expect(t.agent.configVersion).toBe(good);
      });

      it('a malformed desired message is dropped and the next good one still applies', async () => {
        await terminal('T-JUNK', null);
        await until('T-JUNK', (v) => v.presence?.state === 'online');
        const tool = await serverSideClient();
        await tool.publishAsync(devTopics('T-JUNK').desired, '{"version": "one", "config": []', { qos: 1, retain: true });
        await tool.publishAsync(devTopics('T-JUNK').desired, JSON.stringify({ version: -3, config: {}, at: 'x' }), { qos: 1, retain: true });
        await tool.endAsync();
        const good = await server.setDesired('T-JUNK', { ui: { elderlyMode: true } });
        const v = await until('T-JUNK', (x) => x.reported?.version === good);
        expect(v.reported?.state).toBe('applied');
      });
    });

    describe('commands', () => {
      it('runs a command once and stores its result; the same id again gets the same answer without running it again', async () => {
        const t = await terminal('T-CMD', null, { commands: { 'self-test': async () => ({ passed: 4, failed: 0 }) } });
        await until('T-CMD', (v) => v.presence?.state === 'online');
        const id = await server.command('T-CMD', 'self-test');
        await expect.poll(async () => (await server.commandState(id))?.state, { timeout: 10_000 }).toBe('done');
        expect((await server.commandState(id))?.result).toMatchObject({ id, kind: 'self-test', state: 'done', result: { passed: 4, failed: 0 } });
        const first = JSON.stringify((await server.commandState(id))?.result);
        await server.resend(id);
        await server.resend(id);
        // The repeats are answered; wait for a later command's result to know they were handled.
        const marker = await server.command('T-CMD', 'readiness');
        await expect.poll(async () => (await server.commandState(marker))?.state, { timeout: 10_000 }).toBe('done');
        expect(t.runs).toEqual(['self-test', 'readiness']);
        expect(JSON.stringify((await server.commandState(id))?.result)).toBe(first);
      });

      it('copies of one command arriving while it still runs share that one run: over MQTT and as eight calls at once', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const t = await terminal('T-DUP', null, { commands: { 'drain-queue': async () => (await gate, { delivered: 3 }) } });
        await until('T-DUP', (v) => v.presence?.state === 'online');
        const id = await server.command('T-DUP', 'drain-queue');
        await expect.poll(() => t.runs.length, { timeout: 10_000 }).toBe(1);
        // The broker delivers at least once: three more copies land while the first is still draining.
        for (let i = 0; i < 3; i++) await server.resend(id);
        const direct = { id, kind: 'drain-queue' as const, issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() };
        const together = Promise.all(Array.from({ length: 8 }, () => t.agent.run(direct)));
        release();
        const answers = await together;
        await expect.poll(async () => (await server.commandState(id))?.state, { timeout: 10_000 }).toBe('done');
        const marker = await server.command('T-DUP', 'readiness');
        await expect.poll(async () => (await server.commandState(marker))?.state, { timeout: 10_000 }).toBe('done');
        expect(t.runs).toEqual(['drain-queue', 'readiness']);
        expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
        expect(answers[0]).toMatchObject({ id, state: 'done', result: { delivered: 3 } });
        expect((await server.commandState(id))?.result).toEqual(answers[0]);
      });

      it('an expired command is not run and says so; a failing one reports its code', async () => {
        const t = await terminal('T-EXP', null, {
          commands: {
            'drain-queue': async () => {
              throw Object.assign(new Error('platform unreachable'), { code: 'PLATFORM_UNREACHABLE' });
            },
          },
        });
        await until('T-EXP', (v) => v.presence?.state === 'online');
        const expired = await server.command('T-EXP', 'restart', -1000);
        const failing = await server.command('T-EXP', 'drain-queue');
        await expect.poll(async () => (await server.commandState(failing))?.state, { timeout: 10_000 }).toBe('failed');
        await expect.poll(async () => (await server.commandState(expired))?.state, { timeout: 10_000 }).toBe('expired');
        expect((await server.commandState(failing))?.result).toMatchObject({ error: { code: 'PLATFORM_UNREACHABLE' } });
        expect(t.runs).toEqual(['drain-queue']);
      });
    });
  });
}
