/**
 * `estation face eval-liveness` on a small subset of ../shared/faces (read at test time, never
 * committed) through the real models and the real FaceService: four LFW persons, one picture
 * angle, one screen recapture.
 */
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACES_DIR, facesAvailable } from '../../fixtures/faces';
import { LocalAnalyzer } from '../face/analyzer';
import { faceConfigSchema } from '../face/config';
import { evaluateLiveness, type LivenessReport } from '../face/liveness-eval';

const root = path.resolve(import.meta.dirname, '../..');
const DEFAULTS = faceConfigSchema.parse({});

describe('estation face eval-liveness without its faces', () => {
  it('says where it looked and exits 66 with FACES_NOT_FOUND', async () => {
    const missing = path.join(root, 'test-output', 'no-such-faces');
    const run = promisify(execFile)(process.execPath, [path.join(root, 'bin/estation.js'), 'face', 'eval-liveness', '--json'], {
      cwd: root,
      env: { ...process.env, ESTATION_FACES_DIR: missing },
      timeout: 30_000,
    });
    await expect(run).rejects.toMatchObject({ code: 66, stderr: expect.stringContaining(`FACES_NOT_FOUND: no lfw-dev/ and spoof/ in ${missing}`) });
  });
});

describe.skipIf(!facesAvailable)('estation face eval-liveness (needs ../shared/faces)', () => {
  const PEOPLE = 4;
  let analyzer: LocalAnalyzer;
  let report: LivenessReport;
  beforeAll(async () => {
    analyzer = await LocalAnalyzer.create();
    report = await evaluateLiveness(analyzer, DEFAULTS, { facesDir: FACES_DIR, people: PEOPLE, turnAngles: [40], heldPictures: ['silentface_image_F1.jpg'] });
  }, 120_000);
  afterAll(async () => {
    await analyzer?.close();
  });

  const attack = (kind: string) => report.attacks.find((a) => a.kind === kind)!;

  it('runs one live session per person, and each attack kind on the same persons', () => {
    expect(report.modelVersion).toEqual(expect.any(String));
    expect(report.config).toEqual({
      livenessThreshold: DEFAULTS.livenessThreshold,
      livenessQuartileThreshold: DEFAULTS.livenessQuartileThreshold,
      minParallax: DEFAULTS.challenge.minParallax,
      turnDegrees: DEFAULTS.challenge.turnDegrees,
    });
    expect(report.bonaFide).toMatchObject({ kind: 'live', sessions: PEOPLE });
    expect(report.attacks.map((a) => [a.kind, a.sessions])).toEqual([
      ['injected-still', PEOPLE],
      ['looped-clip', PEOPLE],
      ['turned-picture', PEOPLE],
      ['turned-picture-close', PEOPLE],
      ['print-or-screen', 1],
    ]);
  });

  it('an injected still is refused as a replay for every person; a looped recording of a live session is never accepted', () => {
    expect(attack('injected-still')).toMatchObject({ accepted: 0, apcer: 0, refused: PEOPLE, codes: { FACE_REPLAY_SUSPECTED: PEOPLE } });
    const looped = attack('looped-clip');
    expect(looped).toMatchObject({ accepted: 0, apcer: 0, refused: PEOPLE });
    // The loop plays the live session's own frames: where that session passed, only the repeat can
    // refuse it (where it did not, the loop fails the same way before it starts again).
    expect(report.bonaFide.accepted).toBeGreaterThan(0);
    expect(looped.codes.FACE_REPLAY_SUSPECTED).toBeGreaterThanOrEqual(report.bonaFide.accepted);
  });

  it('every rate is its count over the sessions, and every refusal has its code', () => {
    const b = report.bonaFide;
    expect(b.bpcer).toBe(b.refused / b.sessions);
    expect(b.accepted + b.refused).toBe(b.sessions);
    expect(Object.values(b.codes).reduce((x, y) => x + y, 0)).toBe(b.refused);
    for (const a of report.attacks) {
      expect(a.apcer, a.kind).toBe(a.accepted / a.sessions);
      expect(a.accepted + a.refused, a.kind).toBe(a.sessions);
      expect(
        Object.values(a.codes).reduce((x, y) => x + y, 0),
        a.kind,
      ).toBe(a.refused);
    }
  });

  it('reports the live single stills by their passive score only, not as sessions', () => {
    const stills = report.passiveStills.find((p) => p.kind === 'live-still-samples')!;
    expect(stills).toMatchObject({ presentation: 'bona-fide', passiveOnly: true, stills: 4 });
    expect(stills).not.toHaveProperty('sessions');
    expect(stills.calledLive).toBe(stills.scores.filter((s) => s.liveness !== null && s.liveness >= DEFAULTS.livenessThreshold).length);
    expect(stills.scores.map((s) => s.file)).toContain('vietmoney_true_003.png');
  });
});
