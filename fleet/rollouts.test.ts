/**
 * Rollouts on the fleet server, with terminals played by plain MQTT clients on the embedded broker
 * (the terminal's own side is in main/fleet/updater.test.ts and fleet/update.test.ts): waves grow
 * as the policy says, an abort stops the sending, repeated and foreign answers change nothing, a
 * job nobody answers expires as failed, and the console's release and rollout API refuses what it
 * must. Runs on SQLite and on PostgreSQL (ESTATION_TEST_PG; skipped by name without it).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devTopics, type FleetUpdateCancel, type FleetUpdateJob, type FleetUpdateResult } from '../main/bridge/contract/fleet';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, type FleetConsole } from './http';
import { FleetServer } from './server';
import { openTestStore, STORES, type TestStore } from './testing-pg';
import { untilRollout } from './testing';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-rollouts-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

type Answer = FleetUpdateResult['state'];

describe.each(STORES)('rollouts on $name', (kind) => {
  let dir: string;
  let store: TestStore;
  let broker: EmbeddedBroker;
  let server: FleetServer;
  let fleetConsole: FleetConsole;
  let clock = Date.parse('2026-12-03T08:00:00Z');
  const terminals = new Map<string, { client: MqttClient; jobs: FleetUpdateJob[]; recalls: FleetUpdateCancel[] }>();
  /** Terminals that answer a recall with `cancelled` (as one that has not switched does); the others stay silent. */
  const honoursRecall = new Set<string>();
  /** How each simulated terminal answers a job (nothing: it stays silent). */
  const behaviour = new Map<string, Answer[]>();

  beforeAll(async () => {
    if (kind.skip) return;
    dir = fs.mkdtempSync(path.join(root, `${kind.dialect}-`));
    fs.mkdirSync(path.join(dir, 'releases'));
    store = await openTestStore(kind, dir);
    server = new FleetServer(store.db, () => new Date(clock), { releasesDir: path.join(dir, 'releases'), releaseKeyPem: PEM });
    broker = await startEmbeddedBroker({ authenticate: server.authenticate });
    await server.connect(broker.url, server.serverCredentials());
    fleetConsole = await startConsole({ server });
    server.packageBaseUrl = fleetConsole.url;
    for (let i = 1; i <= 6; i++) {
      const id = `RO-${i}`;
      const password = (await server.register(id, { group: i <= 5 ? '五台' : '别组' }))!;
      const client = await mqtt.connectAsync(broker.url, { clientId: id, username: id, password, protocolVersion: 4, reconnectPeriod: 0 });
      const t = { client, jobs: [] as FleetUpdateJob[], recalls: [] as FleetUpdateCancel[] };
      terminals.set(id, t);
      client.on('message', (_topic, payload) => {
        const msg = JSON.parse(payload.toString()) as FleetUpdateJob | FleetUpdateCancel;
        if ('cancel' in msg) {
          t.recalls.push(msg);
          if (honoursRecall.has(id)) answer(id, { id: msg.cancel, rolloutId: msg.rolloutId, version: msg.version }, 'cancelled');
          return;
        }
        const job = msg;
        t.jobs.push(job);
        for (const state of behaviour.get(id) ?? []) answer(id, job, state);
      });
      await client.subscribeAsync(devTopics(id).update, { qos: 1 });
    }
    for (const v of ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0']) await addRelease(v);
  });

  afterAll(async () => {
    if (kind.skip) return;
    for (const t of terminals.values()) await t.client.endAsync(true);
    await fleetConsole?.close();
    await server?.close();
    await broker?.close();
    await store?.dispose();
  });

  function answer(id: string, job: Pick<FleetUpdateJob, 'id' | 'rolloutId' | 'version'>, state: Answer): void {
    const r: FleetUpdateResult = {
      id: job.id,
      rolloutId: job.rolloutId,
      version: job.version,
      state,
      detail: null,
      error: null,
      at: new Date(clock).toISOString(),
    };
    terminals.get(id)!.client.publish(devTopics(id).updateResult, JSON.stringify(r), { qos: 1 });
  }

  async function addRelease(version: string) {
    const file = `estation-${version}.tar.gz`;
    const bytes = Buffer.from(`package ${version}`);
    fs.writeFileSync(path.join(dir, 'releases', file), bytes);
    const digest = createHash('sha256').update(bytes).digest();
    await server.rollouts.addRelease({ version, file, signature: sign(null, digest, privateKey).toString('base64') });
  }

  const api = (method: string, route: string, body?: unknown, token: string | null = fleetConsole.token) =>
    fetch(`${fleetConsole.url}${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  const policy = (canaryPercent: number, failurePercent = 50, minFinished = 2) => ({ canaryPercent, growth: 2, abort: { failurePercent, minFinished } });
  const jobsFor = (version: string) => [...terminals].filter(([, t]) => t.jobs.some((j) => j.version === version)).map(([id]) => id);

  it.skipIf(kind.skip)(
    'a good version goes out in waves of 1, 2 and 2 to the group and is done; each terminal gets one job, the other group none',
    async () => {
      for (let i = 1; i <= 5; i++) behaviour.set(`RO-${i}`, ['downloading', 'switching', 'committed']);
      const id = await server.rollouts.start({ version: '2.0.0', group: '五台', policy: policy(20), windowSeconds: 60, jobTtlSeconds: 600 });
      const r = await untilRollout(server, id, (v) => v.summary.done, 20_000);
      expect(r.waves).toEqual([1, 2, 2]);
      expect(r.terminals.map((t) => t.state)).toEqual(['committed', 'committed', 'committed', 'committed', 'committed']);
      expect(jobsFor('2.0.0')).toEqual(['RO-1', 'RO-2', 'RO-3', 'RO-4', 'RO-5']);
      for (let i = 1; i <= 5; i++) expect(terminals.get(`RO-${i}`)!.jobs.filter((j) => j.version === '2.0.0')).toHaveLength(1);
      const job = terminals.get('RO-1')!.jobs[0]!;
      expect(job).toMatchObject({ id: `${id}-RO-1`, rolloutId: id, version: '2.0.0', windowSeconds: 60, url: `${fleetConsole.url}/releases/2.0.0.tar.gz` });
    },
  );

  it.skipIf(kind.skip)('failures past the share abort the rollout: the first wave rolls back, nothing more is sent', async () => {
    behaviour.set('RO-1', ['switching', 'rolled-back']);
    behaviour.set('RO-2', ['failed']);
    const id = await server.rollouts.start({ version: '2.1.0', group: '五台', policy: policy(40), windowSeconds: 60, jobTtlSeconds: 600 });
    const r = await untilRollout(server, id, (v) => v.aborted, 20_000);
    expect(r.waves).toEqual([2]);
    expect(r.summary).toMatchObject({ failed: 2, pending: 3, done: false });
    expect(jobsFor('2.1.0')).toEqual(['RO-1', 'RO-2']);
    // A late repeat of an answer after the abort changes nothing, and still sends nothing.
    answer('RO-1', terminals.get('RO-1')!.jobs.at(-1)!, 'committed');
    await server.settled();
    expect((await server.rollouts.list()).find((x) => x.id === id)!.summary).toMatchObject({ failed: 2, committed: 0, pending: 3 });
    expect(jobsFor('2.1.0')).toEqual(['RO-1', 'RO-2']);
  });

  it.skipIf(kind.skip)('repeated, foreign and unsent answers count once or not at all; a silent terminal’s job fails when it expires', async () => {
    behaviour.set('RO-1', ['committed', 'committed', 'committed']);
    behaviour.set('RO-2', []);
    const id = await server.rollouts.start({ version: '2.2.0', group: '五台', policy: policy(40, 100, 5), windowSeconds: 60, jobTtlSeconds: 60 });
    await untilRollout(server, id, (v) => v.summary.committed === 1, 20_000);
    // RO-3 was not sent the job: its "committed" is not taken. RO-6 is not a target at all.
    answer('RO-3', { id: `${id}-RO-3`, rolloutId: id, version: '2.2.0' }, 'committed');
    answer('RO-6', { id: `${id}-RO-6`, rolloutId: id, version: '2.2.0' }, 'committed');
    // RO-2 names another terminal's job: ignored.
    answer('RO-2', { id: `${id}-RO-1`, rolloutId: id, version: '2.2.0' }, 'failed');
    await server.settled();
    let r = (await server.rollouts.list()).find((x) => x.id === id)!;
    expect(r.summary).toMatchObject({ committed: 1, sent: 1, failed: 0, pending: 3 });
    // RO-2 stays silent: past the job's 60 s it counts as failed, and the next wave goes (all 3 that remain: the wave would be 4).
    clock += 61_000;
    await server.rollouts.expire();
    r = await untilRollout(server, id, (v) => v.waves.length === 2, 10_000);
    expect(r.terminals.find((t) => t.id === 'RO-2')!.state).toBe('failed');
    expect(r.waves).toEqual([2, 3]);
  });

  it.skipIf(kind.skip)(
    'an abort recalls the jobs still out: a terminal that has not switched answers cancelled; an unanswered recall ends as failed at the expiry',
    async () => {
      // RO-1 waits for its lock and honours the recall; RO-2 says nothing at all.
      behaviour.set('RO-1', ['waiting']);
      behaviour.set('RO-2', []);
      honoursRecall.add('RO-1');
      const id = await server.rollouts.start({ version: '2.4.0', group: '五台', policy: policy(40), windowSeconds: 60, jobTtlSeconds: 120 });
      await untilRollout(server, id, (v) => v.terminals.find((t) => t.id === 'RO-1')?.last?.state === 'waiting', 10_000);
      await server.rollouts.abort(id);
      const r = await untilRollout(server, id, (v) => v.terminals.find((t) => t.id === 'RO-1')?.state === 'cancelled', 10_000);
      expect(r.summary).toMatchObject({ cancelled: 1, sent: 1, pending: 3, done: false });
      expect(r.aborted).toBe(true);
      for (const t of ['RO-1', 'RO-2'])
        expect(terminals.get(t)!.recalls.filter((c) => c.rolloutId === id)).toEqual([
          { cancel: `${id}-${t}`, rolloutId: id, version: '2.4.0', at: expect.any(String) },
        ]);
      // A second abort recalls nothing again; the jobs went only to the first wave.
      await server.rollouts.abort(id);
      await server.settled();
      expect(terminals.get('RO-1')!.recalls.filter((c) => c.rolloutId === id)).toHaveLength(1);
      expect(jobsFor('2.4.0')).toEqual(['RO-1', 'RO-2']);
      // RO-2 never answers: its job ends as failed once it expires, even though the rollout is aborted.
      clock += 121_000;
      await server.rollouts.expire();
      const after = await untilRollout(server, id, (v) => v.terminals.find((t) => t.id === 'RO-2')?.state === 'failed', 10_000);
      expect(after.summary).toMatchObject({ cancelled: 1, failed: 1, sent: 0 });
      honoursRecall.clear();
    },
  );

  it.skipIf(kind.skip)('the console starts and lists rollouts, aborts one, serves packages without a token, and refuses what it must', async () => {
    for (let i = 1; i <= 5; i++) behaviour.set(`RO-${i}`, []);
    let res = await api('POST', '/api/rollouts', {
      version: '2.3.0',
      group: '五台',
      canaryPercent: 20,
      growth: 2,
      abortFailurePercent: 50,
      abortMinFinished: 1,
      windowSeconds: 60,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    res = await api('GET', '/api/rollouts');
    const listed = ((await res.json()) as { rollouts: { id: string; waves: number[]; aborted: boolean }[] }).rollouts.find((r) => r.id === id);
    expect(listed).toMatchObject({ waves: [1], aborted: false });
    expect((await api('POST', `/api/rollouts/${id}/abort`)).status).toBe(200);
    expect((await server.rollouts.list()).find((r) => r.id === id)!.aborted).toBe(true);

    // The package: no token needed, the same bytes; an unknown or crafted name is not found.
    res = await fetch(`${fleetConsole.url}/releases/2.3.0.tar.gz`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('package 2.3.0');
    expect((await fetch(`${fleetConsole.url}/releases/9.9.9.tar.gz`)).status).toBe(404);
    expect((await fetch(`${fleetConsole.url}/releases/..%2F..%2Fetc%2Fpasswd.tar.gz`)).status).toBe(404);

    const refusal = async (r: Response) => ({ status: r.status, code: ((await r.json()) as { error: { code: string } }).error.code });
    expect(
      await refusal(
        await api('POST', '/api/rollouts', {
          version: '7.7.7',
          group: null,
          canaryPercent: 10,
          growth: 2,
          abortFailurePercent: 10,
          abortMinFinished: 1,
          windowSeconds: 60,
        }),
      ),
    ).toEqual({
      status: 404,
      code: 'FLEET_UNKNOWN_RELEASE',
    });
    res = await api('POST', '/api/rollouts', {
      version: '2.3.0',
      group: null,
      canaryPercent: 0,
      growth: 20,
      abortFailurePercent: 10,
      abortMinFinished: 0,
      windowSeconds: 60,
    });
    const body = (await res.json()) as { error: { code: string; problems: { key: string }[] } };
    expect(res.status).toBe(422);
    expect(body.error.code).toBe('FLEET_ROLLOUT_INVALID');
    expect(body.error.problems.map((p) => p.key).sort()).toEqual(['abort.minFinished', 'canaryPercent', 'growth']);
    expect(await refusal(await api('POST', '/api/rollouts', { version: '2.3.0' }))).toEqual({ status: 400, code: 'CONSOLE_BAD_REQUEST' });
    expect(await refusal(await api('GET', '/api/rollouts', undefined, null))).toEqual({ status: 401, code: 'CONSOLE_UNAUTHORIZED' });
    expect(await refusal(await api('POST', '/api/rollouts/ffffffffffff/abort'))).toEqual({ status: 404, code: 'FLEET_UNKNOWN_ROLLOUT' });

    // Releases: the signature must verify with the fleet key, the file must be a package name in the releases directory.
    const forged = sign(null, createHash('sha256').update('package 2.3.0').digest(), generateKeyPairSync('ed25519').privateKey).toString('base64');
    expect(await refusal(await api('POST', '/api/releases', { version: '2.3.1', file: 'estation-2.3.0.tar.gz', signature: forged }))).toEqual({
      status: 422,
      code: 'FLEET_RELEASE_SIGNATURE_INVALID',
    });
    expect(await refusal(await api('POST', '/api/releases', { version: '2.3.1', file: '../fleet.sqlite', signature: forged }))).toEqual({
      status: 422,
      code: 'FLEET_RELEASE_INVALID',
    });
    expect(await refusal(await api('POST', '/api/releases', { version: '../x', file: 'estation-2.3.0.tar.gz', signature: forged }))).toEqual({
      status: 422,
      code: 'FLEET_RELEASE_INVALID',
    });
  });
});
