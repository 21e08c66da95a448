/**
 * Enrolment bound to a trusted reference: the platform simulator holds each resident's reference
 * photo (pictures from ../shared/faces given at start-up, never committed), the terminal sends its
 * best live frame sealed to the platform's key, and a template is stored only on a match. Real
 * HTTP on 127.0.0.1, real models on both sides.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodeJpeg, type Image } from '../../models/image';
import { prng, withSensorNoise } from '../../models/attacks';
import { facesAvailable, lfwImage } from '../../fixtures/faces';
import { placeInFrame } from '../../fixtures/media/camera-clips';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { RESIDENTS } from '../../fixtures/people/residents';
import { clientFor } from '../platform/testing';
import { sealForPlatform } from '../platform/face-envelope';
import { openDatabase } from '../store/database';
import { fixedClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';
import { LocalAnalyzer } from './analyzer';
import { FaceGallery, type EnrolledPerson } from './gallery';
import { StaticKeyProvider } from './keys';
import { FaceService, type FaceProgress, type PlatformFaceCheck } from './service';
import { faceConfigSchema } from './config';

const resident = RESIDENTS[6]!;
const stranger = RESIDENTS[7]!;
const person = (r: typeof resident): EnrolledPerson => ({ certType: '02', certNo: r.idNumber, idNumber: r.idNumber, name: r.name });

describe.skipIf(!facesAvailable)('face enrolment confirmed by the platform (needs ../shared/faces)', () => {
  let sim: PlatformSimulator;
  let analyzer: LocalAnalyzer;
  beforeAll(async () => {
    // The platform's pictures: Beckham (photo 9) for one resident, Tony Blair for another.
    sim = await startPlatformSimulator({
      referencePhotos: { [resident.idNumber]: lfwImage('David_Beckham', 9), [stranger.idNumber]: lfwImage('Tony_Blair', 53) },
    });
    analyzer = await LocalAnalyzer.create();
  }, 60_000);
  afterAll(async () => {
    await analyzer?.close();
    await sim?.close();
  });

  const photo = (name: string, i: number): Image => placeInFrame(decodeImage(fs.readFileSync(lfwImage(name, i))));
  /** Beckham at the camera (photo 1), turning left (photo 11), back: a live session. */
  function liveBeckham(seed: number): Uint8Array[] {
    const rand = prng(seed);
    const f = (img: Image, n: number) => Array.from({ length: n }, () => encodeJpeg(withSensorNoise(img, 0.5, rand), 85));
    const front = photo('David_Beckham', 1);
    return [...f(front, 8), ...f(photo('David_Beckham', 11), 4), ...f(front, 6)];
  }

  function terminal(check: PlatformFaceCheck | null) {
    const clock = fixedClock('2026-12-02T08:00:00Z', 1000);
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-confirm-')), 'db.sqlite'));
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 'm', terminalId: 'T', retentionDays: 30 });
    const sink = memorySink();
    const face = new FaceService(
      analyzer,
      gallery,
      faceConfigSchema.parse({ challenge: { kinds: ['turn-left'] } }),
      clock,
      createLogger({ sinks: [sink] }),
      check,
    );
    return { face, gallery, logs: () => sink.lines.join('\n') };
  }

  const viaPlatform = (url: string): PlatformFaceCheck => {
    // The simulator compares faces with ONNX in this very process: on a loaded 2-core machine that took
    // over the client's default 5 s and the enrolment failed as FACE_PLATFORM_UNAVAILABLE instead.
    const client = clientFor(url, { timeoutMs: 60_000 });
    return async (p, jpeg) => {
      const r = await client.faceVerify(p.idNumber!, '01', jpeg);
      return { match: r.result === 'match', score: r.score };
    };
  };

  async function enrol(t: ReturnType<typeof terminal>, who: EnrolledPerson, seed: number): Promise<FaceProgress> {
    const consentId = t.gallery.recordConsent(who, { purpose: 'payment', textVersion: 'v1' });
    const s = t.face.start('enrol', { person: who, consentId, factor: '1234' });
    let p: FaceProgress = s;
    for (const jpeg of liveBeckham(seed)) {
      p = await t.face.frame(s.sessionId, { jpeg });
      if (p.state !== 'collecting') break;
    }
    return p;
  }

  it('enrols when the platform’s reference photo (another picture of him) matches, and stores the template', async () => {
    const t = terminal(viaPlatform(sim.url));
    expect(await enrol(t, person(resident), 1)).toMatchObject({ state: 'done', result: { purpose: 'enrol' } });
    expect(t.gallery.isEnrolled(person(resident))).toBe(true);
    expect(t.logs()).toMatch(/"face.platform_checked".*"match":true/);
  }, 120_000);

  it('refuses to enrol his face under another resident’s card: that resident’s reference is a different man', async () => {
    const t = terminal(viaPlatform(sim.url));
    expect(await enrol(t, person(stranger), 2)).toMatchObject({ state: 'failed', error: 'FACE_REFERENCE_MISMATCH' });
    expect(t.gallery.isEnrolled(person(stranger))).toBe(false);
  }, 120_000);

  it('refuses when the platform has no photo of the person, when it cannot be reached, and when no platform is configured', async () => {
    const nobody = { ...person(resident), certNo: RESIDENTS[8]!.idNumber, idNumber: RESIDENTS[8]!.idNumber };
    expect(await enrol(terminal(viaPlatform(sim.url)), nobody, 3)).toMatchObject({ state: 'failed', error: 'FACE_REFERENCE_UNAVAILABLE' });
    // A port nothing listens on.
    const closed = await startPlatformSimulator();
    const url = closed.url;
    await closed.close();
    const offline = terminal(viaPlatform(url));
    expect(await enrol(offline, person(resident), 4)).toMatchObject({ state: 'failed', error: 'FACE_PLATFORM_UNAVAILABLE' });
    expect(offline.gallery.isEnrolled(person(resident))).toBe(false);
    expect(await enrol(terminal(null), person(resident), 5)).toMatchObject({ state: 'failed', error: 'FACE_PLATFORM_UNAVAILABLE' });
  }, 120_000);

  it('the frame travels sealed: the simulator opens it, a tampered envelope is refused, the bytes are not in the request', async () => {
    const jpeg = liveBeckham(6)[0]!;
    const key = (await (
      await fetch(`${sim.url}/localcfc/api/hsecfc/localQrCodeQuery`, { method: 'POST', body: JSON.stringify({ transType: 'cn.nhsa.face.key', data: {} }) })
    ).json()) as { data: { publicKey: string } };
    const env = sealForPlatform(jpeg, key.data.publicKey);
    expect(Buffer.from(env.data, 'base64').includes(Buffer.from(jpeg).subarray(0, 64))).toBe(false);
    expect(sim.faces.open(env).equals(Buffer.from(jpeg))).toBe(true);
    const tampered = { ...env, data: Buffer.from(Buffer.from(env.data, 'base64').map((b, i) => (i === 10 ? b ^ 1 : b))).toString('base64') };
    expect(() => sim.faces.open(tampered)).toThrow();
  }, 60_000);
});
