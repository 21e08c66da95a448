/**
 * The terminal's update jobs without a broker: a real package served over HTTP on 127.0.0.1, real
 * update slots, the terminal's SQLite database. The update lock holds a job back while a payment
 * is under way; copies of one job arriving together make one download and one switch; a repeat
 * after the end gets the stored answer; a version that failed here is refused; an oversized or
 * unsigned package is refused and nothing switches.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetUpdateJob, FleetUpdateResult } from '../bridge/contract/fleet';
import { systemClock } from '../ground/clock';
import { createLogger } from '../ground/logger';
import { openDatabase } from '../store/database';
import { RELEASE_FILE, UpdateSlots } from './slots';
import { Updater, type UpdaterDeps } from './updater';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-updater-'));
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
let server: http.Server;
let base: string;
const requests: string[] = [];
const packages = new Map<string, Buffer>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = packages.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(root, { recursive: true, force: true });
});

function makeJob(version: string, opts: { key?: typeof privateKey; ttlMs?: number; windowSeconds?: number } = {}): FleetUpdateJob {
  const src = fs.mkdtempSync(path.join(root, `src-${version}-`));
  fs.writeFileSync(path.join(src, RELEASE_FILE), JSON.stringify({ version, entry: 'start.mjs' }));
  fs.writeFileSync(path.join(src, 'start.mjs'), 'setInterval(() => {}, 1000);');
  const file = path.join(root, `${version}-${Math.random().toString(36).slice(2)}.tar.gz`);
  execFileSync('tar', ['-czf', file, '-C', src, '.']);
  const bytes = fs.readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest();
  const url = `/releases/${path.basename(file)}`;
  packages.set(url, bytes);
  const now = Date.now();
  return {
    id: `job-${version}-${Math.random().toString(36).slice(2, 10)}`,
    rolloutId: 'rollout0001',
    version,
    size: bytes.length,
    sha256: digest.toString('hex'),
    signature: sign(null, digest, opts.key ?? privateKey).toString('base64'),
    url: `${base}${url}`,
    windowSeconds: opts.windowSeconds ?? 60,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (opts.ttlMs ?? 60_000)).toISOString(),
  };
}

function setup(over: Partial<UpdaterDeps> = {}) {
  const dir = fs.mkdtempSync(path.join(root, 'term-'));
  const slots = new UpdateSlots(path.join(dir, 'updates'), pub);
  fs.mkdirSync(slots.releaseDir('1.0.0'), { recursive: true });
  fs.writeFileSync(path.join(slots.releaseDir('1.0.0'), RELEASE_FILE), JSON.stringify({ version: '1.0.0', entry: 'start.mjs' }));
  fs.writeFileSync(path.join(slots.releaseDir('1.0.0'), 'start.mjs'), '');
  slots.adopt('1.0.0');
  const db = openDatabase(path.join(dir, 'estation.sqlite'));
  const published: FleetUpdateResult[] = [];
  let restarts = 0;
  const waiters: (() => void)[] = [];
  const updater = new Updater({
    slots,
    disabled: null,
    version: '1.0.0',
    db,
    clock: systemClock,
    log: createLogger({ level: 'error', sinks: [] }),
    lockedBy: () => null,
    workingDevices: async () => ['printer'],
    healthy: async () => ({ ok: true }),
    restartIntoCurrent: () => void restarts++,
    publish: (r) => {
      published.push(r);
      for (const w of waiters.splice(0)) w();
    },
    pollMs: 10,
    ...over,
  });
  /** Resolves when a result with `state` has been published. */
  const until = (state: FleetUpdateResult['state']) =>
    new Promise<FleetUpdateResult>((resolve) => {
      const look = () => {
        const r = published.find((p) => p.state === state);
        if (r) resolve(r);
        else waiters.push(look);
      };
      look();
    });
  return { slots, db, updater, published, until, restarts: () => restarts };
}

describe('update jobs on the terminal', () => {
  it('waits while a payment holds the update lock, says so once, then downloads, stages and switches', async () => {
    let holder: string | null = 'a payment';
    const t = setup({ lockedBy: () => holder });
    const job = makeJob('1.1.0');
    const done = t.updater.handle(job);
    const waiting = await t.until('waiting');
    expect(waiting).toMatchObject({ state: 'waiting', detail: 'a payment' });
    // Held: nothing fetched, nothing staged, still 1.0.0.
    expect(requests.filter((r) => r === new URL(job.url).pathname)).toHaveLength(0);
    expect(t.slots.state().current).toBe('1.0.0');
    holder = null;
    await done;
    expect(t.published.map((p) => p.state)).toEqual(['waiting', 'downloading', 'switching']);
    expect(t.slots.state()).toMatchObject({ current: '1.1.0', previous: '1.0.0', trial: { version: '1.1.0' } });
    expect(t.restarts()).toBe(1);
  });

  it('a job whose lock is held until it expires fails as expired and switches nothing', async () => {
    const t = setup({ lockedBy: () => 'a print' });
    const r = await t.updater.handle(makeJob('1.1.1', { ttlMs: 200 })).then(() => t.until('failed'));
    expect(r.error?.code).toBe('UPDATE_EXPIRED');
    expect(t.slots.state()).toMatchObject({ current: '1.0.0', trial: null });
    expect(t.restarts()).toBe(0);
  });

  it('a job recalled while it waits for the lock is dropped and answered cancelled: nothing fetched, nothing switched, a repeat gets the same answer', async () => {
    const t = setup({ lockedBy: () => 'a payment' });
    const job = makeJob('1.1.2');
    const done = t.updater.handle(job);
    await t.until('waiting');
    t.updater.cancel({ cancel: job.id, rolloutId: job.rolloutId, version: job.version, at: new Date().toISOString() });
    await done;
    expect(t.published.map((p) => p.state)).toEqual(['waiting', 'cancelled']);
    expect(t.published[1]!.detail).toBe('recalled while waiting for the update lock');
    expect(requests.filter((r) => r === new URL(job.url).pathname)).toHaveLength(0);
    expect(t.slots.state()).toMatchObject({ current: '1.0.0', trial: null });
    await t.updater.handle(job);
    expect(t.published.map((p) => p.state)).toEqual(['waiting', 'cancelled', 'cancelled']);
    expect(t.restarts()).toBe(0);
  });

  it('a recall that arrives before its job is kept: the job arriving late is answered cancelled and never runs', async () => {
    const t = setup();
    const job = makeJob('1.1.3');
    t.updater.cancel({ cancel: job.id, rolloutId: job.rolloutId, version: job.version, at: new Date().toISOString() });
    await t.updater.handle(job);
    expect(t.published.map((p) => [p.state, p.id])).toEqual([
      ['cancelled', job.id],
      ['cancelled', job.id],
    ]);
    expect(requests.filter((r) => r === new URL(job.url).pathname)).toHaveLength(0);
    expect(t.restarts()).toBe(0);
  });

  it('a recall after the switch changes nothing: the health window decides', async () => {
    const t = setup();
    const job = makeJob('1.1.4');
    await t.updater.handle(job);
    expect(t.published.map((p) => p.state)).toEqual(['downloading', 'switching']);
    t.updater.cancel({ cancel: job.id, rolloutId: job.rolloutId, version: job.version, at: new Date().toISOString() });
    expect(t.published.map((p) => p.state)).toEqual(['downloading', 'switching']);
    expect(t.slots.state()).toMatchObject({ current: '1.1.4', trial: { version: '1.1.4' } });
  });

  it('a customer stepping up while the package comes: the lock is waited for again and the staged package is not fetched twice', async () => {
    // Free, then taken once the download has begun, then free again.
    let holder: string | null = null;
    const t = setup({ lockedBy: () => holder });
    const job = makeJob('1.1.5');
    const path_ = new URL(job.url).pathname;
    const done = t.updater.handle(job);
    await t.until('downloading');
    holder = 'a face session';
    await t.until('waiting');
    holder = null;
    await done;
    expect(t.published.map((p) => p.state)).toEqual(['downloading', 'waiting', 'switching']);
    expect(requests.filter((r) => r === path_)).toHaveLength(1);
    expect(t.restarts()).toBe(1);
  });

  it('eight copies of one job arriving together make one download and one switch; a repeat later gets the stored answer', async () => {
    const t = setup();
    const job = makeJob('1.2.0');
    const path_ = new URL(job.url).pathname;
    await Promise.all(Array.from({ length: 8 }, () => t.updater.handle({ ...job })));
    expect(requests.filter((r) => r === path_)).toHaveLength(1);
    expect(t.restarts()).toBe(1);
    expect(t.published.filter((p) => p.state === 'switching')).toHaveLength(1);
  });

  it('after the switch the new version checks itself, tells the launcher, and reports committed once the launcher commits', async () => {
    const t = setup();
    const job = makeJob('1.3.0');
    await t.updater.handle(job);
    // The next process: the same database and slots, version 1.3.0; the launcher commits when it sees trial-ok.
    const next = new Updater({
      ...depsOf(t),
      version: '1.3.0',
      healthy: async (before) => {
        expect(before).toEqual(['printer']);
        return { ok: true };
      },
    });
    const launcher = setInterval(() => {
      if (t.slots.trialPassed('1.3.0')) t.slots.commit();
    }, 10);
    await next.resume();
    clearInterval(launcher);
    expect(t.published.at(-1)).toMatchObject({ id: job.id, state: 'committed' });
    // A repeat of the job now: the stored answer, nothing new.
    const count = t.published.length;
    await next.handle(job);
    expect(t.published).toHaveLength(count + 1);
    expect(t.published.at(-1)).toMatchObject({ id: job.id, state: 'committed' });
  });

  it('an unhealthy new version does not tell the launcher (its window ends it), and the previous version reports the rollback', async () => {
    const t = setup();
    // A 5 s window: the new version keeps checking itself until the window is nearly over, then gives up.
    const job = makeJob('1.4.0', { windowSeconds: 5 });
    await t.updater.handle(job);
    let checks = 0;
    const next = new Updater({ ...depsOf(t), version: '1.4.0', healthy: async () => (checks++, { ok: false, why: 'self-tests failed: printer' }) });
    await next.resume();
    expect(checks).toBeGreaterThan(1);
    expect(t.slots.trialPassed('1.4.0')).toBe(false);
    t.slots.rollback('no health report within the window');
    const previous = new Updater({ ...depsOf(t), version: '1.0.0' });
    await previous.resume();
    expect(t.published.at(-1)).toMatchObject({
      id: job.id,
      state: 'rolled-back',
      error: { code: 'UPDATE_ROLLED_BACK', message: 'no health report within the window' },
    });
    // The same version again: refused, never installed again automatically.
    await previous.handle(makeJob('1.4.0'));
    expect(t.published.at(-1)).toMatchObject({ state: 'refused', error: { code: 'UPDATE_VERSION_FAILED' } });
  });

  it('refuses a forged package (UPDATE_SIGNATURE_INVALID) and a package longer than its job says, and switches nothing', async () => {
    const t = setup();
    await t.updater.handle(makeJob('1.5.0', { key: generateKeyPairSync('ed25519').privateKey }));
    expect(t.published.at(-1)).toMatchObject({ state: 'failed', error: { code: 'UPDATE_SIGNATURE_INVALID' } });
    const long = makeJob('1.5.1');
    await t.updater.handle({ ...long, id: 'job-short-size-1', size: long.size - 10 });
    expect(t.published.at(-1)).toMatchObject({ state: 'failed', error: { code: 'UPDATE_SIZE_MISMATCH' } });
    expect(t.slots.state()).toMatchObject({ current: '1.0.0', trial: null });
    expect(t.restarts()).toBe(0);
  });

  it('a terminal without the launcher refuses jobs with the reason', async () => {
    const t = setup({ slots: null, disabled: { code: 'UPDATE_NO_LAUNCHER', message: 'not started by estation launch' } });
    await t.updater.handle(makeJob('1.6.0'));
    expect(t.published.at(-1)).toMatchObject({ state: 'refused', error: { code: 'UPDATE_NO_LAUNCHER' } });
  });
});

function depsOf(t: ReturnType<typeof setup>): UpdaterDeps {
  return {
    slots: t.slots,
    disabled: null,
    version: '1.0.0',
    db: t.db,
    clock: systemClock,
    log: createLogger({ level: 'error', sinks: [] }),
    lockedBy: () => null,
    workingDevices: async () => [],
    healthy: async () => ({ ok: true }),
    restartIntoCurrent: () => undefined,
    publish: (r) => t.published.push(r),
    pollMs: 10,
  };
}
