/**
 * The face worker as it fails in the field: killed (out of memory, a native crash) or hung. No
 * frame waits forever: each gets a typed error, and the next frame runs on a fresh worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkModels } from '../../models/manifest';
import { openDatabase } from '../store/database';
import { fixedClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { FaceError, WorkerAnalyzer } from './analyzer';
import { FaceGallery } from './gallery';
import { StaticKeyProvider } from './keys';
import { FaceService } from './service';
import { faceConfigSchema } from './config';

const modelsReady = checkModels().every((m) => m.status === 'verified');
// A grey 320x240 frame: analysed in full (no face found), enough work to be in flight.
const frame = () => ({ width: 320, height: 240, channels: 3 as const, data: new Uint8Array(320 * 240 * 3).fill(128) });

let analyzer: WorkerAnalyzer | null = null;
afterEach(async () => {
  await analyzer?.close();
  analyzer = null;
});

describe.skipIf(!modelsReady)('the face worker (needs the ONNX models that npm install obtains)', () => {
  it('a killed worker fails the frame it held with FACE_ENGINE_CRASHED, and the next frame runs on a new worker', async () => {
    analyzer = await WorkerAnalyzer.create();
    expect((await analyzer.analyze(frame())).boxes).toEqual([]);
    const inFlight = expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CRASHED' });
    await analyzer.killWorker();
    await inFlight;
    expect((await analyzer.analyze(frame())).boxes).toEqual([]);
    expect(analyzer.restarts).toBe(1);
  }, 60_000);

  it('a worker that does not answer in time fails the frame with FACE_ENGINE_TIMEOUT and is replaced', async () => {
    analyzer = await WorkerAnalyzer.create({}, undefined, { frameDeadlineMs: 1 });
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_TIMEOUT' });
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_TIMEOUT' });
    expect(analyzer.restarts).toBe(1);
  }, 60_000);

  it('closing fails what is in flight with FACE_ENGINE_CLOSED and refuses new frames', async () => {
    analyzer = await WorkerAnalyzer.create();
    const inFlight = expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CLOSED' });
    await analyzer.close();
    await inFlight;
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CLOSED' });
  }, 60_000);
});

describe('a face session whose engine fails', () => {
  it('ends with the engine’s typed code instead of waiting, and the next session starts afresh', async () => {
    const clock = fixedClock(Date.parse('2026-12-02T08:00:00Z'), 1000);
    const db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-face-engine-')), 'db.sqlite'));
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, { modelVersion: 't', terminalId: 'T', retentionDays: 30 });
    let calls = 0;
    const crashing = {
      analyze: () => {
        calls++;
        return Promise.reject(new FaceError('FACE_ENGINE_CRASHED', 'face worker exited with 1'));
      },
      close: async () => undefined,
    };
    const face = new FaceService(crashing, gallery, faceConfigSchema.parse({}), clock, silentLogger);
    const s = face.start('login', {});
    const p = await face.frame(s.sessionId, frame());
    expect(p).toMatchObject({ state: 'failed', error: 'FACE_ENGINE_CRASHED' });
    // The failed session takes no more frames to the engine.
    await face.frame(s.sessionId, frame());
    expect(calls).toBe(1);
    db.close();
  });
});
