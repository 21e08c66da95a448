/**
 * Gallery isolation: one template whose ciphertext is damaged on disk is quarantined and
 * reported once; every other enrolled person still logs in (1:N) and verifies (1:1). Synthetic
 * embeddings: this is about the store, not about faces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDING_DIM, l2normalise } from '../../models/face-engine';
import { openDatabase, type Db } from '../store/database';
import { fixedClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';
import { FaceGallery, type EnrolledPerson } from './gallery';
import { StaticKeyProvider } from './keys';
import { seal } from './sealed';
import { FaceService } from './service';
import { faceConfigSchema } from './config';
import type { FaceAnalyzer } from './analyzer';
import { FACE_POLICIES } from './policy';

const li: EnrolledPerson = { certType: '02', certNo: '110101198001010011', idNumber: '110101198001010011', name: '李娜' };
const zhang: EnrolledPerson = { certType: '02', certNo: '110101198202020022', idNumber: '110101198202020022', name: '张伟' };
const wang: EnrolledPerson = { certType: '02', certNo: '110101197503030033', idNumber: '110101197503030033', name: '王芳' };

function randomEmbedding(): Float32Array {
  const e = new Float32Array(EMBEDDING_DIM);
  for (let i = 0; i < e.length; i++) e[i] = Math.random() - 0.5;
  return l2normalise(e);
}

const noAnalyzer: FaceAnalyzer = {
  analyze: () => Promise.reject(new Error('frames are not part of this test')),
  close: () => Promise.resolve(),
};

describe('a corrupt face template is quarantined; everyone else still logs in', () => {
  const clock = fixedClock('2026-11-24T08:00:00Z');
  let db: Db;
  let key: Buffer;
  let gallery: FaceGallery;
  let service: FaceService;
  let logLines: string[];
  const faces = new Map<EnrolledPerson, Float32Array>();
  const templateOf = new Map<EnrolledPerson, number>();

  beforeEach(() => {
    db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-gallery-')), 'db.sqlite'));
    key = randomBytes(32);
    gallery = new FaceGallery(db, new StaticKeyProvider(key), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
    const sink = memorySink();
    logLines = sink.lines;
    service = new FaceService(noAnalyzer, gallery, faceConfigSchema.parse({}), clock, createLogger({ sinks: [sink] }));
    for (const p of [li, zhang, wang]) {
      faces.set(p, randomEmbedding());
      const consent = gallery.recordConsent(p, { purpose: 'kiosk-login', textVersion: 'v1' });
      templateOf.set(p, gallery.enrol(p, faces.get(p)!, consent, null));
    }
  });
  afterEach(async () => {
    await service.close();
    db.close();
  });

  const quarantineLines = () => logLines.filter((l) => l.includes('face.template_quarantined'));

  it('flipping one byte of 张伟’s ciphertext sets only that template aside, once, and logs it without personal data', async () => {
    const row = db.prepare('SELECT ciphertext FROM face_template WHERE id = ?').get(templateOf.get(zhang)) as { ciphertext: Buffer };
    row.ciphertext[10] = row.ciphertext[10]! ^ 0xff;
    db.prepare('UPDATE face_template SET ciphertext = ? WHERE id = ?').run(row.ciphertext, templateOf.get(zhang));

    const top = await gallery.identify(faces.get(li)!);
    expect(top[0]!.person).toEqual(li);
    expect(top.map((x) => x.person.name).sort()).toEqual(['李娜', '王芳'].sort());
    expect((await gallery.identify(faces.get(wang)!))[0]!.person).toEqual(wang);
    expect(await gallery.verify(li, faces.get(li)!)).toBeGreaterThan(0.99);
    expect(await gallery.verify(wang, faces.get(wang)!)).toBeGreaterThan(0.99);
    await expect(gallery.verify(zhang, faces.get(zhang)!)).rejects.toMatchObject({ code: 'FACE_NOT_ENROLLED' });
    expect(gallery.isEnrolled(zhang)).toBe(false);
    expect(gallery.counts()).toEqual({ current: 2, otherModelVersion: 0, quarantined: 1 });
    expect(db.prepare('SELECT id, quarantine_reason AS reason FROM face_template WHERE quarantined_at IS NOT NULL').all()).toEqual([
      { id: templateOf.get(zhang), reason: 'undecryptable' },
    ]);

    // A later reload (after a new enrolment) neither quarantines nor reports it again.
    const consent = gallery.recordConsent(zhang, { purpose: 'kiosk-login', textVersion: 'v1' });
    gallery.enrol(zhang, faces.get(zhang)!, consent, null);
    expect((await gallery.identify(faces.get(zhang)!))[0]!.person).toEqual(zhang);
    expect(quarantineLines()).toHaveLength(1);
    const logged = JSON.parse(quarantineLines()[0]!) as Record<string, unknown>;
    expect(logged).toMatchObject({ level: 'error', templateId: templateOf.get(zhang), modelVersion: 'm1', reason: 'undecryptable' });
    expect(quarantineLines()[0]).not.toMatch(/张伟|110101198202020022/);
  });

  it('a template that decrypts but does not hold a person is quarantined as malformed', async () => {
    const id = templateOf.get(wang)!;
    const { person_hash: personHash } = db.prepare('SELECT person_hash FROM face_template WHERE id = ?').get(id) as { person_hash: string };
    const garbage = seal(key, Buffer.from('not a template'), `face-template\u0000${personHash}\u0000m1`);
    db.prepare('UPDATE face_template SET iv = ?, ciphertext = ?, tag = ? WHERE id = ?').run(garbage.iv, garbage.ciphertext, garbage.tag, id);

    expect((await gallery.identify(faces.get(zhang)!))[0]!.person).toEqual(zhang);
    expect(gallery.counts().quarantined).toBe(1);
    expect(JSON.parse(quarantineLines()[0]!)).toMatchObject({ templateId: id, reason: 'malformed' });
  });

  it('with the wrong key nothing opens: the load fails and nothing is quarantined (the key is at fault, not the rows)', async () => {
    const stranger = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
    await expect(stranger.identify(faces.get(li)!)).rejects.toMatchObject({ code: 'FACE_TEMPLATE_UNREADABLE' });
    await stranger.close();
    expect(gallery.counts()).toEqual({ current: 3, otherModelVersion: 0, quarantined: 0 });
    expect((await gallery.identify(faces.get(li)!))[0]!.person).toEqual(li);
  });
});

describe('templates the platform never confirmed', () => {
  it('still identify for a kiosk look-up but never for a payment', async () => {
    const clock = fixedClock('2026-12-02T08:00:00Z');
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-gallery-')), 'db.sqlite'));
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
    const legacy = randomEmbedding();
    const confirmed = randomEmbedding();
    gallery.enrol(li, legacy, gallery.recordConsent(li, { purpose: 'payment', textVersion: 'v1' }), '1234');
    gallery.enrol(zhang, confirmed, gallery.recordConsent(zhang, { purpose: 'payment', textVersion: 'v1' }), '1234', clock.nowIso());
    expect((await gallery.identify(legacy, { factor: '1234' }))[0]!.person).toEqual(li);
    expect((await gallery.identify(legacy, { factor: '1234', confirmedOnly: true })).map((x) => x.person)).toEqual([zhang]);
    await gallery.close();
    db.close();
  });
});

describe('frames that arrive at once at the moment of decision', () => {
  it('enrol once and ask the platform once, however many are in flight', async () => {
    const clock = fixedClock('2026-12-02T08:00:00Z', 100);
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-gallery-')), 'db.sqlite'));
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm1', terminalId: 'ZZJ001', retentionDays: 30 });
    const face = randomEmbedding();
    // A frontal, live, sharp face in every frame, as the engine would report it.
    const analyzer: FaceAnalyzer = {
      analyze: async () => ({
        width: 640,
        height: 480,
        boxes: [{ x1: 200, y1: 100, x2: 400, y2: 350, score: 0.99 }],
        face: {
          box: { x1: 200, y1: 100, x2: 400, y2: 350, score: 0.99 },
          landmarks: [],
          liveness: 0.99,
          embedding: face,
          quality: {
            faceHeight: 250,
            relativeHeight: 0.52,
            inside: true,
            pose: { yaw: 0, pitch: 0, roll: 0 },
            eyes: { leftOpen: 1, rightOpen: 1 },
            sharpness: 50,
            crowded: false,
          },
        },
        timings: {},
      }),
      close: async () => undefined,
    };
    let platformCalls = 0;
    const service = new FaceService(analyzer, gallery, faceConfigSchema.parse({}), clock, createLogger({ sinks: [] }), async () => {
      platformCalls++;
      await new Promise((r) => setTimeout(r, 20));
      return { match: true, score: 0.9 };
    });
    const consentId = gallery.recordConsent(li, { purpose: 'payment', textVersion: 'v1' });
    // This test is about the decision, not the challenge: the enrol policy without it.
    const s = service.start('enrol', { person: li, consentId, factor: '1234', policy: { ...FACE_POLICIES.enrol, challenge: false } });
    const frame = (i: number) => ({ jpeg: new Uint8Array([i, 1, 2, 3]) });
    for (let i = 0; i < 4; i++) await service.frame(s.sessionId, frame(i));
    const results = await Promise.all(Array.from({ length: 8 }, (_, k) => service.frame(s.sessionId, frame(10 + k))));
    expect(results.filter((r) => r.state === 'done')).not.toHaveLength(0);
    expect(platformCalls).toBe(1);
    expect((db.prepare('SELECT COUNT(*) AS n FROM face_template').get() as { n: number }).n).toBe(1);
    await gallery.close();
    db.close();
  });
});
