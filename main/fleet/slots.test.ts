/**
 * Staged updates on the terminal with real package files: .tar.gz made by tar(1), signed with an
 * Ed25519 key, unpacked, switched by a link, and started as real child processes: a good release
 * commits, one that crashes and one that never reports are rolled back, and a failed version is
 * refused afterwards.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RELEASE_FILE, UpdateSlots, type PackageRef } from './slots';
import { runTrial } from './launcher';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-slots-'));
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A release package: its entry start.mjs does what `behaviour` says. */
function makePackage(
  version: string,
  behaviour: 'healthy' | 'crash' | 'silent',
  opts: { claim?: string; key?: typeof privateKey; extra?: string; runtime?: string; mode?: number } = {},
) {
  const src = fs.mkdtempSync(path.join(root, `src-${version}-`));
  fs.writeFileSync(
    path.join(src, RELEASE_FILE),
    JSON.stringify({ version: opts.claim ?? version, entry: 'start.mjs', ...(opts.runtime ? { runtime: opts.runtime } : {}) }),
  );
  const body = {
    healthy: `import fs from 'node:fs'; import path from 'node:path';
      fs.writeFileSync(path.join(process.env.UPDATES_DIR, 'trial-ok', ${JSON.stringify(version)}), new Date().toISOString());
      setInterval(() => {}, 1000);`,
    crash: `console.error('boom'); process.exit(3);`,
    silent: `setInterval(() => {}, 1000);`,
  }[behaviour];
  fs.writeFileSync(path.join(src, 'start.mjs'), body, { mode: opts.mode ?? 0o644 });
  if (opts.extra) fs.writeFileSync(path.join(src, opts.extra), 'x');
  const file = path.join(root, `estation-${version}-${behaviour}.tar.gz`);
  execFileSync('tar', ['-czf', file, '-C', src, '.']);
  const bytes = fs.readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest();
  const ref: PackageRef = {
    version,
    size: bytes.length,
    sha256: digest.toString('hex'),
    signature: sign(null, digest, opts.key ?? privateKey).toString('base64'),
  };
  return { file, ref };
}

function slotsWith(installed: string): UpdateSlots {
  const dir = fs.mkdtempSync(path.join(root, 'updates-'));
  const slots = new UpdateSlots(dir, pub);
  fs.mkdirSync(slots.releaseDir(installed), { recursive: true });
  fs.writeFileSync(path.join(slots.releaseDir(installed), RELEASE_FILE), JSON.stringify({ version: installed, entry: 'start.mjs' }));
  fs.writeFileSync(path.join(slots.releaseDir(installed), 'start.mjs'), 'setInterval(() => {}, 1000);');
  slots.adopt(installed);
  return slots;
}

const starter = (slots: UpdateSlots) => (dir: string) => {
  const c = spawn(process.execPath, [path.join(dir, 'start.mjs')], { env: { ...process.env, UPDATES_DIR: slots.dir }, stdio: 'ignore' });
  children.push(c);
  return c;
};

describe('staged update on the terminal', () => {
  it('a good release is staged, switched to, reports healthy and is committed; the old one stays as previous', async () => {
    const slots = slotsWith('1.0.0');
    const { file, ref } = makePackage('1.1.0', 'healthy');
    await slots.stage(ref, file);
    slots.switchTo('1.1.0', 30);
    expect(fs.readlinkSync(path.join(slots.dir, 'current'))).toBe(path.join('releases', '1.1.0'));
    const r = await runTrial(slots, starter(slots), { pollMs: 20 });
    expect(r).toMatchObject({ outcome: 'committed', version: '1.1.0' });
    expect(slots.state()).toEqual({ current: '1.1.0', previous: '1.0.0', trial: null, failed: {} });
  });

  it('a release that crashes on start is rolled back at once, the previous one is started again, and the version is never staged again', async () => {
    const slots = slotsWith('1.0.0');
    const bad = makePackage('1.2.0', 'crash');
    await slots.stage(bad.ref, bad.file);
    slots.switchTo('1.2.0', 60);
    const started = Date.now();
    const r = await runTrial(slots, starter(slots), { pollMs: 20 });
    expect(r).toMatchObject({ outcome: 'rolled-back', version: '1.2.0', reason: 'crashed on trial (exit code 3)' });
    // Well inside the 60 s window: the crash, not the deadline, decided.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(slots.state()).toMatchObject({ current: '1.0.0', trial: null, failed: { '1.2.0': 'crashed on trial (exit code 3)' } });
    expect(fs.readlinkSync(path.join(slots.dir, 'current'))).toBe(path.join('releases', '1.0.0'));
    expect(r.child?.exitCode).toBeNull(); // the previous release runs
    await expect(slots.stage(bad.ref, bad.file)).rejects.toMatchObject({ code: 'UPDATE_VERSION_FAILED' });
    expect(() => slots.switchTo('1.2.0', 60)).toThrow(expect.objectContaining({ code: 'UPDATE_VERSION_FAILED' }));
  });

  it('a release that never reports healthy is stopped and rolled back when its window ends', async () => {
    const slots = slotsWith('1.0.0');
    const { file, ref } = makePackage('1.3.0', 'silent');
    await slots.stage(ref, file);
    slots.switchTo('1.3.0', 1);
    const r = await runTrial(slots, starter(slots), { pollMs: 20 });
    expect(r).toMatchObject({ outcome: 'rolled-back', reason: 'no health report within the window' });
    expect(slots.state().current).toBe('1.0.0');
  });

  it('refuses a package with the wrong size, hash, signature, version or a path out of its directory, and stages nothing', async () => {
    const slots = slotsWith('1.0.0');
    const good = makePackage('2.0.0', 'healthy');
    await expect(slots.stage({ ...good.ref, size: good.ref.size + 1 }, good.file)).rejects.toMatchObject({ code: 'UPDATE_SIZE_MISMATCH' });
    await expect(slots.stage({ ...good.ref, sha256: '0'.repeat(64) }, good.file)).rejects.toMatchObject({ code: 'UPDATE_HASH_MISMATCH' });
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = makePackage('2.0.0', 'healthy', { key: other });
    await expect(slots.stage(forged.ref, forged.file)).rejects.toMatchObject({ code: 'UPDATE_SIGNATURE_INVALID' });
    const liar = makePackage('2.0.1', 'healthy', { claim: '9.9.9' });
    await expect(slots.stage(liar.ref, liar.file)).rejects.toMatchObject({ code: 'UPDATE_PACKAGE_INVALID' });
    await expect(slots.stage({ ...good.ref, version: '../../etc' }, good.file)).rejects.toMatchObject({ code: 'UPDATE_PACKAGE_INVALID' });
    // A tarball that lists ../ (made by hand: tar(1) strips it when packing)
    const evil = path.join(root, 'evil.tar.gz');
    const dir = fs.mkdtempSync(path.join(root, 'evil-'));
    fs.mkdirSync(path.join(dir, 'a'));
    fs.writeFileSync(path.join(dir, 'x'), 'x');
    execFileSync('tar', ['-czf', evil, '-C', path.join(dir, 'a'), '../x']);
    const bytes = fs.readFileSync(evil);
    const digest = createHash('sha256').update(bytes).digest();
    await expect(
      slots.stage({ version: '2.0.2', size: bytes.length, sha256: digest.toString('hex'), signature: sign(null, digest, privateKey).toString('base64') }, evil),
    ).rejects.toMatchObject({ code: 'UPDATE_PACKAGE_INVALID' });
    expect(fs.readdirSync(path.join(slots.dir, 'releases')).sort()).toEqual(['1.0.0']);
    expect(slots.state()).toEqual({ current: '1.0.0', previous: null, trial: null, failed: {} });
  });

  it('a release that is its own program (runtime exec, as the packaged Electron shell) is staged only with an executable entry and a known runtime', async () => {
    const slots = slotsWith('1.0.0');
    const notExecutable = makePackage('4.0.0', 'healthy', { runtime: 'exec', mode: 0o644 });
    await expect(slots.stage(notExecutable.ref, notExecutable.file)).rejects.toMatchObject({
      code: 'UPDATE_PACKAGE_INVALID',
      message: expect.stringContaining('not executable'),
    });
    const unknown = makePackage('4.0.1', 'healthy', { runtime: 'python' });
    await expect(slots.stage(unknown.ref, unknown.file)).rejects.toMatchObject({
      code: 'UPDATE_PACKAGE_INVALID',
      message: expect.stringContaining('unknown runtime'),
    });
    const program = makePackage('4.0.2', 'healthy', { runtime: 'exec', mode: 0o755 });
    await slots.stage(program.ref, program.file);
    expect(slots.release('4.0.2')).toEqual({ version: '4.0.2', entry: 'start.mjs', runtime: 'exec' });
    // A release file without a runtime is a script for the launcher's Node, as before.
    expect(slots.release('1.0.0')).toEqual({ version: '1.0.0', entry: 'start.mjs', runtime: 'node' });
    expect(fs.readdirSync(path.join(slots.dir, 'releases')).sort()).toEqual(['1.0.0', '4.0.2']);
  });

  it('no second switch while a trial runs', async () => {
    const slots = slotsWith('1.0.0');
    for (const v of ['3.0.0', '3.0.1']) {
      const p = makePackage(v, 'healthy');
      await slots.stage(p.ref, p.file);
    }
    slots.switchTo('3.0.0', 60);
    expect(() => slots.switchTo('3.0.1', 60)).toThrow(expect.objectContaining({ code: 'UPDATE_TRIAL_RUNNING' }));
  });
});
