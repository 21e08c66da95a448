/**
 * The face worker as it fails in the field: killed (out of memory, a native crash) or hung. No
 * frame waits forever: each gets a typed error, and the next frame runs on a fresh worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { checkModels } from '../../models/manifest';
import { openDatabase } from '../store/database';
import { fixedClock } from '../ground/clock';
import { waitUntil } from '../ground/wait';
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

describe.skipIf(!modelsReady).each(['process', 'thread'] as const)('the face engine as a %s (needs the ONNX models that npm install obtains)', (isolation) => {
  it('a killed worker fails the frame it held with FACE_ENGINE_CRASHED, and the next frame runs on a new worker', async () => {
    analyzer = await WorkerAnalyzer.create({}, undefined, { isolation });
    // What the status bar's camera entry shows, in order.
    const states: string[] = [];
    analyzer.onState((s) => states.push(s.code ? `${s.state}:${s.code}` : s.state));
    expect((await analyzer.analyze(frame())).boxes).toEqual([]);
    const inFlight = expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CRASHED' });
    await analyzer.killWorker();
    await inFlight;
    expect(states).toEqual(['ready', 'fault:FACE_ENGINE_CRASHED']);
    expect((await analyzer.analyze(frame())).boxes).toEqual([]);
    expect(analyzer.restarts).toBe(1);
    expect(states).toEqual(['ready', 'fault:FACE_ENGINE_CRASHED', 'opening', 'ready']);
  }, 60_000);

  it('a worker that does not answer in time fails the frame with FACE_ENGINE_TIMEOUT and is replaced', async () => {
    analyzer = await WorkerAnalyzer.create({}, undefined, { frameDeadlineMs: 1, isolation });
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_TIMEOUT' });
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_TIMEOUT' });
    expect(analyzer.restarts).toBe(1);
  }, 60_000);

  it('closing fails what is in flight with FACE_ENGINE_CLOSED and refuses new frames', async () => {
    analyzer = await WorkerAnalyzer.create({}, undefined, { isolation });
    const inFlight = expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CLOSED' });
    await analyzer.close();
    await inFlight;
    await expect(analyzer.analyze(frame())).rejects.toMatchObject({ code: 'FACE_ENGINE_CLOSED' });
  }, 60_000);
});

describe.skipIf(!modelsReady)('the face engine process', () => {
  it('ends when the host that forked it is killed with SIGKILL', async () => {
    // A host of its own (not this test runner), so it can be killed the way a crash kills.
    const script = `
      import { WorkerAnalyzer } from ${JSON.stringify(path.join(import.meta.dirname, 'analyzer.ts'))};
      const a = await WorkerAnalyzer.create();
      console.log(JSON.stringify({ engine: a.enginePid }));
      setInterval(() => undefined, 1000);
    `;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-face-host-')), 'host.mts');
    fs.writeFileSync(file, script);
    const host = spawn(process.execPath, ['--import', 'tsx', file], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const enginePid = await new Promise<number>((resolve, reject) => {
      let out = '';
      host.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /\{"engine":(\d+)\}/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      host.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
    });
    expect(alive(enginePid)).toBe(true);
    host.kill('SIGKILL');
    await waitUntil(() => !alive(enginePid), { timeoutMs: 10_000, what: 'the face engine process to end' });
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped by init) counts as ended.
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

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
