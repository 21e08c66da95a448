/**
 * The terminal's side of a staged update (issue 19 item 5): installed releases side by side, a
 * `current` link the launcher starts, and a trial after each switch.
 *
 *   stage     a package (.tar.gz) whose SHA-256 and Ed25519 signature (the fleet's release key)
 *             check out is unpacked into releases/<version>/, which must say it is that version
 *   switch    `current` points at the new release; the old one is kept as `previous`; a trial
 *             starts with a deadline (the health window)
 *   commit    the new version came up, passed its self-tests and reached the fleet server
 *             (it says so by writing trial-ok/<version>; the launcher commits)
 *   rollback  the new version crashed or the window passed without that word: `current` goes
 *             back to the previous release and the version is recorded as failed: it is never
 *             installed again automatically (a terminal that fetched the same bad update forever
 *             is a known failure of other fleets)
 *
 * State lives in updates/state.json, written to a temporary file and renamed, and the link is
 * replaced by rename too: a power cut at any moment leaves either the old or the new state.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { releaseVersionSchema } from '../bridge/contract/fleet';

const run = promisify(execFile);

export class UpdateError extends Error {
  constructor(
    readonly code:
      | 'UPDATE_SIZE_MISMATCH'
      | 'UPDATE_HASH_MISMATCH'
      | 'UPDATE_SIGNATURE_INVALID'
      | 'UPDATE_PACKAGE_INVALID'
      | 'UPDATE_VERSION_FAILED'
      | 'UPDATE_NOT_STAGED'
      | 'UPDATE_TRIAL_RUNNING'
      | 'UPDATE_NO_PREVIOUS'
      | 'UPDATE_DOWNLOAD_FAILED',
    message: string,
  ) {
    super(message);
  }
}

export interface SlotState {
  current: string | null;
  previous: string | null;
  trial: { version: string; since: string; deadline: string } | null;
  /** Versions that failed here, with why: never installed again automatically. */
  failed: Record<string, string>;
}

export interface PackageRef {
  version: string;
  size: number;
  sha256: string;
  /** Ed25519 over the package's SHA-256 digest (32 bytes), base64. */
  signature: string;
}

const VERSION = { test: (v: string) => releaseVersionSchema.safeParse(v).success };
export const RELEASE_FILE = 'estation-release.json';
/** The program a release starts, relative to its directory, unless its release file names another. */
export const DEFAULT_ENTRY = 'bin/estation.js';

export interface ReleaseInfo {
  version: string;
  /** Relative to the release directory; never leaves it. */
  entry: string;
  /**
   * How the launcher starts the entry: `node` runs it as a script with the launcher's own Node
   * (this checkout's bin/estation.js); `exec` runs it as the program itself (a packaged Electron
   * shell, whose binary carries its own runtime). Default `node`.
   */
  runtime: 'node' | 'exec';
}

/**
 * Reads and checks a release file in `dir`: its version, an entry that stays inside the release
 * and is a file there (executable for `exec`), and a known runtime.
 */
export function readRelease(dir: string): ReleaseInfo {
  let raw: { version?: unknown; entry?: unknown; runtime?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, RELEASE_FILE), 'utf8')) as typeof raw;
  } catch (err) {
    throw new UpdateError('UPDATE_PACKAGE_INVALID', `no readable ${RELEASE_FILE}: ${(err as Error).message.slice(0, 200)}`);
  }
  if (typeof raw.version !== 'string' || !VERSION.test(raw.version)) throw new UpdateError('UPDATE_PACKAGE_INVALID', `release file has no valid version`);
  const entry = typeof raw.entry === 'string' ? raw.entry : DEFAULT_ENTRY;
  if (path.isAbsolute(entry) || entry.split(/[\\/]/).includes('..'))
    throw new UpdateError('UPDATE_PACKAGE_INVALID', `entry ${entry.slice(0, 80)} leaves the release`);
  const runtime = raw.runtime ?? 'node';
  if (runtime !== 'node' && runtime !== 'exec') throw new UpdateError('UPDATE_PACKAGE_INVALID', `unknown runtime ${String(runtime).slice(0, 40)}`);
  const stat = fs.statSync(path.join(dir, entry), { throwIfNoEntry: false });
  if (!stat?.isFile()) throw new UpdateError('UPDATE_PACKAGE_INVALID', `the package has no program at ${entry.slice(0, 80)}`);
  if (runtime === 'exec' && (stat.mode & 0o100) === 0)
    throw new UpdateError('UPDATE_PACKAGE_INVALID', `${entry.slice(0, 80)} is not executable (runtime exec)`);
  return { version: raw.version, entry, runtime };
}

export class UpdateSlots {
  readonly dir: string;
  constructor(
    dir: string,
    private readonly publicKeyPem: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = dir;
    fs.mkdirSync(path.join(dir, 'releases'), { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(dir, 'trial-ok'), { recursive: true, mode: 0o700 });
  }

  state(): SlotState {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8')) as SlotState;
    } catch {
      return { current: null, previous: null, trial: null, failed: {} };
    }
  }

  private write(s: SlotState): void {
    const file = path.join(this.dir, 'state.json');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  private link(version: string): void {
    const target = path.join('releases', version);
    const tmp = path.join(this.dir, `current.${process.pid}.tmp`);
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, path.join(this.dir, 'current'));
  }

  releaseDir(version: string): string {
    return path.join(this.dir, 'releases', version);
  }

  /** What a staged release says of itself (its release file, checked when it was staged). */
  release(version: string): ReleaseInfo {
    return readRelease(this.releaseDir(version));
  }

  /** The directory the launcher starts (through the `current` link). */
  currentDir(): string | null {
    const s = this.state();
    return s.current ? path.join(this.dir, 'current') : null;
  }

  /** Records a release that is already on disk (the one installed with the terminal) as current. */
  adopt(version: string): void {
    if (!VERSION.test(version) || !fs.existsSync(this.releaseDir(version))) throw new UpdateError('UPDATE_NOT_STAGED', `no release ${version}`);
    this.link(version);
    this.write({ ...this.state(), current: version });
  }

  /** Checks a downloaded package and unpacks it beside the others. */
  async stage(pkg: PackageRef, file: string): Promise<string> {
    if (!VERSION.test(pkg.version)) throw new UpdateError('UPDATE_PACKAGE_INVALID', `not a version: ${JSON.stringify(pkg.version).slice(0, 50)}`);
    const failed = this.state().failed[pkg.version];
    if (failed) throw new UpdateError('UPDATE_VERSION_FAILED', `${pkg.version} failed here before (${failed}); it is not installed again automatically`);
    const bytes = fs.readFileSync(file);
    if (bytes.length !== pkg.size) throw new UpdateError('UPDATE_SIZE_MISMATCH', `package is ${bytes.length} bytes, the job says ${pkg.size}`);
    const digest = createHash('sha256').update(bytes).digest();
    if (digest.toString('hex') !== pkg.sha256.toLowerCase()) throw new UpdateError('UPDATE_HASH_MISMATCH', 'package SHA-256 differs from the job');
    let good = false;
    try {
      good = verify(null, digest, createPublicKey(this.publicKeyPem), Buffer.from(pkg.signature, 'base64'));
    } catch {
      good = false;
    }
    if (!good) throw new UpdateError('UPDATE_SIGNATURE_INVALID', 'package signature does not verify with the fleet release key');
    // The listing first: no absolute path and no way out of the release directory.
    const { stdout } = await run('tar', ['-tzf', file], { maxBuffer: 16 * 1024 * 1024 });
    const entries = stdout.split('\n').filter(Boolean);
    if (!entries.length || entries.some((e) => e.startsWith('/') || e.split('/').includes('..')))
      throw new UpdateError('UPDATE_PACKAGE_INVALID', 'package lists an absolute path or ..');
    const dest = this.releaseDir(pkg.version);
    const tmp = `${dest}.staging`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
    try {
      await run('tar', ['-xzf', file, '-C', tmp, '--no-same-owner', '--no-same-permissions']);
      const release = readRelease(tmp);
      if (release.version !== pkg.version) throw new UpdateError('UPDATE_PACKAGE_INVALID', `package says version ${release.version}, the job ${pkg.version}`);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (err instanceof UpdateError) throw err;
      throw new UpdateError('UPDATE_PACKAGE_INVALID', `cannot unpack: ${(err as Error).message.slice(0, 200)}`);
    }
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
    return dest;
  }

  /** Points `current` at a staged version and starts its trial. */
  switchTo(version: string, windowSeconds: number): SlotState {
    const s = this.state();
    if (s.trial) throw new UpdateError('UPDATE_TRIAL_RUNNING', `${s.trial.version} is still on trial`);
    if (s.failed[version]) throw new UpdateError('UPDATE_VERSION_FAILED', `${version} failed here before`);
    if (!fs.existsSync(path.join(this.releaseDir(version), RELEASE_FILE))) throw new UpdateError('UPDATE_NOT_STAGED', `${version} is not staged`);
    const since = this.now();
    fs.rmSync(path.join(this.dir, 'trial-ok', version), { force: true });
    const next: SlotState = {
      ...s,
      current: version,
      previous: s.current,
      trial: { version, since: since.toISOString(), deadline: new Date(since.getTime() + windowSeconds * 1000).toISOString() },
    };
    // State first, then the link: after a cut in between, the launcher sees a trial and checks it.
    this.write(next);
    this.link(version);
    return next;
  }

  /** Written by the new version once it is healthy (self-tests passed, fleet server reached). */
  reportHealthy(version: string): void {
    fs.writeFileSync(path.join(this.dir, 'trial-ok', version), this.now().toISOString(), { mode: 0o600 });
  }

  trialPassed(version: string): boolean {
    return fs.existsSync(path.join(this.dir, 'trial-ok', version));
  }

  commit(): SlotState {
    const s = this.state();
    if (!s.trial) return s;
    const next = { ...s, trial: null };
    this.write(next);
    return next;
  }

  rollback(reason: string): SlotState {
    const s = this.state();
    if (!s.trial) return s;
    if (!s.previous) throw new UpdateError('UPDATE_NO_PREVIOUS', 'nothing to roll back to');
    const next: SlotState = { current: s.previous, previous: null, trial: null, failed: { ...s.failed, [s.trial.version]: reason.slice(0, 200) } };
    this.write(next);
    this.link(s.previous);
    return next;
  }
}
