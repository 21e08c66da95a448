/**
 * The durable outbox. A request is written here, with its business record, in one SQLite
 * transaction before any network I/O; every msgid is journalled before it is sent. States:
 *
 *   pending          waiting to be sent (or re-sent after a definitive "not applied")
 *   sending          a msgid is out; after a crash this means "outcome unknown"
 *   done             applied exactly once
 *   failed-business  the platform refused it (infcode -2): not applied
 *   unknown          may have been applied: must be reversed (2601) before anything else
 *   reversed         an unknown attempt was reversed; the item goes back to pending
 *   needs-attention  a person must decide (refused deferred settlement, tampering, …)
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database';
import type { Clock } from '../ground/clock';
import type { RowMac } from '../store/row-mac';
import type { PersonalData } from '../store/personal-data';

export type OutboxState = 'pending' | 'sending' | 'done' | 'failed-business' | 'unknown' | 'reversed' | 'needs-attention';
export const TERMINAL_STATES: readonly OutboxState[] = ['done', 'failed-business', 'needs-attention'];

export interface OutboxItem<P = unknown, R = unknown> {
  seq: number;
  itemId: string;
  kind: string;
  psnKey: string;
  state: OutboxState;
  reason: string | null;
  attempts: number;
  nextAttemptAt: number;
  payload: P;
  result: R | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  seq: number;
  item_id: string;
  kind: string;
  psn_key: string;
  state: OutboxState;
  reason: string | null;
  attempts: number;
  next_attempt_at: number;
  payload: string;
  result: string | null;
  created_at: string;
  updated_at: string;
  hmac: string;
}

export interface JournalRow {
  msgid: string;
  item_id: string;
  infno: string;
  psn_no: string;
  outcome: 'sent' | 'ok' | 'business-error' | 'unreachable' | 'unknown' | 'reversed' | 'not-applied';
  detail: string | null;
  setl_id: string | null;
  sent_at: string;
  updated_at: string;
  hmac: string;
}

/** Whether a process on this machine is alive (the data directory is local to the terminal). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class OutboxError extends Error {
  constructor(
    readonly code: 'OUTBOX_TAMPERED' | 'OUTBOX_NO_ITEM' | 'OUTBOX_BAD_TRANSITION',
    message: string,
  ) {
    super(message);
    this.name = 'OutboxError';
  }
}

/** Open and due now (bound: the time), and no earlier item of the same person still open. */
const DUE = `o.state IN ('pending', 'sending', 'unknown', 'reversed') AND o.next_attempt_at <= ?
  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.psn_key = o.psn_key AND e.seq < o.seq AND e.state IN ('pending', 'sending', 'unknown', 'reversed'))`;

const ROW_FIELDS = (r: Row) => [
  r.item_id,
  r.kind,
  r.psn_key,
  r.state,
  r.reason,
  r.attempts,
  r.next_attempt_at,
  r.payload,
  r.result,
  r.created_at,
  r.updated_at,
];
const JOURNAL_FIELDS = (j: JournalRow) => [j.msgid, j.item_id, j.infno, j.psn_no, j.outcome, j.detail, j.setl_id, j.sent_at, j.updated_at];

export class Outbox {
  /** Called after every change (enqueue or state change), e.g. to publish the queue status. */
  onChange: (() => void) | null = null;
  private readonly insertRow;
  private readonly updateRow;

  constructor(
    readonly db: Db,
    private readonly mac: RowMac,
    private readonly clock: Clock,
    /** Payloads and results carry ID numbers, names and phone numbers: sealed at rest. */
    private readonly personal: PersonalData,
  ) {
    this.insertRow = db.prepare(
      'INSERT INTO outbox(item_id, kind, psn_key, state, reason, attempts, next_attempt_at, payload, result, created_at, updated_at, hmac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.updateRow = db.prepare(
      'UPDATE outbox SET state = ?, reason = ?, attempts = ?, next_attempt_at = ?, result = ?, updated_at = ?, hmac = ? WHERE item_id = ?',
    );
  }

  /** The row as an item, with the payload and result it is given (opened, or not). */
  private static item<P, R>(r: Row, payload: P, result: R | null): OutboxItem<P, R> {
    return {
      seq: r.seq,
      itemId: r.item_id,
      kind: r.kind,
      psnKey: r.psn_key,
      state: r.state,
      reason: r.reason,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      payload,
      result,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private toItem<P, R>(r: Row): OutboxItem<P, R> {
    if (!this.mac.verify('outbox', ROW_FIELDS(r), r.hmac)) throw new OutboxError('OUTBOX_TAMPERED', `outbox row ${r.item_id} does not match its HMAC`);
    return Outbox.item(r, this.personal.openJson<P>(r.payload), r.result === null ? null : this.personal.openJson<R>(r.result));
  }

  private unverified(r: Row): OutboxItem {
    let payload: unknown = null;
    try {
      payload = this.personal.openJson(r.payload);
    } catch {
      payload = null;
    }
    return Outbox.item(r, payload, null);
  }

  private write(r: Omit<Row, 'seq' | 'hmac'>, insert: boolean): void {
    const hmac = this.mac.sign('outbox', ROW_FIELDS(r as Row));
    if (insert)
      this.insertRow.run(r.item_id, r.kind, r.psn_key, r.state, r.reason, r.attempts, r.next_attempt_at, r.payload, r.result, r.created_at, r.updated_at, hmac);
    else this.updateRow.run(r.state, r.reason, r.attempts, r.next_attempt_at, r.result, r.updated_at, hmac, r.item_id);
    this.onChange?.();
  }

  /**
   * Records a request. `withRecord` runs in the same SQLite transaction, so the business record
   * and the outbox row are durable together or not at all.
   */
  enqueue<P>(kind: string, psnKey: string, payload: P, withRecord?: (itemId: string) => void): OutboxItem<P> {
    const itemId = randomUUID();
    const now = this.clock.nowIso();
    const row = {
      item_id: itemId,
      kind,
      psn_key: psnKey,
      state: 'pending' as const,
      reason: null,
      attempts: 0,
      next_attempt_at: 0,
      payload: this.personal.sealJson(payload),
      result: null,
      created_at: now,
      updated_at: now,
    };
    if (withRecord) {
      this.db.transaction(() => {
        this.write(row, true);
        withRecord(itemId);
      })();
    } else this.write(row, true);
    const seq = (this.db.prepare('SELECT seq FROM outbox WHERE item_id = ?').get(itemId) as { seq: number }).seq;
    return { seq, itemId, kind, psnKey, state: 'pending', reason: null, attempts: 0, nextAttemptAt: 0, payload, result: null, createdAt: now, updatedAt: now };
  }

  get<P = unknown, R = unknown>(itemId: string): OutboxItem<P, R> {
    const r = this.db.prepare('SELECT * FROM outbox WHERE item_id = ?').get(itemId) as Row | undefined;
    if (!r) throw new OutboxError('OUTBOX_NO_ITEM', `no outbox item ${itemId}`);
    return this.toItem<P, R>(r);
  }

  /** Changes an item's state (and whatever else is given), re-signing the row. */
  update<R>(
    itemId: string,
    change: { state: OutboxState; reason?: string | null; attempts?: number; nextAttemptAt?: number; result?: R | null },
  ): OutboxItem<unknown, R> {
    const r = this.db.prepare('SELECT * FROM outbox WHERE item_id = ?').get(itemId) as Row | undefined;
    if (!r) throw new OutboxError('OUTBOX_NO_ITEM', `no outbox item ${itemId}`);
    this.toItem(r);
    this.write(
      {
        ...r,
        state: change.state,
        reason: change.reason === undefined ? r.reason : change.reason,
        attempts: change.attempts ?? r.attempts,
        next_attempt_at: change.nextAttemptAt ?? r.next_attempt_at,
        result: change.result === undefined ? r.result : change.result === null ? null : this.personal.sealJson(change.result),
        updated_at: this.clock.nowIso(),
      },
      false,
    );
    return this.get<unknown, R>(itemId);
  }

  /**
   * Items the drainer may work on now, oldest first, at most one per person: a person's later
   * items wait while an earlier one is not finished (and above all while one is unknown).
   */
  due(now: number, limit = 50): OutboxItem[] {
    const rows = this.db.prepare(`SELECT o.* FROM outbox o WHERE ${DUE} ORDER BY o.seq LIMIT ?`).all(now, limit) as Row[];
    return rows.map((r) => this.dueOrQuarantined(r)).filter((i): i is OutboxItem => i !== null);
  }

  /** The item if the drainer may work on it now under the same rule as `due`, else null. */
  dueItem(itemId: string, now: number): OutboxItem | null {
    const r = this.db.prepare(`SELECT o.* FROM outbox o WHERE ${DUE} AND o.item_id = ?`).get(now, itemId) as Row | undefined;
    return r ? this.dueOrQuarantined(r) : null;
  }

  /** A row that fails its HMAC is never sent: it goes to a person, marked as such. */
  private dueOrQuarantined(r: Row): OutboxItem | null {
    try {
      return this.toItem(r);
    } catch (err) {
      if (!(err instanceof OutboxError)) throw err;
      this.db.prepare("UPDATE outbox SET state = 'needs-attention', reason = 'OUTBOX_TAMPERED' WHERE item_id = ?").run(r.item_id);
      return null;
    }
  }

  list(filter: { states?: OutboxState[]; kind?: string } = {}): OutboxItem[] {
    const rows = this.db.prepare('SELECT * FROM outbox ORDER BY seq').all() as Row[];
    return rows
      .filter((r) => (!filter.states || filter.states.includes(r.state)) && (!filter.kind || r.kind === filter.kind))
      .map((r) => {
        try {
          return this.toItem(r);
        } catch {
          // Shown to a person as tampered, never acted on.
          return { ...this.unverified(r), state: 'needs-attention' as const, reason: 'OUTBOX_TAMPERED' };
        }
      });
  }

  counts(): Record<OutboxState, number> {
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: OutboxState; n: number }[];
    const c = { pending: 0, sending: 0, done: 0, 'failed-business': 0, unknown: 0, reversed: 0, 'needs-attention': 0 };
    for (const r of rows) c[r.state] = r.n;
    return c;
  }

  /** Journals a msgid before it is sent. */
  journalSend(msgid: string, itemId: string, infno: string, psnNo: string): void {
    const now = this.clock.nowIso();
    const j: JournalRow = {
      msgid,
      item_id: itemId,
      infno,
      psn_no: psnNo,
      outcome: 'sent',
      detail: null,
      setl_id: null,
      sent_at: now,
      updated_at: now,
      hmac: '',
    };
    this.db
      .prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(j.msgid, j.item_id, j.infno, j.psn_no, j.outcome, j.detail, j.setl_id, j.sent_at, j.updated_at, this.mac.sign('journal', JOURNAL_FIELDS(j)));
  }

  journalOutcome(msgid: string, outcome: JournalRow['outcome'], detail: string | null = null, setlId: string | null = null): void {
    const j = this.db.prepare('SELECT * FROM journal WHERE msgid = ?').get(msgid) as JournalRow | undefined;
    if (!j) throw new OutboxError('OUTBOX_NO_ITEM', `no journal entry ${msgid}`);
    if (!this.mac.verify('journal', JOURNAL_FIELDS(j), j.hmac)) throw new OutboxError('OUTBOX_TAMPERED', `journal ${msgid} does not match its HMAC`);
    const next: JournalRow = { ...j, outcome, detail, setl_id: setlId ?? j.setl_id, updated_at: this.clock.nowIso() };
    this.db
      .prepare('UPDATE journal SET outcome = ?, detail = ?, setl_id = ?, updated_at = ?, hmac = ? WHERE msgid = ?')
      .run(next.outcome, next.detail, next.setl_id, next.updated_at, this.mac.sign('journal', JOURNAL_FIELDS(next)), msgid);
  }

  journalFor(itemId: string): JournalRow[] {
    return this.db.prepare('SELECT * FROM journal WHERE item_id = ? ORDER BY sent_at, rowid').all(itemId) as JournalRow[];
  }

  journalByMsgid(msgid: string): JournalRow | undefined {
    return this.db.prepare('SELECT * FROM journal WHERE msgid = ?').get(msgid) as JournalRow | undefined;
  }

  /**
   * One drainer per data directory: a lease in SQLite, renewed by each pass. A second process
   * (the CLI beside the running app) waits instead of racing for the same items; a holder that
   * died loses the lease when it expires, and its 'sending' items are then treated as unknown.
   */
  acquireLease(holder: string, ttlMs: number): boolean {
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const row = this.db.prepare("SELECT value FROM terminal_meta WHERE key = 'drainer_lease'").get() as { value: string } | undefined;
        const lease = row ? (JSON.parse(row.value) as { holder: string; until: number; pid: number }) : null;
        if (lease && lease.holder !== holder && lease.until > now && processAlive(lease.pid)) return false;
        this.db
          .prepare("INSERT INTO terminal_meta(key, value) VALUES ('drainer_lease', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
          .run(JSON.stringify({ holder, until: now + ttlMs, pid: process.pid }));
        return true;
      })
      .immediate();
  }

  releaseLease(holder: string): void {
    const row = this.db.prepare("SELECT value FROM terminal_meta WHERE key = 'drainer_lease'").get() as { value: string } | undefined;
    if (row && (JSON.parse(row.value) as { holder: string }).holder === holder) this.db.prepare("DELETE FROM terminal_meta WHERE key = 'drainer_lease'").run();
  }

  /** Checks every outbox and journal row's HMAC; returns the ones that fail. */
  verifyAll(): string[] {
    const bad: string[] = [];
    for (const r of this.db.prepare('SELECT * FROM outbox').all() as Row[])
      if (!this.mac.verify('outbox', ROW_FIELDS(r), r.hmac)) bad.push(`outbox:${r.item_id}`);
    for (const j of this.db.prepare('SELECT * FROM journal').all() as JournalRow[])
      if (!this.mac.verify('journal', JOURNAL_FIELDS(j), j.hmac)) bad.push(`journal:${j.msgid}`);
    return bad;
  }
}
