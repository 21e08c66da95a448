/**
 * The fleet store on SQLite and on PostgreSQL (issue 19 item 8): the same tests on both, through a
 * real FleetServer and terminals publishing over the embedded broker on 127.0.0.1. Migrating twice
 * changes nothing; upserts update in place; health history keeps the newest 500 per terminal; the
 * console's list comes back in the same order (NULL groups first, text byte by byte) and the same
 * rows come back on both. On PostgreSQL a plain client checks that the rows really are there.
 * PostgreSQL needs ESTATION_TEST_PG (see fleet/testing-pg.ts); without it those tests are skipped
 * and say so in their titles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devTopics, type FleetHealth, type FleetReported, type FleetStatus } from '../main/bridge/contract/fleet';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { FleetServer } from './server';
import { connectStore, FleetStoreError, maskStoreSpec, migrateStore, parseStoreSpec } from './store';
import { openTestStore, PG_SKIPPED, STORES, TEST_PG, withPg, type TestStore } from './testing-pg';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fleet-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('store specs', () => {
  it('a file is SQLite; a postgres:// or postgresql:// URL is PostgreSQL', () => {
    expect(parseStoreSpec('fleet-data/fleet.sqlite')).toEqual({ dialect: 'sqlite', file: 'fleet-data/fleet.sqlite' });
    expect(parseStoreSpec('C:\\fleet\\fleet.sqlite')).toEqual({ dialect: 'sqlite', file: 'C:\\fleet\\fleet.sqlite' });
    expect(parseStoreSpec('postgres://fleet:pw@db.example:5432/fleet')).toEqual({ dialect: 'postgres', url: 'postgres://fleet:pw@db.example:5432/fleet' });
    expect(parseStoreSpec(' postgresql://fleet@127.0.0.1/fleet?sslmode=require ')).toEqual({
      dialect: 'postgres',
      url: 'postgresql://fleet@127.0.0.1/fleet?sslmode=require',
    });
  });

  it('anything else is FLEET_STORE_SPEC, and the message never shows the password', () => {
    const refused = (spec: string) => {
      try {
        parseStoreSpec(spec);
      } catch (err) {
        expect(err).toBeInstanceOf(FleetStoreError);
        expect((err as FleetStoreError).code).toBe('FLEET_STORE_SPEC');
        return (err as Error).message;
      }
      throw new Error(`${spec} was accepted`);
    };
    expect(refused('')).toMatch(/empty/);
    expect(refused('mysql://root:hunter2@127.0.0.1/fleet')).toBe('the store mysql://root:***@127.0.0.1/fleet is neither a SQLite file nor a postgres:// URL');
    expect(refused('postgres://fleet:hunter2@127.0.0.1:99999/fleet')).toMatch(/malformed/);
    expect(refused('postgres://fleet:hunter2@127.0.0.1:5432')).toMatch(/names no database/);
    expect(refused('postgres://fleet:hunter2@127.0.0.1:5432/')).toMatch(/names no database/);
    for (const spec of ['mysql://root:hunter2@127.0.0.1/fleet', 'postgres://fleet:hunter2@127.0.0.1:99999/fleet', 'postgres://fleet:hunter2@127.0.0.1:5432'])
      expect(refused(spec)).not.toContain('hunter2');
  });

  it('masks the password in the user part (even with @ in it) and as a query parameter', () => {
    expect(maskStoreSpec('postgres://fleet:hunter2@127.0.0.1:5432/fleet')).toBe('postgres://fleet:***@127.0.0.1:5432/fleet');
    expect(maskStoreSpec('postgres://fleet:hun@ter2@127.0.0.1/fleet')).toBe('postgres://fleet:***@127.0.0.1/fleet');
    expect(maskStoreSpec('postgres://fleet@127.0.0.1:5432/fleet?password=hunter2&sslmode=require')).toBe(
      'postgres://fleet@127.0.0.1:5432/fleet?password=***&sslmode=require',
    );
    expect(maskStoreSpec('postgres://127.0.0.1:5432/fleet')).toBe('postgres://127.0.0.1:5432/fleet');
    expect(maskStoreSpec('/var/lib/fleet/fleet.sqlite')).toBe('/var/lib/fleet/fleet.sqlite');
  });

  it('a PostgreSQL that cannot be reached is FLEET_STORE_UNAVAILABLE naming the store, password masked', async () => {
    // Port 1 on 127.0.0.1: nothing listens there, the connection is refused at once.
    const err = await connectStore('postgres://fleet:hunter2@127.0.0.1:1/fleet').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetStoreError);
    expect(err).toMatchObject({ code: 'FLEET_STORE_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/^postgres:\/\/fleet:\*\*\*@127\.0\.0\.1:1\/fleet: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('hunter2');
  });
});

const BOOT = 'b007b007b007b007';
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const health = (seq: number): FleetHealth => ({
  bootId: BOOT,
  seq,
  at: at(seq),
  uptimeSeconds: seq,
  version: '0.1.0',
  devices: [{ id: 'printer', state: 'ready', code: null }],
  paper: 'ok',
  queue: { pending: 0, unknown: 0, needsAttention: 0, oldestPendingAt: null },
  platform: 'online',
  disk: null,
  lastError: null,
  configVersion: 0,
  outOfService: false,
  intervalSeconds: 60,
});
const status = (seq: number, state: FleetStatus['state'] = 'online'): FleetStatus => ({
  state,
  bootId: BOOT,
  seq,
  at: at(seq),
  version: '0.1.0',
  mode: 'kiosk',
  chain: null,
});
const reported = (version: number): FleetReported => ({
  version,
  state: 'applied',
  live: ['ui'],
  atRestart: [],
  inForce: version,
  error: null,
  at: at(version),
});

/** What each store answered in the "same rows" test, to compare the two at the end. */
const answers = new Map<string, unknown>();

for (const kind of STORES) {
  describe.skipIf(kind.skip)(`the fleet store on ${kind.name}`, () => {
    let store: TestStore;
    let server: FleetServer;
    let broker: EmbeddedBroker;
    const clients: MqttClient[] = [];
    // A clock that moves one second at each reading: every stored time is known in advance.
    let tick = 0;
    const clock = () => new Date(T0 + 3_600_000 + tick++ * 1000);

    beforeAll(async () => {
      store = await openTestStore(kind, dir);
      server = new FleetServer(store.db, clock);
      broker = await startEmbeddedBroker({ authenticate: server.authenticate });
      await server.connect(broker.url);
    });

    afterAll(async () => {
      await Promise.all(clients.map((c) => c.endAsync()));
      await server?.close();
      await broker?.close();
      await store?.dispose();
    });

    /** A terminal's MQTT connection, logged in with the password its registration gave. */
    async function terminal(id: string, opts: { chain?: string | null; group?: string | null } = {}) {
      const password = (await server.register(id, opts))!;
      const client = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password, protocolVersion: 4, reconnectPeriod: 0 });
      clients.push(client);
      const send = async (topic: keyof ReturnType<typeof devTopics>, body: unknown, what: Change, n = 1) => {
        const stored = changes(id, what, n);
        await client.publishAsync(devTopics(id)[topic], JSON.stringify(body), { qos: 1 });
        await stored;
      };
      return { client, password, send };
    }

    type Change = 'presence' | 'health' | 'reported' | 'command' | 'desired';
    /** Resolves once the server has stored `n` changes of `what` for `id` (its own events; no polling). */
    function changes(id: string, what: Change, n: number, ms = 30_000): Promise<void> {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const on = (e: { terminalId: string; what: string }) => {
          if (e.terminalId === id && e.what === what && ++seen >= n) {
            done();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${id}: ${seen} of ${n} ${what} changes stored within ${ms} ms`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          server.off('changed', on);
        };
        server.on('changed', on);
      });
    }

    const count = async (table: 'terminal' | 'presence' | 'health' | 'desired' | 'reported' | 'command', terminalId: string) => {
      const column = table === 'terminal' ? 'id' : 'terminal_id';
      const row = await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(column, '=', terminalId)
        .executeTakeFirstOrThrow();
      return row.n;
    };

    it('migrating again (twice) changes nothing: the tables and their rows stay', async () => {
      await server.register('T-MIG', { chain: 'C1', group: '南山区' });
      await migrateStore(store.db, store.dialect);
      await migrateStore(store.db, store.dialect);
      expect((await server.terminal('T-MIG'))?.group).toBe('南山区');
      expect(await count('terminal', 'T-MIG')).toBe(1);
    });

    it('registering again updates chain and group in place (ON CONFLICT); the password changes only when a new one is asked for', async () => {
      const first = (await server.register('T-UPS', { chain: 'C1', group: '南山区' }))!;
      const login = (password: string) => server.authenticate('T-UPS', Buffer.from(password));
      expect(await login(first)).toEqual({ kind: 'terminal', id: 'T-UPS', chain: 'C1' });
      expect(await server.register('T-UPS', { chain: 'C2', group: '福田区', withToken: false })).toBeNull();
      expect(await server.terminal('T-UPS')).toMatchObject({ chain: 'C2', group: '福田区' });
      expect(await login(first)).toEqual({ kind: 'terminal', id: 'T-UPS', chain: 'C2' });
      const second = (await server.register('T-UPS', { chain: 'C2', group: null }))!;
      expect(await login(first)).toBeNull();
      expect(await login(second)).toMatchObject({ id: 'T-UPS' });
      expect(await count('terminal', 'T-UPS')).toBe(1);
    });

    it('presence, reported and desired are one row each that the last word replaces; a sequence past 2^31 comes back as the same number', async () => {
      const t = await terminal('T-ROWS');
      await t.send('status', status(1), 'presence');
      await t.send('status', status(3_000_000_000), 'presence');
      await t.send('reported', reported(1), 'reported');
      await t.send('reported', reported(2), 'reported');
      expect(await server.setDesired('T-ROWS', { ui: { elderlyMode: true } })).toBe(1);
      expect(await server.setDesired('T-ROWS', { ui: { elderlyMode: false } })).toBe(2);
      const v = (await server.terminal('T-ROWS'))!;
      expect(v.presence).toMatchObject({ state: 'online', seq: 3_000_000_000 });
      expect(typeof v.presence?.seq).toBe('number');
      expect(v.reported).toMatchObject({ version: 2 });
      expect(v.desired).toEqual({ version: 2, config: { ui: { elderlyMode: false } } });
      for (const table of ['presence', 'reported', 'desired'] as const) expect([table, await count(table, 'T-ROWS')]).toEqual([table, 1]);
    });

    it('health history keeps the newest 500 reports of each terminal and trims no other terminal', async () => {
      const busy = await terminal('T-HIST');
      const quiet = await terminal('T-HIST-2');
      for (let seq = 1; seq <= 3; seq++) await quiet.send('health', health(seq), 'health');
      const stored = changes('T-HIST', 'health', 503);
      for (let seq = 1; seq <= 503; seq++) await busy.client.publishAsync(devTopics('T-HIST').health, JSON.stringify(health(seq)), { qos: 1 });
      await stored;
      const history = await server.healthHistory('T-HIST', 1000);
      expect(history).toHaveLength(500);
      expect([history[0]!.seq, history.at(-1)!.seq]).toEqual([503, 4]);
      // Pruned at the 1st report and every 10th after (501st): 500 rows then, plus the 502nd and 503rd.
      expect(await count('health', 'T-HIST')).toBe(502);
      expect((await server.healthHistory('T-HIST-2', 1000)).map((h) => h.seq)).toEqual([3, 2, 1]);
      expect((await server.terminal('T-HIST'))?.health?.seq).toBe(503);
    });

    it('the same rows come back: the list by group (none first) then id, compared byte by byte; views, history and commands', async () => {
      // Groups and ids whose order differs by locale (case, punctuation, Chinese) and a NULL group.
      const made: [string, string | null][] = [
        ['ord-b', '福田区'],
        ['ORD-a', null],
        ['ord_c', '南山区'],
        ['ORD-B', '南山区'],
        ['ord-a', null],
        ['Ord-z', 'Zone'],
        ['ord-1', 'zone'],
      ];
      const ts = [];
      for (const [id, group] of made) ts.push(await terminal(id, { chain: 'C9', group }));
      const listed = (await server.terminals()).filter((t) => t.id.toLowerCase().startsWith('ord'));
      expect(listed.map((t) => [t.group, t.id])).toEqual([
        [null, 'ORD-a'],
        [null, 'ord-a'],
        ['Zone', 'Ord-z'],
        ['zone', 'ord-1'],
        ['南山区', 'ORD-B'],
        ['南山区', 'ord_c'],
        ['福田区', 'ord-b'],
      ]);
      const a = ts[1]!;
      await a.send('status', status(1), 'presence');
      for (let seq = 1; seq <= 3; seq++) await a.send('health', health(seq), 'health');
      await a.send('reported', reported(1), 'reported');
      await server.setDesired('ORD-a', { ui: { idleTimeoutSeconds: 90 } });
      const done = await server.command('ORD-a', 'self-test');
      const open = await server.command('ORD-a', 'readiness');
      await a.send('result', { id: done, kind: 'self-test', state: 'done', result: { passed: 4, failed: 0 }, error: null, at: at(9) }, 'command');
      const answer = {
        list: (await server.terminals()).filter((t) => t.id.toLowerCase().startsWith('ord')),
        history: await server.healthHistory('ORD-a'),
        commands: [await server.commandState(done), await server.commandState(open)],
        missing: [await server.terminal('ORD-nobody'), await server.commandState('0123456789abcdef')],
      };
      expect(answer.list[0]).toMatchObject({
        id: 'ORD-a',
        chain: 'C9',
        group: null,
        presence: { state: 'online', seq: 1, receivedAt: expect.any(String) },
        health: { seq: 3 },
        desired: { version: 1, config: { ui: { idleTimeoutSeconds: 90 } } },
        reported: { version: 1 },
      });
      expect(answer.history.map((h) => h.seq)).toEqual([3, 2, 1]);
      expect(answer.commands).toEqual([
        { state: 'done', result: { id: done, kind: 'self-test', state: 'done', result: { passed: 4, failed: 0 }, error: null, at: at(9) } },
        { state: 'sent', result: null },
      ]);
      expect(answer.missing).toEqual([null, null]);
      // Command ids are random: named by their place for the comparison of the two stores.
      answers.set(kind.dialect, JSON.parse(JSON.stringify(answer).replaceAll(done, 'CMD-1')));
    });

    if (kind.dialect === 'postgres')
      it('the rows are in PostgreSQL itself (read with a plain client): text columns collate "C", integers are bigint, health.id an identity', async () => {
        await withPg(async (c) => {
          const rows = await c.query<{ id: string; chain: string | null; grp: string | null }>(
            "SELECT id, chain, grp FROM terminal WHERE lower(id) LIKE 'ord%' ORDER BY grp NULLS FIRST, id",
          );
          expect(rows.rows.map((r) => r.id)).toEqual(['ORD-a', 'ord-a', 'Ord-z', 'ord-1', 'ORD-B', 'ord_c', 'ord-b']);
          const health = await c.query<{ n: string }>("SELECT count(*) AS n FROM health WHERE terminal_id = 'T-HIST'");
          expect(health.rows[0]!.n).toBe('502');
          const columns = await c.query<{ table_name: string; column_name: string; data_type: string; collation_name: string | null; is_identity: string }>(
            'SELECT table_name, column_name, data_type, collation_name, is_identity FROM information_schema.columns WHERE table_schema = current_schema()',
          );
          const col = (t: string, name: string) => columns.rows.find((r) => r.table_name === t && r.column_name === name);
          expect(col('terminal', 'id')).toMatchObject({ data_type: 'text', collation_name: 'C' });
          expect(col('presence', 'seq')).toMatchObject({ data_type: 'bigint' });
          expect(col('health', 'id')).toMatchObject({ data_type: 'bigint', is_identity: 'YES' });
        }, store.schema!);
      });
  });
}

describe('both stores', () => {
  it.skipIf(!TEST_PG)(`give the same answers to the same messages${TEST_PG ? '' : ` ${PG_SKIPPED}`}`, () => {
    expect(answers.get('sqlite')).toBeDefined();
    expect(answers.get('postgres')).toEqual(answers.get('sqlite'));
  });
});
