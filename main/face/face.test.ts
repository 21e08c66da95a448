/**
 * The face engine and gallery on real faces from ../shared/faces (read at test time, never
 * committed) and the real ONNX models.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cosine } from '../../models/face-engine';
import { decodeImage, type Image } from '../../models/image';
import { prng, withSensorNoise } from '../../models/attacks';
import { openDatabase, type Db } from '../store/database';
import { fixedClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { LocalAnalyzer, WorkerAnalyzer } from './analyzer';
import { FaceGallery, type EnrolledPerson } from './gallery';
import { FileKeyProvider, StaticKeyProvider } from './keys';
import { FaceService } from './service';
import { faceConfigSchema } from './config';
import { facesAvailable, lfwImage, SPOOF_DIR, SPOOF_SAMPLES } from '../../fixtures/faces';

const load = (p: string): Image => decodeImage(fs.readFileSync(p));
const tmpDb = () => openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-face-')), 'db.sqlite'));
const alice: EnrolledPerson = { certType: '02', certNo: '110101198001010011', idNumber: '110101198001010011', name: '李娜' };
const bob: EnrolledPerson = { certType: '02', certNo: '110101198202020022', idNumber: '110101198202020022', name: '张伟' };
const config = faceConfigSchema.parse({});

let analyzer: LocalAnalyzer;
beforeAll(async () => {
  analyzer = await LocalAnalyzer.create();
});
afterAll(async () => {
  await analyzer?.close();
});

async function embedding(p: string): Promise<Float32Array> {
  const a = await analyzer.analyze(load(p), { pick: 'central' });
  return a.face!.embedding!;
}

describe.skipIf(!facesAvailable)('face engine on LFW photos (needs ../shared/faces)', () => {
  it('scores the same person above the 0.41 verify threshold and different people below', async () => {
    const a1 = await embedding(lfwImage('Abdullah_Gul', 1));
    const a2 = await embedding(lfwImage('Abdullah_Gul', 6));
    const other = await embedding(lfwImage('Adrien_Brody', 2));
    expect(cosine(a1, a2)).toBeGreaterThan(config.verifyThreshold);
    expect(cosine(a1, other)).toBeLessThan(0.25);
  });

  it('the worker thread gives the same analysis as in-process', async () => {
    const worker = await WorkerAnalyzer.create();
    try {
      const img = load(lfwImage('Abdullah_Gul', 1));
      const [w, l] = [await worker.analyze({ jpeg: fs.readFileSync(lfwImage('Abdullah_Gul', 1)) }), await analyzer.analyze(img)];
      expect(cosine(w.face!.embedding!, l.face!.embedding!)).toBeGreaterThan(0.9999);
      expect(w.face!.liveness).toBeCloseTo(l.face!.liveness!, 4);
      expect(Object.keys(w.timings)).toEqual(expect.arrayContaining(['detect', 'landmarks', 'align', 'embed', 'liveness', 'total']));
    } finally {
      await worker.close();
    }
  });
});

describe.skipIf(!facesAvailable)('passive liveness on the spoof samples (needs ../shared/faces)', () => {
  const score = async (f: string) => (await analyzer.analyze(load(path.join(SPOOF_DIR, f)))).face!.liveness!;
  it.each(SPOOF_SAMPLES.live)('accepts the live capture %s', async (f) => {
    expect(await score(f)).toBeGreaterThanOrEqual(config.livenessThreshold);
  });
  it.each(SPOOF_SAMPLES.printOrReplay)('rejects the print/replay attack %s', async (f) => {
    expect(await score(f)).toBeLessThan(config.livenessThreshold);
  });
  it('the screen recapture vietmoney_fake_001 beats the passive model (its known limit) and fails the active challenge', async () => {
    const img = load(path.join(SPOOF_DIR, SPOOF_SAMPLES.recapture[0]!));
    expect((await analyzer.analyze(img)).face!.liveness!).toBeGreaterThanOrEqual(config.livenessThreshold);
    const clock = fixedClock('2026-11-24T08:00:00Z', 1000);
    const service = new FaceService(
      analyzer,
      new FaceGallery(tmpDb(), new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm1', terminalId: 't', retentionDays: 30 }),
      faceConfigSchema.parse({ maxSessionFrames: 12 }),
      clock,
      silentLogger,
    );
    const s = service.start('pay', { factor: '1234' });
    let p = s;
    // Held before a camera: every frame its own (faint) sensor noise, so it is not refused as a repeat.
    const rand = prng(5);
    for (let i = 0; i < 12 && p.state === 'collecting'; i++) p = await service.frame(s.sessionId, withSensorNoise(img, 0.5, rand));
    expect(p.state).toBe('failed');
    expect(p.error).toBe('FACE_CHALLENGE_FAILED');
  });
});

describe.skipIf(!facesAvailable)('the encrypted gallery (needs ../shared/faces)', () => {
  let db: Db;
  let key: Buffer;
  let gallery: FaceGallery;
  const clock = fixedClock('2026-11-24T08:00:00Z');
  beforeAll(() => {
    db = tmpDb();
    key = randomBytes(32);
    gallery = new FaceGallery(db, new StaticKeyProvider(key), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
  });

  it('stores templates only with consent, sealed: neither the ID number nor the embedding is readable in the file', async () => {
    const e = await embedding(lfwImage('Abdullah_Gul', 1));
    expect(() => gallery.enrol(alice, e, 999, null)).toThrow(expect.objectContaining({ code: 'FACE_CONSENT_MISSING' }));
    const consent = gallery.recordConsent(alice, { purpose: 'kiosk-login', textVersion: 'v1' });
    gallery.enrol(alice, e, consent, '5678');
    const raw = db.prepare('SELECT * FROM face_template').all() as Record<string, unknown>[];
    const dump = JSON.stringify(raw) + Buffer.concat(raw.map((r) => r.ciphertext as Buffer)).toString('latin1');
    expect(dump).not.toContain(alice.idNumber!);
    expect(dump).not.toContain('李娜');
    expect(Buffer.concat(raw.map((r) => r.ciphertext as Buffer)).includes(Buffer.from(e.buffer).subarray(0, 16))).toBe(false);
    const consentRow = db.prepare('SELECT purpose, terminal_id, text_version, granted_at FROM face_consent').get();
    expect(consentRow).toEqual({ purpose: 'kiosk-login', terminal_id: 'ZZJ001', text_version: 'v1', granted_at: '2026-11-24T08:00:00.000Z' });
  });

  it('is unreadable without the key', async () => {
    const stranger = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
    await expect(stranger.identify(await embedding(lfwImage('Abdullah_Gul', 6)))).rejects.toMatchObject({ code: 'FACE_TEMPLATE_UNREADABLE' });
  });

  it('verifies and identifies; the second factor narrows the gallery', async () => {
    const c = gallery.recordConsent(bob, { purpose: 'payment', textVersion: 'v1' });
    gallery.enrol(bob, await embedding(lfwImage('Adrien_Brody', 2)), c, '1111');
    const probe = await embedding(lfwImage('Abdullah_Gul', 6));
    expect(await gallery.verify(alice, probe)).toBeGreaterThan(0.41);
    expect(await gallery.verify(bob, probe)).toBeLessThan(0.3);
    const list = await gallery.identify(probe);
    expect(list[0]!.person).toEqual(alice);
    expect(list).toHaveLength(2);
    expect((await gallery.identify(probe, { factor: '1111' })).map((x) => x.person.name)).toEqual(['张伟']);
    expect(await gallery.identify(probe, { factor: '0000' })).toEqual([]);
  });

  it('refuses to match templates made by another model version', async () => {
    const next = new FaceGallery(db, new StaticKeyProvider(key), clock, { modelVersion: 'm2', terminalId: 'ZZJ001', retentionDays: 30 });
    await expect(next.verify(alice, await embedding(lfwImage('Abdullah_Gul', 6)))).rejects.toMatchObject({ code: 'FACE_MODEL_VERSION_MISMATCH' });
    expect(await next.identify(await embedding(lfwImage('Abdullah_Gul', 6)))).toEqual([]);
    expect(next.counts()).toEqual({ current: 0, otherModelVersion: 2, quarantined: 0 });
  });

  it('deletes a person’s templates and withdraws the consent; retention purges old ones', async () => {
    expect(gallery.deletePerson(alice)).toBe(1);
    await expect(gallery.verify(alice, await embedding(lfwImage('Abdullah_Gul', 6)))).rejects.toMatchObject({ code: 'FACE_NOT_ENROLLED' });
    expect(gallery.activeConsent(alice)).toBeNull();
    clock.advance(31 * 86_400_000);
    expect(gallery.purgeExpired()).toBe(1);
    expect(gallery.counts().current).toBe(0);
  });
});

describe('the template key file', () => {
  it('is created 0600 and refused when others can read it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-key-')), 'keys', 'face.key');
    const p = new FileKeyProvider(file);
    expect(p.key()).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.chmodSync(file, 0o644);
    expect(() => new FileKeyProvider(file).key()).toThrow(expect.objectContaining({ code: 'FACE_KEY_INSECURE' }));
  });
});
