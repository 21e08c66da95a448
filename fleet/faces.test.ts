/**
 * Shared face enrolment across a chain (issue 19 item 6), with real faces (../shared/faces, read
 * at test time) through the real ONNX models, real MQTT on the embedded broker and each
 * terminal's own SQLite gallery under its own key. A customer enrolled (with consent) at A of
 * chain YF is found for payment at B of YF, never at C of chain LB (which may not even subscribe
 * to YF's topics, and cannot open YF's entries); a withdrawal at B removes the person at A and B,
 * including at A while it was offline, and each terminal confirms it. The server never holds a
 * readable template. Runs on SQLite and PostgreSQL (ESTATION_TEST_PG; skipped by name without it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facesAvailable, lfwImage } from '../fixtures/faces';
import { chainTopics, devTopics } from '../main/bridge/contract/fleet';
import { FleetAgent } from '../main/fleet/agent';
import { fleetConfigSchema } from '../main/fleet/config';
import { ChainFaces } from '../main/fleet/faces';
import { LocalAnalyzer } from '../main/face/analyzer';
import { FaceGallery, type EnrolledPerson } from '../main/face/gallery';
import { StaticKeyProvider } from '../main/face/keys';
import { faceConfigSchema } from '../main/face/config';
import { systemClock } from '../main/ground/clock';
import { silentLogger } from '../main/ground/logger';
import { openDatabase, type Db } from '../main/store/database';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, type FleetConsole } from './http';
import { FleetServer } from './server';
import { openTestStore, STORES, type TestStore } from './testing-pg';
import { untilFaces } from './testing';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-chain-faces-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const SKIP = facesAvailable ? '' : ' [skipped: needs ../shared/faces]';
const threshold = faceConfigSchema.parse({}).identifyThreshold;
const gul: EnrolledPerson = { certType: '01', certNo: '320102198001011234', idNumber: '320102198001011234', name: '王建国' };

let analyzer: LocalAnalyzer;
const embeddings = new Map<string, Float32Array>();
beforeAll(async () => {
  if (!facesAvailable) return;
  analyzer = await LocalAnalyzer.create();
  for (const [key, name, n] of [
    ['enrol', 'Abdullah_Gul', 1],
    ['pay', 'Abdullah_Gul', 6],
  ] as const) {
    const a = await analyzer.analyze({ jpeg: fs.readFileSync(lfwImage(name, n)) }, { pick: 'central' });
    embeddings.set(key, a.face!.embedding!);
  }
}, 60_000);
afterAll(async () => analyzer?.close());

interface Terminal {
  id: string;
  chain: string;
  db: Db;
  gallery: FaceGallery;
  faces: ChainFaces;
  agent: FleetAgent | null;
  password: string;
}

describe.each(STORES)('shared face enrolment on $name', (kind) => {
  const skip = kind.skip || !facesAvailable;
  let dir: string;
  let store: TestStore;
  let broker: EmbeddedBroker;
  let server: FleetServer;
  let fleetConsole: FleetConsole;
  const keys = { YF: randomBytes(32), LB: randomBytes(32) };
  const t: Record<'A' | 'B' | 'C', Terminal> = {} as never;

  const startAgent = (x: Terminal) => {
    x.agent = new FleetAgent({
      terminalId: x.id,
      mode: 'checkout',
      version: '0.1.0',
      config: fleetConfigSchema.parse({
        enabled: true,
        url: broker.url,
        chain: x.chain,
        password: x.password,
        healthIntervalSeconds: 60,
        backoff: { minMs: 50, maxMs: 200 },
      }),
      db: x.db,
      clock: systemClock,
      log: silentLogger,
      health: async () => ({
        devices: [],
        paper: null,
        queue: { pending: 0, unknown: 0, needsAttention: 0, oldestPendingAt: null },
        platform: 'online',
        disk: null,
        lastError: null,
      }),
      applyConfig: () => ({ live: [], atRestart: [] }),
      commands: {
        restart: async () => ({}),
        'self-test': async () => ({}),
        readiness: async () => ({}),
        'drain-queue': async () => ({}),
        'out-of-service': async () => ({}),
        'in-service': async () => ({}),
        'answer-help': async () => ({}),
      },
      outOfService: () => false,
      faces: x.faces,
    });
    x.agent.start();
  };

  beforeAll(async () => {
    if (skip) return;
    dir = fs.mkdtempSync(path.join(root, `${kind.dialect}-`));
    store = await openTestStore(kind, dir);
    server = new FleetServer(store.db);
    broker = await startEmbeddedBroker({ authenticate: server.authenticate });
    await server.connect(broker.url, server.serverCredentials());
    fleetConsole = await startConsole({ server });
    for (const [name, id, chain] of [
      ['A', 'YF-A', 'YF'],
      ['B', 'YF-B', 'YF'],
      ['C', 'LB-C', 'LB'],
    ] as const) {
      const db = openDatabase(path.join(dir, `${id}.sqlite`));
      const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), systemClock, { modelVersion: 'm1', terminalId: id, retentionDays: 30 });
      const faces = new ChainFaces({ gallery, chainKey: keys[chain], chain, terminalId: id, db, clock: systemClock, log: silentLogger });
      t[name] = { id, chain, db, gallery, faces, agent: null, password: (await server.register(id, { chain, group: chain }))! };
    }
  });

  afterAll(async () => {
    if (skip) return;
    for (const x of Object.values(t)) {
      await x.agent?.stop();
      await x.gallery.close();
      x.db.close();
    }
    await fleetConsole?.close();
    await server?.close();
    await broker?.close();
    await store?.dispose();
  });

  it.skipIf(skip)(`a terminal of another chain may not subscribe to the chain's face topics${SKIP}`, async () => {
    const probe = await mqtt.connectAsync(broker.url, { clientId: t.C.id, username: t.C.id, password: t.C.password, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      // The broker answers 128 (failure) for the other chain's filter; MQTT.js turns that into an error.
      await expect(probe.subscribeAsync(chainTopics('YF').faces, { qos: 1 })).rejects.toThrow(/Subscribe error/);
      expect(await probe.subscribeAsync(chainTopics('LB').faces, { qos: 1 })).toEqual([{ topic: chainTopics('LB').faces, qos: 1 }]);
    } finally {
      await probe.endAsync();
    }
  });

  it.skipIf(skip)(
    `enrolled at A, the customer is identified for payment at B of the same chain and not at C of another; the server holds only sealed blobs${SKIP}`,
    async () => {
      for (const x of Object.values(t)) startAgent(x);
      const consent = t.A.gallery.recordConsent(gul, { purpose: 'payment', textVersion: 'chain-v1' });
      t.A.gallery.enrol(gul, embeddings.get('enrol')!, consent, '1234', new Date().toISOString());
      const [entry] = await untilFaces(server, 'YF', (l) => l.length === 1 && l[0]!.acks[t.A.id]?.state === 'stored' && l[0]!.acks[t.B.id]?.state === 'stored');
      expect(entry).toMatchObject({ origin: t.A.id, deleted: false });
      expect(Object.keys(entry!.acks).sort()).toEqual([t.A.id, t.B.id]);

      // B: a different photo of the same man, with his second factor, among confirmed templates only (as payment asks).
      const atB = await t.B.gallery.identify(embeddings.get('pay')!, { factor: '1234', confirmedOnly: true });
      expect(atB[0]?.person).toEqual(gul);
      expect(atB[0]!.score).toBeGreaterThan(threshold);
      // The consent came with it, as given at A.
      expect(t.B.gallery.activeConsent(gul)).toMatchObject({ purpose: 'payment' });
      // C: nothing arrived, nothing to find.
      expect(await t.C.gallery.identify(embeddings.get('pay')!, { confirmedOnly: true })).toEqual([]);
      expect(t.C.gallery.counts().current).toBe(0);
      expect(await server.faces.list('LB')).toEqual([]);

      // What the server keeps is opaque: no name, no ID number, no readable embedding.
      const row = await server.db.selectFrom('face_share').selectAll().executeTakeFirstOrThrow();
      expect(row.blob).not.toContain(gul.name);
      expect(Buffer.from(row.blob!, 'base64').toString('latin1')).not.toContain(gul.idNumber!);
      // And C's key cannot open it even when the entry is put before C on its own chain's topic.
      const forged = { sharedId: row.shared_id, chainPerson: row.chain_person, origin: row.origin, version: 99, deleted: false, blob: row.blob, at: row.at };
      const acks: unknown[] = [];
      const probe = await mqtt.connectAsync(broker.url, {
        ...server.serverCredentials(),
        clientId: 'fleet-server-probe',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      try {
        await probe.subscribeAsync(devTopics(t.C.id).facesAck, { qos: 1 });
        const got = new Promise<void>((resolve) =>
          probe.on('message', (_topic, payload) => {
            acks.push(JSON.parse(payload.toString()));
            resolve();
          }),
        );
        await probe.publishAsync(chainTopics('LB').faceEntry(row.shared_id), JSON.stringify(forged), { qos: 1 });
        await got;
      } finally {
        await probe.endAsync();
      }
      expect(acks).toEqual([
        expect.objectContaining({ sharedId: row.shared_id, state: 'refused', error: expect.objectContaining({ code: 'FACE_SHARE_UNREADABLE' }) }),
      ]);
      expect(t.C.gallery.counts().current).toBe(0);
    },
  );

  it.skipIf(skip)(
    `a withdrawal at B removes the person everywhere in the chain, also at A while A was offline, and each terminal confirms it${SKIP}`,
    async () => {
      await t.A.agent!.stop();
      expect(t.B.gallery.deletePerson(gul)).toBe(1);
      await untilFaces(server, 'YF', (l) => l[0]?.deleted === true && l[0].acks[t.B.id]?.state === 'deleted');
      // A was away: its copy is still there until it comes back.
      expect(t.A.gallery.isEnrolled(gul)).toBe(true);
      startAgent(t.A);
      const [entry] = await untilFaces(server, 'YF', (l) => l[0]?.acks[t.A.id]?.state === 'deleted');
      expect(entry!.acks).toEqual({ [t.A.id]: expect.objectContaining({ state: 'deleted' }), [t.B.id]: expect.objectContaining({ state: 'deleted' }) });
      expect(t.A.gallery.isEnrolled(gul)).toBe(false);
      expect(t.A.gallery.activeConsent(gul)).toBeNull();
      expect(await t.A.gallery.identify(embeddings.get('pay')!, { confirmedOnly: true })).toEqual([]);
      expect(await t.B.gallery.identify(embeddings.get('pay')!, { confirmedOnly: true })).toEqual([]);
      const row = await server.db.selectFrom('face_share').selectAll().executeTakeFirstOrThrow();
      expect(row.blob).toBeNull();
      // The console's view of it: the entry withdrawn, confirmed by both terminals; no person data anywhere in the answer.
      const get = (route: string) => fetch(`${fleetConsole.url}${route}`, { headers: { authorization: `Bearer ${fleetConsole.token}` } });
      const res = await get('/api/chains/YF/faces');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        chain: 'YF',
        entries: [{ origin: t.A.id, deleted: true, acks: { [t.A.id]: { state: 'deleted' }, [t.B.id]: { state: 'deleted' } } }],
      });
      expect(text).not.toContain(gul.idNumber!);
      expect(text).not.toContain(gul.name!);
      expect((await get('/api/chains/..%2Fx/faces')).status).toBe(400);
    },
  );

  it.skipIf(skip)(`an enrolment made while the fleet is away waits in the terminal's database and goes out when it is back${SKIP}`, async () => {
    await t.B.agent!.stop();
    const consent = t.B.gallery.recordConsent(gul, { purpose: 'payment', textVersion: 'chain-v1' });
    t.B.gallery.enrol(gul, embeddings.get('enrol')!, consent, '1234', new Date().toISOString());
    expect(t.B.faces.pending()).toBe(1);
    startAgent(t.B);
    const list = await untilFaces(server, 'YF', (l) => l.length === 2 && l[1]!.acks[t.A.id]?.state === 'stored');
    expect(list[1]).toMatchObject({ origin: t.B.id, deleted: false });
    expect(t.B.faces.pending()).toBe(0);
    // The earlier withdrawal does not hold back a newer consent.
    expect((await t.A.gallery.identify(embeddings.get('pay')!, { factor: '1234', confirmedOnly: true }))[0]?.person).toEqual(gul);
  });
});
