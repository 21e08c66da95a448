/**
 * Rollouts on the fleet server (issue 19 item 5): signed releases it serves, and rollouts of one
 * release to a group's terminals in waves. The planner (fleet/rollout.ts) decides; this keeps its
 * state in the store, sends each wave's jobs (QoS 1, one id per terminal and rollout, so a repeat
 * is the same job), takes the terminals' answers, and counts a job that outlived its expiry
 * without an answer as failed. Store writes happen one after another (`serial`), so answers that
 * arrive together never overwrite each other's state.
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  FINAL_UPDATE_STATES,
  devTopics,
  releaseVersionSchema,
  type FleetUpdateCancel,
  type FleetUpdateJob,
  type FleetUpdateResult,
} from '../main/bridge/contract/fleet';
import { newRollout, nextWave, record, summary, validatePolicy, type RolloutPolicy, type RolloutState, type TerminalUpdateState } from './rollout';
import { FleetError } from './server';
import type { FleetDb } from './store';

export interface RolloutDeps {
  db: FleetDb;
  now: () => Date;
  publish(topic: string, body: unknown): Promise<void>;
  changed(): void;
  /** Where terminals fetch packages: `${base}/releases/<version>.tar.gz`. */
  packageBaseUrl(): string | null;
  /** The fleet's release public key (PEM): a package whose signature does not verify is refused here already. */
  releaseKeyPem: string | null;
  /** Where release files live; a release names a file inside it. */
  releasesDir: string;
}

export interface StartRollout {
  version: string;
  /** A group's terminals, or every terminal when null. */
  group: string | null;
  policy: RolloutPolicy;
  /** The terminal's health window after the switch. */
  windowSeconds: number;
  /** How long a terminal may take (lock, download, trial) before its job counts as failed. */
  jobTtlSeconds: number;
}

export interface RolloutView {
  id: string;
  version: string;
  group: string | null;
  policy: RolloutPolicy;
  windowSeconds: number;
  waves: number[];
  aborted: boolean;
  summary: ReturnType<typeof summary>;
  terminals: { id: string; state: TerminalUpdateState; last: FleetUpdateResult | null }[];
  createdAt: string;
  updatedAt: string;
}

const FINAL: readonly string[] = FINAL_UPDATE_STATES;
/** A target's row: the job as sent, its last answer, and whether the server gave up waiting. */
type ReportBody = { job: FleetUpdateJob; last: FleetUpdateResult | null; expired?: boolean };
const PACKAGE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}\.tar\.gz$/;

/** The planner's word for a terminal's final answer. */
const OUTCOME: Record<string, Exclude<TerminalUpdateState, 'pending' | 'sent'>> = {
  committed: 'committed',
  'rolled-back': 'rolled-back',
  refused: 'refused',
  failed: 'failed',
  cancelled: 'cancelled',
};

export class Rollouts {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: RolloutDeps) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Registers a signed package that is in the releases directory (put there by the release pipeline). */
  async addRelease(input: { version: string; file: string; signature: string }): Promise<{ version: string; size: number; sha256: string }> {
    if (!releaseVersionSchema.safeParse(input.version).success) throw new FleetError('FLEET_RELEASE_INVALID', 'not a version');
    if (!PACKAGE_FILE.test(input.file)) throw new FleetError('FLEET_RELEASE_INVALID', 'the file must be a name.tar.gz inside the releases directory');
    const file = path.join(this.d.releasesDir, input.file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      throw new FleetError('FLEET_RELEASE_INVALID', `no file ${input.file} in the releases directory`);
    }
    const digest = createHash('sha256').update(bytes).digest();
    if (!this.d.releaseKeyPem) throw new FleetError('FLEET_RELEASE_KEY_MISSING', 'the fleet server has no release key to check packages with');
    let good = false;
    try {
      good = verify(null, digest, createPublicKey(this.d.releaseKeyPem), Buffer.from(input.signature, 'base64'));
    } catch {
      good = false;
    }
    if (!good) throw new FleetError('FLEET_RELEASE_SIGNATURE_INVALID', 'the signature does not verify with the fleet release key');
    const row = {
      version: input.version,
      file: input.file,
      size: bytes.length,
      sha256: digest.toString('hex'),
      signature: input.signature,
      created_at: this.d.now().toISOString(),
    };
    await this.d.db
      .insertInto('release')
      .values(row)
      .onConflict((oc) => oc.column('version').doUpdateSet(row))
      .execute();
    return { version: row.version, size: row.size, sha256: row.sha256 };
  }

  /** The package file of a registered release (for the HTTP download), or null. */
  async packageFile(version: string): Promise<string | null> {
    if (!releaseVersionSchema.safeParse(version).success) return null;
    const r = await this.d.db.selectFrom('release').select('file').where('version', '=', version).executeTakeFirst();
    return r ? path.join(this.d.releasesDir, r.file) : null;
  }

  async start(input: StartRollout): Promise<string> {
    const problems = validatePolicy(input.policy).map((p) => ({ key: p.split(':')[0]!, expected: p }));
    if (!Number.isInteger(input.windowSeconds) || input.windowSeconds < 5 || input.windowSeconds > 3600)
      problems.push({ key: 'windowSeconds', expected: '5 to 3600' });
    if (!Number.isInteger(input.jobTtlSeconds) || input.jobTtlSeconds < 30 || input.jobTtlSeconds > 7 * 86_400)
      problems.push({ key: 'jobTtlSeconds', expected: '30 to 604800' });
    if (problems.length) throw new FleetError('FLEET_ROLLOUT_INVALID', 'the rollout is not valid', problems);
    const release = await this.d.db.selectFrom('release').select('version').where('version', '=', input.version).executeTakeFirst();
    if (!release) throw new FleetError('FLEET_UNKNOWN_RELEASE', `no release ${input.version.slice(0, 40)} is registered`);
    let q = this.d.db.selectFrom('terminal').select('id').orderBy('id');
    if (input.group !== null) q = q.where('grp', '=', input.group);
    const targets = (await q.execute()).map((t) => t.id);
    if (!targets.length) throw new FleetError('FLEET_ROLLOUT_INVALID', 'the group has no terminals', [{ key: 'group', expected: 'a group with terminals' }]);
    const id = randomBytes(6).toString('hex');
    const at = this.d.now().toISOString();
    await this.serial(async () => {
      await this.d.db
        .insertInto('rollout')
        .values({
          id,
          version: input.version,
          grp: input.group,
          policy: JSON.stringify({ ...input.policy, jobTtlSeconds: input.jobTtlSeconds }),
          window_seconds: input.windowSeconds,
          state: JSON.stringify(newRollout(targets)),
          aborted: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await this.advance(id);
    });
    return id;
  }

  /**
   * Stops sending, and recalls the jobs already out: a terminal that has not switched yet drops its
   * job and answers `cancelled`; one that switched already commits or rolls back by itself.
   */
  abort(id: string): Promise<void> {
    return this.serial(async () => {
      const row = await this.d.db.selectFrom('rollout').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new FleetError('FLEET_UNKNOWN_ROLLOUT', 'no such rollout');
      const before = JSON.parse(row.state) as RolloutState;
      const state = { ...before, aborted: true };
      await this.save(id, state);
      if (!before.aborted) await this.recall(row.id, row.version, state);
    });
  }

  /** The recall of every job of the rollout still out (QoS 1 on the job's own topic, so it follows the job). */
  private async recall(id: string, version: string, state: RolloutState): Promise<void> {
    const at = this.d.now().toISOString();
    for (const terminal of state.targets.filter((t) => state.states[t] === 'sent')) {
      const cancel: FleetUpdateCancel = { cancel: `${id}-${terminal}`, rolloutId: id, version, at };
      await this.d.publish(devTopics(terminal).update, cancel);
    }
  }

  private async save(id: string, state: RolloutState): Promise<void> {
    await this.d.db
      .updateTable('rollout')
      .set({ state: JSON.stringify(state), aborted: state.aborted ? 1 : 0, updated_at: this.d.now().toISOString() })
      .where('id', '=', id)
      .execute();
    this.d.changed();
  }

  /** The next wave if the planner says so; jobs for it go out. Runs inside `serial`. */
  private async advance(id: string): Promise<void> {
    const row = await this.d.db.selectFrom('rollout').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const policy = JSON.parse(row.policy) as RolloutPolicy & { jobTtlSeconds: number };
    const before = JSON.parse(row.state) as RolloutState;
    const { state, send } = nextWave(before, policy);
    await this.save(id, state);
    // Failures passed the policy's share: the rest of this wave is recalled too.
    if (state.aborted && !before.aborted) await this.recall(id, row.version, state);
    if (!send.length) return;
    const release = await this.d.db.selectFrom('release').selectAll().where('version', '=', row.version).executeTakeFirstOrThrow();
    const base = this.d.packageBaseUrl();
    if (!base) throw new FleetError('FLEET_NO_PACKAGE_URL', 'the fleet server has no address for terminals to fetch packages from');
    const issued = this.d.now();
    for (const terminal of send) {
      const job: FleetUpdateJob = {
        id: `${id}-${terminal}`,
        rolloutId: id,
        version: release.version,
        size: Number(release.size),
        sha256: release.sha256,
        signature: release.signature,
        url: `${base}/releases/${encodeURIComponent(release.version)}.tar.gz`,
        windowSeconds: row.window_seconds,
        issuedAt: issued.toISOString(),
        expiresAt: new Date(issued.getTime() + policy.jobTtlSeconds * 1000).toISOString(),
      };
      await this.d.db
        .insertInto('rollout_report')
        .values({
          rollout_id: id,
          terminal_id: terminal,
          state: 'sent',
          body: JSON.stringify({ job, last: null } satisfies ReportBody),
          received_at: issued.toISOString(),
        })
        .onConflict((oc) =>
          oc.columns(['rollout_id', 'terminal_id']).doUpdateSet({ state: 'sent', body: JSON.stringify({ job, last: null } satisfies ReportBody) }),
        )
        .execute();
      await this.d.publish(devTopics(terminal).update, job);
    }
  }

  /** A terminal's answer on update/res (already parsed): progress is kept, an end moves the rollout on. */
  onResult(terminalId: string, r: FleetUpdateResult): Promise<void> {
    return this.serial(async () => {
      const row = await this.d.db.selectFrom('rollout').selectAll().where('id', '=', r.rolloutId).executeTakeFirst();
      if (!row || r.id !== `${row.id}-${terminalId}` || r.version !== row.version) return;
      const state = JSON.parse(row.state) as RolloutState;
      if (state.states[terminalId] !== 'sent') return; // not ours, or already ended: a late repeat changes nothing
      const rep = await this.d.db
        .selectFrom('rollout_report')
        .select('body')
        .where('rollout_id', '=', row.id)
        .where('terminal_id', '=', terminalId)
        .executeTakeFirst();
      if (!rep) return;
      const { job } = JSON.parse(rep.body) as ReportBody;
      await this.d.db
        .updateTable('rollout_report')
        .set({ state: r.state, body: JSON.stringify({ job, last: r } satisfies ReportBody), received_at: this.d.now().toISOString() })
        .where('rollout_id', '=', row.id)
        .where('terminal_id', '=', terminalId)
        .execute();
      if (!FINAL.includes(r.state)) return void this.d.changed();
      await this.save(row.id, record(state, terminalId, OUTCOME[r.state]!));
      await this.advance(row.id);
    });
  }

  /** Jobs past their expiry with no end count as failed (a terminal that died mid-update); then the rollouts move on. */
  expire(): Promise<void> {
    return this.serial(async () => {
      const now = this.d.now();
      // Aborted rollouts too (a recalled job whose terminal never answered still ends, as failed),
      // as long as one of their jobs can still be out: jobs live at most 7 days after the last change.
      const cutoff = new Date(now.getTime() - 8 * 86_400_000).toISOString();
      const open = await this.d.db
        .selectFrom('rollout')
        .selectAll()
        .where((eb) => eb.or([eb('aborted', '=', 0), eb('updated_at', '>=', cutoff)]))
        .execute();
      for (const row of open) {
        let state = JSON.parse(row.state) as RolloutState;
        const sent = state.targets.filter((t) => state.states[t] === 'sent');
        if (!sent.length) continue;
        const reports = await this.d.db.selectFrom('rollout_report').selectAll().where('rollout_id', '=', row.id).execute();
        let changed = false;
        for (const rep of reports) {
          if (state.states[rep.terminal_id] !== 'sent') continue;
          const { job } = JSON.parse(rep.body) as ReportBody;
          if (Date.parse(job.expiresAt) > now.getTime()) continue;
          state = record(state, rep.terminal_id, 'failed');
          await this.d.db
            .updateTable('rollout_report')
            .set({ state: 'failed', body: JSON.stringify({ job, last: null, expired: true } satisfies ReportBody) })
            .where('rollout_id', '=', row.id)
            .where('terminal_id', '=', rep.terminal_id)
            .execute();
          changed = true;
        }
        if (changed) {
          await this.save(row.id, state);
          await this.advance(row.id);
        }
      }
    });
  }

  async list(): Promise<RolloutView[]> {
    const rows = await this.d.db.selectFrom('rollout').selectAll().orderBy('created_at', 'desc').limit(20).execute();
    // The reports of all listed rollouts in one query (the console asks at every change).
    const reports = rows.length
      ? await this.d.db
          .selectFrom('rollout_report')
          .select(['rollout_id', 'terminal_id', 'body'])
          .where(
            'rollout_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    const out: RolloutView[] = [];
    for (const row of rows) {
      const state = JSON.parse(row.state) as RolloutState;
      const last = new Map(reports.filter((r) => r.rollout_id === row.id).map((r) => [r.terminal_id, (JSON.parse(r.body) as ReportBody).last]));
      const { jobTtlSeconds: _ttl, ...policy } = JSON.parse(row.policy) as RolloutPolicy & { jobTtlSeconds: number };
      out.push({
        id: row.id,
        version: row.version,
        group: row.grp,
        policy,
        windowSeconds: row.window_seconds,
        waves: state.waves,
        aborted: state.aborted,
        summary: summary(state),
        terminals: state.targets.map((id) => ({ id, state: state.states[id]!, last: last.get(id) ?? null })),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      });
    }
    return out;
  }
}
