/**
 * Shared face enrolment across a chain (issue 19 item 6), with real faces (../shared/faces, read
 * at test time) as camera frames through the real ONNX models and the terminals' own face
 * sessions, real MQTT on the embedded broker and each terminal's own SQLite gallery under its own
 * key. A customer enrolled (with consent, answering the turn) at A of chain YF pays by face at B
 * of YF — a whole payment session: second factor, liveness, the head turn, platform-confirmed
 * templates only — and not at C of chain LB (which may not even subscribe to YF's topics, and
 * cannot open YF's entries); a withdrawal at B removes the person at A and B, including at A
 * while it was offline, and each terminal confirms it. The server never holds a readable
 * template. On SQLite a fourth terminal of YF runs as its own process (`estation start` under the
 * launcher, face engine on, chain key from its config file) and stores and deletes the entry too.
 * Runs on SQLite and PostgreSQL (ESTATION_TEST_PG; skipped by name without it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facesAvailable, lfwImage } from '../fixtures/faces';
import { cameraFrames } from '../fixtures/media/camera-clips';
import { chainTopics, devTopics } from '../main/bridge/contract/fleet';
import { FleetAgent } from '../main/fleet/agent';
import { fleetConfigSchema } from '../main/fleet/config';
import { ChainFaces } from '../main/fleet/faces';
import { LocalAnalyzer } from '../main/face/analyzer';
import { FaceGallery, type EnrolledPerson } from '../main/face/gallery';
import { StaticKeyProvider } from '../main/face/keys';
import { faceConfigSchema } from '../main/face/config';
import { FaceService, type FaceProgress } from '../main/face/service';
import { systemClock } from '../main/ground/clock';
import { silentLogger } from '../main/ground/logger';
import { openDatabase, type Db } from '../main/store/database';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, type FleetConsole } from './http';
import { FleetServer } from './server';
import { openTestStore, STORES, type TestStore } from './testing-pg';
import { untilFaces, untilTerminal } from './testing';
import { launchTerminal, releaseKeys, type LaunchedTerminal } from './testing-update';
import { consentTextVersion } from '../main/face/consent-text';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-chain-faces-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const SKIP = facesAvailable ? '' : ' [skipped: needs ../shared/faces]';
const config = faceConfigSchema.parse({ challenge: { kinds: ['turn-left'] } });
const gul: EnrolledPerson = { certType: '01', certNo: '320102198001011234', idNumber: '320102198001011234', name: '王建国' };
const FACTOR = '1234';
const FPS = 15;

let analyzer: LocalAnalyzer;
/** Camera frames of the customer: facing the camera, and turned left (another photo of him). */
let frontal: Buffer[] = [];
let left: Buffer[] = [];
beforeAll(async () => {
  if (!facesAvailable) return;
  analyzer = await LocalAnalyzer.create();
  frontal = cameraFrames(lfwImage('David_Beckham', 1), 24);
  left = cameraFrames(lfwImage('David_Beckham', 11), 8);
}, 60_000);
afterAll(async () => analyzer?.close());

/** Feeds frames at the camera's pace until the session decides (or the frames run out). */
async function runSession(face: FaceService, sessionId: string, frames: Buffer[]): Promise<FaceProgress> {
  let p: FaceProgress | null = null;
  for (const jpeg of frames) {
    p = await face.frame(sessionId, { jpeg });
    if (p.state !== 'collecting') break;
    await new Promise((r) => setTimeout(r, 1000 / FPS));
  }
  face.end(sessionId);
  return p!;
}

/** Enrolment answers the turn: frontal, left, frontal. */
const enrolClip = () => [...frontal.slice(0, 8), ...left.slice(0, 3), ...frontal.slice(8, 16)];

/** A face payment at a terminal, as the counter runs it: the outcome, and whom it identified. */
async function payByFace(x: Terminal): Promise<{ state: string; match: boolean; person: EnrolledPerson | null }> {
  const s = x.face.start('pay', { factor: FACTOR });
  const p = await runSession(x.face, s.sessionId, [...frontal.slice(2, 7), ...left.slice(0, 4), ...frontal.slice(7, 14)]);
  return { state: p.state, match: p.result?.match ?? false, person: (p.result?.person as EnrolledPerson | undefined) ?? null };
}

interface Terminal {
  id: string;
  chain: string;
  db: Db;
  gallery: FaceGallery;
  face: FaceService;
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
  let host: LaunchedTerminal | null = null;
  /** The chain YF's terminals that answer for its entries. */
  const yf = () => ['YF-A', 'YF-B', ...(host ? ['YF-H'] : [])];
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
    // On SQLite also a real terminal process of chain YF (estation start, face engine on, the chain key from its config
    // file): the wiring from its config to the chain's topics is what it proves. Its face plays no part otherwise.
    if (kind.dialect === 'sqlite') {
      const keyFile = path.join(dir, 'yf-chain.key');
      fs.writeFileSync(keyFile, keys.YF.toString('hex') + '\n', { mode: 0o600 });
      host = launchTerminal({
        dir,
        id: 'YF-H',
        releaseKeyFile: releaseKeys(dir).publicFile,
        fleet: { url: broker.url, chain: 'YF', chainKeyFile: keyFile, password: (await server.register('YF-H', { chain: 'YF', group: 'YF' }))! },
        config: { face: { enabled: true } },
      });
      await untilTerminal(server, 'YF-H', (v) => v.presence?.state === 'online', 90_000);
    }
    for (const [name, id, chain] of [
      ['A', 'YF-A', 'YF'],
      ['B', 'YF-B', 'YF'],
      ['C', 'LB-C', 'LB'],
    ] as const) {
      const db = openDatabase(path.join(dir, `${id}.sqlite`));
      const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), systemClock, { modelVersion: 'm1', terminalId: id, retentionDays: 30 });
      const faces = new ChainFaces({ gallery, chainKey: keys[chain], chain, terminalId: id, db, clock: systemClock, log: silentLogger });
      // The platform's check of the enrolment against the reference photo (tested elsewhere) says yes here.
      const face = new FaceService(analyzer, gallery, config, systemClock, silentLogger, async () => ({ match: true, score: null }));
      t[name] = { id, chain, db, gallery, face, faces, agent: null, password: (await server.register(id, { chain, group: chain }))! };
    }
  });

  afterAll(async () => {
    if (skip) return;
    for (const x of Object.values(t)) {
      await x.agent?.stop();
      // Not face.close(): that would close the analyzer all terminals here share.
      x.face.endAll();
      await x.gallery.close();
      x.db.close();
    }
    await host?.stop();
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
    `enrolled by face at A, the customer pays by face at B of the same chain and not at C of another; the server holds only sealed blobs${SKIP}`,
    async () => {
      for (const x of Object.values(t)) startAgent(x);
      // At A: consent, then enrolment by face.
      const consentId = t.A.gallery.recordConsent(gul, {
        purpose: 'payment',
        textVersion: consentTextVersion('face-consent-2026-01', 'payment', { chain: 'YF', name: '益丰' }),
      });
      const enrol = t.A.face.start('enrol', { person: gul, consentId, factor: FACTOR });
      expect(await runSession(t.A.face, enrol.sessionId, enrolClip())).toMatchObject({ state: 'done', result: { purpose: 'enrol' } });
      const [entry] = await untilFaces(server, 'YF', (l) => l.length === 1 && yf().every((id) => l[0]!.acks[id]?.state === 'stored'));
      expect(entry).toMatchObject({ origin: t.A.id, deleted: false });
      expect(Object.keys(entry!.acks).sort()).toEqual(yf());

      // At B: he pays by face, a whole payment session.
      expect(await payByFace(t.B)).toEqual({ state: 'done', match: true, person: gul });
      // The consent came with it, as given at A.
      expect(t.B.gallery.activeConsent(gul)).toMatchObject({ purpose: 'payment' });
      // At C, of another chain: nothing arrived, so he is not found.
      expect(await payByFace(t.C)).toMatchObject({ match: false, person: null });
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
      await untilFaces(server, 'YF', (l) => l[0]?.deleted === true && yf().every((id) => id === t.A.id || l[0]!.acks[id]?.state === 'deleted'));
      // A was away: its copy is still there until it comes back.
      expect(t.A.gallery.isEnrolled(gul)).toBe(true);
      startAgent(t.A);
      const [entry] = await untilFaces(server, 'YF', (l) => l[0]?.acks[t.A.id]?.state === 'deleted');
      expect(entry!.acks).toEqual(Object.fromEntries(yf().map((id) => [id, expect.objectContaining({ state: 'deleted' })])));
      expect(t.A.gallery.isEnrolled(gul)).toBe(false);
      expect(t.A.gallery.activeConsent(gul)).toBeNull();
      for (const x of [t.A, t.B]) expect(await payByFace(x)).toMatchObject({ match: false, person: null });
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
    // Enrolled again at B (a new consent), by face, while B's fleet link is down.
    const consentId = t.B.gallery.recordConsent(gul, {
      purpose: 'payment',
      textVersion: consentTextVersion('face-consent-2026-01', 'payment', { chain: 'YF', name: '益丰' }),
    });
    const enrol = t.B.face.start('enrol', { person: gul, consentId, factor: FACTOR });
    expect(await runSession(t.B.face, enrol.sessionId, enrolClip())).toMatchObject({ state: 'done' });
    expect(t.B.faces.pending()).toBe(1);
    startAgent(t.B);
    const list = await untilFaces(server, 'YF', (l) => l.length === 2 && l[1]!.acks[t.A.id]?.state === 'stored');
    expect(list[1]).toMatchObject({ origin: t.B.id, deleted: false });
    expect(t.B.faces.pending()).toBe(0);
    // The earlier withdrawal does not hold back a newer consent.
    expect(await payByFace(t.A)).toEqual({ state: 'done', match: true, person: gul });
  });

  it.skipIf(skip)(`an enrolment whose consent did not name the terminal's own chain stays on that terminal${SKIP}`, async () => {
    // At C (chain LB): once with the terminal-only text, once with a text that named another chain.
    for (const sharing of [null, { chain: 'YF', name: '益丰' }]) {
      const consentId = t.C.gallery.recordConsent(gul, { purpose: 'payment', textVersion: consentTextVersion('face-consent-2026-01', 'payment', sharing) });
      const enrol = t.C.face.start('enrol', { person: gul, consentId, factor: FACTOR });
      expect(await runSession(t.C.face, enrol.sessionId, enrolClip())).toMatchObject({ state: 'done' });
      expect(t.C.gallery.isEnrolled(gul)).toBe(true);
      expect(t.C.faces.pending()).toBe(0);
    }
    expect(await server.faces.list('LB')).toEqual([]);
    // Here, on his own terminal, he pays by face all the same.
    expect(await payByFace(t.C)).toEqual({ state: 'done', match: true, person: gul });
  });
});
