/**
 * Presentation attacks against whole face sessions, on real photos from ../shared/faces (read at
 * test time, never committed) through the real ONNX models: an injected still, a looped clip, a
 * picture turned in front of the camera, a screen recapture — for every purpose — against a live
 * session made of two photos of the same man with per-frame sensor noise. Plus the pure parts
 * (homography parallax, fusion, repeats) on synthetic input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point } from '../../models/face-engine';
import { decodeImage, encodeJpeg, type Image } from '../../models/image';
import { planarResidual } from '../../models/planar';
import { prng, turnPicture, withSensorNoise } from '../../models/attacks';
import { facesAvailable, lfwImage, SPOOF_DIR } from '../../fixtures/faces';
import { placeInFrame } from '../../fixtures/media/camera-clips';
import { openDatabase } from '../store/database';
import { fixedClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';
import { LocalAnalyzer } from './analyzer';
import { FaceGallery, type EnrolledPerson } from './gallery';
import { StaticKeyProvider } from './keys';
import { FaceService, type FaceProgress } from './service';
import { faceConfigSchema, type FaceConfig } from './config';
import { FrameHistory, fuseLiveness } from './pad';
import { FACE_POLICIES, facePolicy, type FacePurpose } from './policy';

describe('plane or head: the parallax of a head turn', () => {
  // A rough head: 68 points on a face whose nose sticks out and whose contour lies back.
  const head: [number, number, number][] = Array.from({ length: 68 }, (_, i) => {
    const a = (i / 68) * Math.PI * 2;
    const ring = i % 3;
    const r = [1, 0.6, 0.25][ring]!;
    return [r * Math.cos(a), 1.2 * r * Math.sin(a), [-0.4, 0.1, 0.6][ring]!];
  });
  // Eye points 36–47 as two clusters, as the 68-point scheme has them.
  for (let i = 36; i < 48; i++) head[i] = [i < 42 ? -0.35 : 0.35, -0.3 + (i % 2) * 0.02, 0.25];
  const view = (pts: [number, number, number][], yawDeg: number, dist = 6): Point[] => {
    const t = (yawDeg * Math.PI) / 180;
    return pts.map(([x, y, z]) => {
      const xr = x * Math.cos(t) + z * Math.sin(t);
      const zr = -x * Math.sin(t) + z * Math.cos(t);
      return [(300 * xr) / (dist - zr) + 320, (300 * y) / (dist - zr) + 240];
    });
  };
  const flat = head.map(([x, y]) => [x, y, 0] as [number, number, number]);

  it('a flat picture turned by 30° fits one homography (residual ≈ 0); a head turned by 20° does not', () => {
    expect(planarResidual(view(flat, 0), view(flat, 30))).toBeLessThan(1e-6);
    const headResidual = planarResidual(view(head, 0), view(head, 20));
    expect(headResidual).toBeGreaterThan(FACE_DEFAULTS.challenge.minParallax);
    // And it grows with the turn: depth shows more the further the head turns.
    expect(planarResidual(view(head, 0), view(head, 35))).toBeGreaterThan(headResidual);
  });

  it('cannot fit fewer than 4 points or a degenerate set, and says so with Infinity', () => {
    const line: Point[] = [0, 1, 2, 3, 4].map((x) => [x, 0]);
    expect(planarResidual(line, line)).toBe(Infinity);
    expect(planarResidual(line.slice(0, 3), line.slice(0, 3))).toBe(Infinity);
  });
});

const FACE_DEFAULTS = faceConfigSchema.parse({});

describe('liveness fused over a session', () => {
  it('needs the mean and the lower quartile: a quarter of clearly spoofed frames fails a session whose mean passes', () => {
    expect(fuseLiveness([0.9, 0.95, 0.92, 0.97, 0.9, 0.93, 0.96, 0.91], 0.5, 0.3).pass).toBe(true);
    const mixed = fuseLiveness([0.99, 0.99, 0.99, 0.99, 0.99, 0.05, 0.05, 0.05], 0.5, 0.3);
    expect(mixed.mean).toBeGreaterThan(0.5);
    expect(mixed.lowerQuartile).toBe(0.05);
    expect(mixed.pass).toBe(false);
    // One bad frame in eight (a blur, a blink) does not.
    expect(fuseLiveness([0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.05], 0.5, 0.3).pass).toBe(true);
    expect(fuseLiveness([], 0.5, 0.3).pass).toBe(false);
  });

  it('a frame seen before in the session is a repeat; one changed byte is not', () => {
    const h = new FrameHistory();
    const a = new Uint8Array([1, 2, 3, 4]);
    expect(h.repeated(a)).toBe(false);
    expect(h.repeated(new Uint8Array([1, 2, 3, 5]))).toBe(false);
    expect(h.repeated(new Uint8Array([1, 2, 3, 4]))).toBe(true);
  });
});

describe('the purpose is main’s', () => {
  it('a checkout terminal offers only payment and enrolment; a kiosk never payment; every consenting or paying purpose has a challenge', () => {
    expect(() => facePolicy('login', 'checkout')).toThrow(expect.objectContaining({ code: 'FACE_PURPOSE_NOT_ALLOWED' }));
    expect(() => facePolicy('verify', 'checkout')).toThrow(expect.objectContaining({ code: 'FACE_PURPOSE_NOT_ALLOWED' }));
    expect(() => facePolicy('pay', 'kiosk')).toThrow(expect.objectContaining({ code: 'FACE_PURPOSE_NOT_ALLOWED' }));
    expect(() => facePolicy('pay', 'service')).toThrow(expect.objectContaining({ code: 'FACE_PURPOSE_NOT_ALLOWED' }));
    expect(facePolicy('pay', 'checkout')).toMatchObject({ challenge: true, secondFactor: true });
    for (const p of ['verify', 'enrol', 'pay'] as const) expect(FACE_POLICIES[p].challenge).toBe(true);
    // The one loosening a site may choose touches kiosk look-ups only.
    expect(facePolicy('login', 'kiosk', { loginChallenge: false }).challenge).toBe(false);
    expect(facePolicy('verify', 'kiosk', { loginChallenge: false }).challenge).toBe(true);
  });
});

describe.skipIf(!facesAvailable)('face sessions under attack (needs ../shared/faces)', () => {
  let analyzer: LocalAnalyzer;
  beforeAll(async () => {
    analyzer = await LocalAnalyzer.create();
  }, 60_000);
  afterAll(async () => {
    await analyzer?.close();
  });

  const beckham: EnrolledPerson = { certType: '02', certNo: '320102198001010011', idNumber: '320102198001010011', name: '王建国' };
  const photo = (p: string): Image => placeInFrame(decodeImage(fs.readFileSync(p)));
  const frontal1 = () => photo(lfwImage('David_Beckham', 1));
  const frontal9 = () => photo(lfwImage('David_Beckham', 9));
  const turnedLeft = () => photo(lfwImage('David_Beckham', 11));

  /** JPEG frames as the renderer sends them; `noise` > 0 gives each its own sensor noise (see camera-clips.ts for why so faint). */
  function frames(parts: { img: Image; count: number }[], noise = 0.5, seed = 1): Uint8Array[] {
    const rand = prng(seed);
    return parts.flatMap(({ img, count }) => Array.from({ length: count }, () => encodeJpeg(noise ? withSensorNoise(img, noise, rand) : img, 85)));
  }
  const live = (f: Image, seed: number) =>
    frames(
      [
        { img: f, count: 8 },
        { img: turnedLeft(), count: 4 },
        { img: f, count: 6 },
      ],
      0.5,
      seed,
    );

  function terminal(overrides: Partial<Record<keyof FaceConfig, unknown>> = {}) {
    const clock = fixedClock('2026-12-02T08:00:00Z', 1000);
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-pad-')), 'db.sqlite'));
    const sink = memorySink();
    const config = faceConfigSchema.parse({ challenge: { kinds: ['turn-left'] }, ...overrides });
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm', terminalId: 'T', retentionDays: 30 });
    // The platform's reference check is platform-confirm.test.ts's subject; here it always matches.
    const face = new FaceService(analyzer, gallery, config, clock, createLogger({ sinks: [sink] }), async () => ({ match: true, score: null }));
    return { face, gallery, logs: () => sink.lines.map((l) => JSON.parse(l) as { msg: string }) };
  }

  async function run(face: FaceService, purpose: FacePurpose, clip: Uint8Array[], opts: { person?: EnrolledPerson; consentId?: number; factor?: string } = {}) {
    const s = face.start(purpose, { person: opts.person ?? null, consentId: opts.consentId ?? null, factor: opts.factor ?? null });
    let p: FaceProgress = s;
    for (const jpeg of clip) {
      p = await face.frame(s.sessionId, { jpeg });
      if (p.state !== 'collecting') break;
    }
    return p;
  }

  async function enrolled(overrides: Partial<Record<keyof FaceConfig, unknown>> = {}) {
    const t = terminal(overrides);
    const consentId = t.gallery.recordConsent(beckham, { purpose: 'payment', textVersion: 'v1' });
    const p = await run(t.face, 'enrol', live(frontal1(), 1), { person: beckham, consentId, factor: '1234' });
    expect(p, JSON.stringify({ error: p.error, challenge: p.challengeStep, frames: p.framesAccepted })).toMatchObject({
      state: 'done',
      result: { purpose: 'enrol' },
    });
    return t;
  }

  const ALL: [FacePurpose, { person?: EnrolledPerson; factor?: string }][] = [
    ['login', {}],
    ['verify', { person: beckham }],
    ['pay', { factor: '1234' }],
  ];

  it('a live session (another photo of him, turning left, sensor noise) logs in, verifies and pays; its parallax is a head’s', async () => {
    const t = await enrolled();
    const provisional: { person: string; step: string | null }[] = [];
    let lastStep: string | null = null;
    t.face.onProvisionalPayer((x) => provisional.push({ person: x.person.idNumber!, step: lastStep }));
    for (const [purpose, opts] of ALL) {
      const s = t.face.start(purpose, { person: opts.person ?? null, factor: opts.factor ?? null });
      let p: FaceProgress = s;
      for (const jpeg of live(frontal9(), 7)) {
        p = await t.face.frame(s.sessionId, { jpeg });
        lastStep = p.challengeStep;
        if (p.state !== 'collecting') break;
      }
      expect(p, purpose).toMatchObject({ state: 'done', result: { match: true } });
      expect(p.result!.parallax!).toBeGreaterThan(FACE_DEFAULTS.challenge.minParallax);
      expect(p.result!.liveness!.pass).toBe(true);
    }
    // Only the payment announced its payer early, once, while the challenge was still running.
    expect(provisional).toHaveLength(1);
    expect(provisional[0]!.person).toBe(beckham.idNumber);
    expect(provisional[0]!.step).not.toBe('done');
  }, 120_000);

  it('an injected still (bit-identical frames) is refused for every purpose at its second frame', async () => {
    const t = await enrolled();
    const still = frames([{ img: frontal9(), count: 20 }], 0);
    for (const [purpose, opts] of [...ALL, ['enrol', { person: beckham }] as const]) {
      const consentId = purpose === 'enrol' ? t.gallery.recordConsent(beckham, { purpose: 'payment', textVersion: 'v1' }) : undefined;
      const s = t.face.start(purpose, { person: opts.person ?? null, factor: opts.factor ?? null, consentId });
      await t.face.frame(s.sessionId, { jpeg: still[0]! });
      expect(await t.face.frame(s.sessionId, { jpeg: still[1]! }), purpose).toMatchObject({ state: 'failed', error: 'FACE_REPLAY_SUSPECTED' });
    }
  }, 120_000);

  it('a looped clip of a live session is refused for every purpose when it starts again', async () => {
    const t = await enrolled();
    // The first half of a live session (frontal, turning), then the same frames again.
    const half = live(frontal9(), 9).slice(0, 10);
    for (const [purpose, opts] of ALL) {
      const p = await run(t.face, purpose, [...half, ...half], opts);
      expect(p, purpose).toMatchObject({ state: 'failed', error: 'FACE_REPLAY_SUSPECTED' });
    }
  }, 120_000);

  it('his photo turned 40° in front of the camera answers a turn-right challenge and passes the passive model, and is refused for its flat motion', async () => {
    const attack = frames([
      { img: frontal1(), count: 8 },
      { img: turnPicture(frontal1(), 40), count: 4 },
      { img: frontal1(), count: 6 },
    ]);
    const strict = terminal({ challenge: { kinds: ['turn-right'] } });
    const consentId = strict.gallery.recordConsent(beckham, { purpose: 'payment', textVersion: 'v1' });
    expect(await run(strict.face, 'enrol', attack, { person: beckham, consentId })).toMatchObject({ state: 'failed', error: 'FACE_LIVENESS_FAILED' });
    expect(strict.logs().map((l) => l.msg)).toContain('face.planar_motion');
    // The same session without the parallax check would have enrolled him: that check is what refused it.
    const lax = terminal({ challenge: { kinds: ['turn-right'], minParallax: 0 } });
    const c2 = lax.gallery.recordConsent(beckham, { purpose: 'payment', textVersion: 'v1' });
    expect(await run(lax.face, 'enrol', attack, { person: beckham, consentId: c2 })).toMatchObject({ state: 'done' });
  }, 120_000);

  it('the screen recapture vietmoney_fake_001, held before a camera (noise), is refused for every purpose', async () => {
    const t = await enrolled({ maxSessionFrames: 40 });
    const recapture = frames([{ img: placeInFrame(decodeImage(fs.readFileSync(path.join(SPOOF_DIR, 'vietmoney_fake_001.jpg')))), count: 40 }]);
    for (const [purpose, opts] of ALL) {
      const p = await run(t.face, purpose, recapture, opts);
      expect(p.state, purpose).toBe('failed');
      expect(['FACE_CHALLENGE_FAILED', 'FACE_LIVENESS_FAILED', 'FACE_TIMEOUT'], `${purpose}: ${p.error}`).toContain(p.error);
    }
  }, 120_000);
});
