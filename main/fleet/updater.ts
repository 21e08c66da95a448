/**
 * The terminal's side of a rollout (issue 19 item 5): an update job arrives over MQTT, waits for
 * the update lock (no switch while a payment, an enrolment or a print is under way, nor while a
 * resident or customer is at the terminal), fetches the package, stages it in the update slots
 * (size, SHA-256 and the fleet's Ed25519 release key), switches `current` and asks its launcher to
 * start the new version. The job's end is told by whichever version runs next:
 *
 *   the new version      passes its self-tests with the fleet server reachable, says so to the
 *                        launcher (trial-ok), and once the launcher committed, reports `committed`
 *   the previous version (the new one crashed or stayed silent, and the launcher rolled back)
 *                        finds the version in the failed list and reports `rolled-back`
 *
 * Jobs are kept in the terminal's own database, so a repeat (QoS 1 redelivery, a restart, the
 * server sending again) gets the same answer and nothing is installed twice. A version that failed
 * here is refused, never retried automatically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FINAL_UPDATE_STATES, type FleetUpdateCancel, type FleetUpdateJob, type FleetUpdateResult } from '../bridge/contract/fleet';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { migrateModule, type Db } from '../store/database';
import { UpdateError, type UpdateSlots } from './slots';

export interface UpdaterDeps {
  /** Null when this terminal takes no updates (no launcher, or no release key configured): jobs are refused with why. */
  slots: UpdateSlots | null;
  /** Why updates are off (UPDATE_NOT_CONFIGURED, UPDATE_NO_LAUNCHER), when slots is null. */
  disabled: { code: string; message: string } | null;
  /** The version this process runs. */
  version: string;
  db: Db;
  clock: Clock;
  log: Logger;
  /** What holds the update lock now (a word, nothing personal), or null when it is free. */
  lockedBy(): string | null;
  /** Devices whose self-test passes now: recorded at the switch, so the new version is held to what the old one had. */
  workingDevices(): Promise<string[]>;
  /**
   * The new version's own check before it says it is healthy: the devices that worked before the
   * switch pass their self-tests, and the fleet server is reached.
   */
  healthy(before: string[]): Promise<{ ok: boolean; why?: string }>;
  /** Asks the launcher to stop this process and start `current` (the host exits with the restart code). */
  restartIntoCurrent(): void;
  publish(result: FleetUpdateResult): void;
  /** How often the lock and the launcher's commit are looked at again. */
  pollMs?: number;
  fetch?: typeof fetch;
}

type Row = { id: string; version: string; job: string; state: string; result: string | null; working_devices: string | null };

const migrations = [
  {
    version: 1,
    name: 'update jobs',
    sql: `CREATE TABLE fleet_update (
            id TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            job TEXT NOT NULL,
            state TEXT NOT NULL,
            result TEXT,
            working_devices TEXT,
            updated_at TEXT NOT NULL) STRICT;`,
  },
];

const FINAL: readonly string[] = FINAL_UPDATE_STATES;

export class Updater {
  private readonly running = new Map<string, Promise<void>>();
  /** Jobs recalled by the server while they run: dropped at their next step before the switch. */
  private readonly recalled = new Set<string>();
  private readonly pollMs: number;
  private stopped = false;

  constructor(private readonly d: UpdaterDeps) {
    migrateModule(d.db, 'fleet_update', migrations);
    this.pollMs = d.pollMs ?? 1000;
  }

  private row(id: string): Row | undefined {
    return this.d.db.prepare('SELECT id, version, job, state, result, working_devices FROM fleet_update WHERE id = ?').get(id) as Row | undefined;
  }

  private report(job: FleetUpdateJob, state: FleetUpdateResult['state'], extra: { detail?: string | null; error?: FleetUpdateResult['error'] } = {}): void {
    const result: FleetUpdateResult = {
      id: job.id,
      rolloutId: job.rolloutId,
      version: job.version,
      state,
      detail: extra.detail ?? null,
      error: extra.error ?? null,
      at: this.d.clock.nowIso(),
    };
    this.d.db
      .prepare('UPDATE fleet_update SET state = ?, result = ?, updated_at = ? WHERE id = ?')
      .run(state, FINAL.includes(state) || state === 'switching' ? JSON.stringify(result) : null, result.at, job.id);
    this.d.log.info('fleet.update', { id: job.id, version: job.version, state, code: result.error?.code ?? null });
    this.d.publish(result);
  }

  /** A job from the fleet server: run once; a repeat gets the stored answer, or nothing while it runs. */
  handle(job: FleetUpdateJob): Promise<void> {
    const known = this.row(job.id);
    if (known?.result && FINAL.includes(known.state)) {
      this.d.publish(JSON.parse(known.result) as FleetUpdateResult);
      return Promise.resolve();
    }
    if (known?.state === 'switching') return this.resume();
    const inFlight = this.running.get(job.id);
    if (inFlight) return inFlight;
    if (!known) this.insertJob(job);
    const p = this.execute(job)
      .catch((err: unknown) => {
        const e = err as { code?: string; message?: string };
        this.report(job, 'failed', { error: { code: e.code ?? 'UPDATE_FAILED', message: (e.message ?? String(err)).slice(0, 2000) } });
      })
      .finally(() => {
        this.running.delete(job.id);
        this.recalled.delete(job.id);
      });
    this.running.set(job.id, p);
    return p;
  }

  /** Remembers a job as received: the row its later states and its result are kept in. */
  private insertJob(job: FleetUpdateJob): void {
    this.d.db
      .prepare('INSERT INTO fleet_update (id, version, job, state, updated_at) VALUES (?, ?, ?, ?, ?)')
      .run(job.id, job.version, JSON.stringify(job), 'received', this.d.clock.nowIso());
  }

  /**
   * The server recalls a job (its rollout was aborted). Before the switch it is dropped and
   * answered `cancelled`, at once when it is not running, else at its next step (the lock loop
   * looks every poll). A job that switched already is left to its health window; a job that ended
   * gets its stored answer again; a job not seen yet is recorded as cancelled, so if it arrives
   * late it is answered `cancelled` and never run.
   */
  cancel(c: FleetUpdateCancel): void {
    const known = this.row(c.cancel);
    if (!known) {
      const job = { id: c.cancel, rolloutId: c.rolloutId, version: c.version } as FleetUpdateJob;
      this.insertJob(job);
      return this.report(job, 'cancelled', { detail: 'recalled before it arrived' });
    }
    if (known.result && FINAL.includes(known.state)) return this.d.publish(JSON.parse(known.result) as FleetUpdateResult);
    if (known.state === 'switching') return;
    if (this.running.has(c.cancel)) {
      this.recalled.add(c.cancel);
      return;
    }
    this.report(JSON.parse(known.job) as FleetUpdateJob, 'cancelled', { detail: 'recalled before it ran' });
  }

  /** True (and answered) when the server recalled the job: the caller stops before anything else. */
  private dropIfRecalled(job: FleetUpdateJob, step: string): boolean {
    if (!this.recalled.delete(job.id)) return false;
    this.report(job, 'cancelled', { detail: `recalled ${step}` });
    return true;
  }

  private async execute(job: FleetUpdateJob): Promise<void> {
    const slots = this.d.slots;
    if (!slots) return this.report(job, 'refused', { error: this.d.disabled ?? { code: 'UPDATE_NOT_CONFIGURED', message: 'this terminal takes no updates' } });
    const s = slots.state();
    const failedBefore = s.failed[job.version];
    if (failedBefore)
      return this.report(job, 'refused', { error: { code: 'UPDATE_VERSION_FAILED', message: `${job.version} failed here before (${failedBefore})` } });
    if (s.current === job.version && !s.trial && this.d.version === job.version)
      return this.report(job, 'committed', { detail: 'already running this version' });
    if (s.trial) return this.report(job, 'refused', { error: { code: 'UPDATE_TRIAL_RUNNING', message: `${s.trial.version} is still on trial` } });
    const expires = Date.parse(job.expiresAt);
    // Lock, package, lock again: a customer may step up while the package comes; then the lock is
    // waited for once more, with the package already staged (it is not fetched twice).
    let staged = false;
    for (;;) {
      if (!(await this.waitForLock(job, expires))) return;
      if (!staged) {
        this.report(job, 'downloading');
        const file = await this.download(job, slots, expires);
        try {
          if (this.dropIfRecalled(job, 'after the download, before staging')) return;
          await slots.stage(job, file);
        } finally {
          fs.rmSync(file, { force: true });
        }
        staged = true;
      }
      if (!this.d.lockedBy()) break;
    }
    if (this.dropIfRecalled(job, 'before the switch')) return;
    const working = await this.d.workingDevices();
    this.d.db.prepare('UPDATE fleet_update SET working_devices = ? WHERE id = ?').run(JSON.stringify(working), job.id);
    slots.switchTo(job.version, job.windowSeconds);
    this.report(job, 'switching');
    this.d.restartIntoCurrent();
  }

  /**
   * Waits until nothing holds the update lock, looking every poll (each turn awaits; the job's
   * expiry ends it). False, with the job answered, when it was recalled or expired meanwhile.
   */
  private async waitForLock(job: FleetUpdateJob, expires: number): Promise<boolean> {
    let told: string | null = null;
    for (;;) {
      if (this.stopped) return false;
      if (this.dropIfRecalled(job, 'while waiting for the update lock')) return false;
      if (this.d.clock.now() >= expires) {
        this.report(job, 'failed', { error: { code: 'UPDATE_EXPIRED', message: `the update lock was held until the job expired at ${job.expiresAt}` } });
        return false;
      }
      const holder = this.d.lockedBy();
      if (!holder) return true;
      if (holder !== told) this.report(job, 'waiting', { detail: holder });
      told = holder;
      await new Promise((r) => setTimeout(r, Math.min(this.pollMs, Math.max(1, expires - this.d.clock.now()))));
    }
  }

  /** Fetches the package into the slots' directory, never more than the job's size, within the job's time. */
  private async download(job: FleetUpdateJob, slots: UpdateSlots, expires: number): Promise<string> {
    const dir = path.join(slots.dir, 'downloads');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${job.version}.tar.gz`);
    const timeout = Math.max(1000, Math.min(10 * 60_000, expires - this.d.clock.now()));
    let res: Response;
    try {
      res = await (this.d.fetch ?? fetch)(job.url, { signal: AbortSignal.timeout(timeout), redirect: 'error' });
    } catch (err) {
      throw new UpdateError('UPDATE_DOWNLOAD_FAILED', `cannot fetch the package: ${(err as Error).message.slice(0, 200)}`);
    }
    if (!res.ok || !res.body) throw new UpdateError('UPDATE_DOWNLOAD_FAILED', `the package server answered ${res.status}`);
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > job.size)
      throw new UpdateError('UPDATE_SIZE_MISMATCH', `the server offers ${declared} bytes, the job says ${job.size}`);
    let size = 0;
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => {
      size += c.length;
      if (size > job.size) body.destroy(new UpdateError('UPDATE_SIZE_MISMATCH', `the package is longer than the job's ${job.size} bytes`));
    });
    try {
      await pipeline(body, fs.createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      fs.rmSync(file, { force: true });
      if (err instanceof UpdateError) throw err;
      throw new UpdateError('UPDATE_DOWNLOAD_FAILED', `the download broke off: ${(err as Error).message.slice(0, 200)}`);
    }
    return file;
  }

  /**
   * At each connection: jobs that switched (the process before us asked the launcher for the new
   * version) end here. If we are that version, we check ourselves and tell the launcher, then wait
   * for its commit; if the launcher rolled it back, we are the previous version and say so.
   */
  resume(): Promise<void> {
    const key = '(resume)';
    const inFlight = this.running.get(key);
    if (inFlight) return inFlight;
    const p = this.finishSwitched()
      .catch((err: unknown) => this.d.log.warn('fleet.update_resume_failed', { error: (err as Error).message }))
      .finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private async finishSwitched(): Promise<void> {
    const rows = this.d.db.prepare("SELECT id, version, job, state, result, working_devices FROM fleet_update WHERE state = 'switching'").all() as Row[];
    for (const row of rows) {
      const job = JSON.parse(row.job) as FleetUpdateJob;
      const slots = this.d.slots;
      const s = slots?.state();
      if (!slots || !s) {
        this.report(job, 'failed', { error: { code: 'UPDATE_NO_LAUNCHER', message: 'started without the launcher after the switch' } });
        continue;
      }
      const failed = s.failed[job.version];
      if (failed) {
        this.report(job, 'rolled-back', { error: { code: 'UPDATE_ROLLED_BACK', message: failed } });
        continue;
      }
      if (this.d.version !== job.version) continue; // the launcher has not started it yet
      if (s.trial?.version === job.version) {
        // The whole window to become healthy (devices still opening, a busy machine): checked again until it ends.
        const before = JSON.parse(row.working_devices ?? '[]') as string[];
        const windowEnds = Date.parse(s.trial.deadline);
        let check = await this.d.healthy(before);
        while (!check.ok && !this.stopped && this.d.clock.now() < windowEnds - 1000) {
          await new Promise((r) => setTimeout(r, Math.min(this.pollMs * 2, 2000, Math.max(1, windowEnds - this.d.clock.now()))));
          check = await this.d.healthy(before);
        }
        if (!check.ok) {
          // Not healthy: no word to the launcher; its window ends and it rolls back.
          this.d.log.warn('fleet.update_unhealthy', { version: job.version, why: check.why ?? null });
          continue;
        }
        slots.reportHealthy(job.version);
        const deadline = Date.parse(s.trial.deadline) + 5000;
        while (slots.state().trial && this.d.clock.now() < deadline && !this.stopped) await new Promise((r) => setTimeout(r, Math.min(this.pollMs, 250)));
      }
      const after = slots.state();
      if (!after.trial && after.current === job.version) this.report(job, 'committed');
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
