import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { facesAvailable, lfwImage, LFW_DIR, SPOOF_DIR } from '../../fixtures/faces';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const estation = async (args: string[]) =>
  JSON.parse((await run(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root, timeout: 600_000, maxBuffer: 16 << 20 })).stdout);

describe.skipIf(!facesAvailable)('estation face … (needs ../shared/faces)', () => {
  it('face detect finds one face with 68 landmarks and timings', async () => {
    const r = await estation(['face', 'detect', lfwImage('Tony_Blair', 18), '--json']);
    expect(r.faces.length).toBeGreaterThanOrEqual(1);
    expect(r.main.landmarks68).toHaveLength(68);
    expect(r.timingsMs.detect).toBeGreaterThan(0);
  });

  it('face compare decides at the configured threshold', async () => {
    const same = await estation(['face', 'compare', lfwImage('Tony_Blair', 18), lfwImage('Tony_Blair', 32), '--json']);
    const diff = await estation(['face', 'compare', lfwImage('Tony_Blair', 18), lfwImage('Silvio_Berlusconi', 6), '--json']);
    expect(same).toMatchObject({ threshold: 0.41, samePerson: true });
    expect(diff.samePerson).toBe(false);
  });

  it('face liveness calls a printed photo an attack', async () => {
    const r = await estation(['face', 'liveness', path.join(SPOOF_DIR, 'silentface_image_F1.jpg'), '--json']);
    expect(r.live).toBe(false);
  });

  it('face eval on lfw-dev reaches at least 99.0% (reference pipeline: 99.42% on the full protocol)', async () => {
    const r = await estation(['face', 'eval', '--pairs', path.join(LFW_DIR, 'pairs.txt'), '--images', LFW_DIR, '--json']);
    expect(r.pairs).toBe(1200);
    expect(r.folds).toBe(2);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(r.eer).toBeLessThan(0.02);
    expect(r.tarAtFar[0]).toMatchObject({ far: 0.001, tar: null });
  }, 600_000);
});
