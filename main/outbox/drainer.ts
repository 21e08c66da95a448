/**
 * The one drainer. It takes due items oldest first, one per person, and delivers each exactly
 * once: an attempt whose outcome is unknown is never re-sent; it is reversed with 2601 (retried
 * until definitive) and only then redone with a fresh msgid. A circuit breaker stops hammering a
 * platform that is down; backoff has jitter so a fleet does not return in step.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { PlatformClient, Outcome } from '../platform/client';
import type { Outbox, OutboxItem } from './outbox';
import { fen } from '../bridge/contract/money';
import { pharmacyInput, settleInput, summaryOf, type SettlementPayload, type SettlementResult } from '../pharmacy/settlement';
import { recordInPlace, recordInput, type RecordPayload } from '../kiosk/record';

/** 2103 for a settlement of this terminal. */
export interface RefundPayload {
  saleItemId: string;
  setlId: string;
  mdtrtId: string;
  psnNo: string;
  insuplcAdmdvs: string;
}

export interface DrainerOptions {
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  random?: () => number;
}

type Breaker = { state: 'closed' | 'open' | 'half-open'; failures: number; openedAt: number };

const TRANSPORT = new Set(['PLATFORM_UNREACHABLE', 'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN', 'PLATFORM_CONNECTION_LOST', 'PLATFORM_HTTP_ERROR']);

export class Drainer extends EventEmitter<{ changed: [OutboxItem]; idle: [] }> {
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly breaker: Breaker = { state: 'closed', failures: 0, openedAt: 0 };
  private readonly o: Required<DrainerOptions>;

  constructor(
    private readonly outbox: Outbox,
    private readonly client: PlatformClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: DrainerOptions = {},
  ) {
    super();
    this.o = { backoffBaseMs: opts.backoffBaseMs ?? 1000, backoffMaxMs: opts.backoffMaxMs ?? 300_000, breakerThreshold: opts.breakerThreshold ?? 5, breakerCooldownMs: opts.breakerCooldownMs ?? 30_000, random: opts.random ?? Math.random };
  }

  get breakerState(): Breaker['state'] {
    return this.breaker.state;
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.min(attempts, 20));
    return this.clock.now() + Math.round(base * (0.5 + this.o.random() * 0.5));
  }

  private transport<T>(r: Outcome<T>): void {
    if (r.kind === 'ok' || r.kind === 'business-error' || !TRANSPORT.has(r.code)) {
      this.breaker.failures = 0;
      this.breaker.state = 'closed';
      return;
    }
    this.breaker.failures++;
    if (this.breaker.state === 'half-open' || this.breaker.failures >= this.o.breakerThreshold) {
      if (this.breaker.state !== 'open') this.log.warn('outbox.breaker_open', { failures: this.breaker.failures });
      this.breaker.state = 'open';
      this.breaker.openedAt = this.clock.now();
    }
  }

  /** Whether the breaker lets a request through now (moving open to half-open after the cooldown). */
  private allowed(): boolean {
    if (this.breaker.state === 'open' && this.clock.now() - this.breaker.openedAt >= this.o.breakerCooldownMs) this.breaker.state = 'half-open';
    return this.breaker.state !== 'open';
  }

  start(intervalMs = 2000): void {
    this.stop();
    const tick = () => {
      void this.drainOnce()
        .catch((err: Error) => this.log.error('outbox.drain_failed', { error: err.message }))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stops and waits for a pass in progress to finish (before the database closes). */
  async stopAndWait(): Promise<void> {
    this.stop();
    await this.running?.catch(() => undefined);
    this.outbox.releaseLease(this.holder);
  }

  /** One pass over the due items. Calls that arrive while a pass runs join it. */
  drainOnce(): Promise<number> {
    if (this.running) return this.running;
    // Clear `running` only after it has been set, even when the pass finishes synchronously.
    this.running = this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private readonly holder = `${process.pid}:${Math.random().toString(36).slice(2)}`;

  private async pass(): Promise<number> {
    if (!this.outbox.acquireLease(this.holder, 60_000)) return 0;
    let n = 0;
    for (;;) {
      const due = this.outbox.due(this.clock.now(), 20);
      if (!due.length) break;
      let progressed = false;
      for (const item of due) {
        if (!this.allowed() || !this.outbox.acquireLease(this.holder, 60_000)) return n;
        const before = item.state;
        const after = await this.work(item);
        n++;
        if (after.state !== before || after.state === 'done') progressed = true;
      }
      if (!progressed) break;
    }
    if (n) this.emit('idle');
    return n;
  }

  /** Drains until the item is no longer pending or sending (online checkout waits on this). */
  async settleNow(itemId: string, timeoutMs = 60_000): Promise<OutboxItem<SettlementPayload, SettlementResult>> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      await this.drainOnce();
      const item = this.outbox.get<SettlementPayload, SettlementResult>(itemId);
      if (!['pending', 'sending', 'reversed'].includes(item.state) || item.nextAttemptAt > this.clock.now() || this.clock.now() > deadline || this.breaker.state === 'open') return item;
    }
  }

  private changed(item: OutboxItem): OutboxItem {
    this.emit('changed', item);
    return item;
  }

  private async work(item: OutboxItem): Promise<OutboxItem> {
    if (item.kind === 'platform-record') return this.changed(await this.record(item as OutboxItem<RecordPayload>));
    if (item.kind === 'pharmacy-refund') {
      const rf = item as OutboxItem<RefundPayload>;
      if (rf.state === 'sending') return this.changed(this.recoverSending(rf, '2103'));
      if (rf.state === 'unknown') return this.changed(await this.reverseUnknown(rf as never, '2103'));
      return this.changed(await this.refund(rf));
    }
    if (item.kind !== 'pharmacy-settlement') {
      return this.changed(this.outbox.update(item.itemId, { state: 'needs-attention', reason: `OUTBOX_UNKNOWN_KIND: ${item.kind}` }));
    }
    const it = item as OutboxItem<SettlementPayload, SettlementResult>;
    if (it.state === 'sending') return this.changed(this.recoverSending(it, '2102'));
    if (it.state === 'unknown') return this.changed(await this.reverseUnknown(it, '2102'));
    return this.changed(await this.settle(it));
  }

  /** A 'sending' item seen here was in flight when the process died: its outcome is unknown. */
  private recoverSending(it: OutboxItem, infno: string): OutboxItem {
    const last = this.outbox.journalFor(it.itemId).filter((j) => j.infno === infno).at(-1);
    this.outbox.db.transaction(() => {
      if (last && last.outcome === 'sent') this.outbox.journalOutcome(last.msgid, 'unknown', 'in flight at a crash or restart');
      this.outbox.update(it.itemId, { state: 'unknown', reason: 'PLATFORM_OUTCOME_UNKNOWN_AFTER_RESTART' });
    })();
    this.log.warn('outbox.recovered_unknown', { item: it.itemId });
    return this.outbox.get(it.itemId);
  }

  /** 2103: cancels a settlement. Reversible like 2102, so an unknown outcome is reversed, then redone. */
  private async refund(it: OutboxItem<RefundPayload>): Promise<OutboxItem> {
    const p = it.payload;
    const msgid = this.client.nextMsgid();
    this.outbox.db.transaction(() => {
      this.outbox.journalSend(msgid, it.itemId, '2103', p.psnNo);
      this.outbox.update(it.itemId, { state: 'sending', reason: null, attempts: it.attempts + 1 });
    })();
    const r = await this.client.send('2103', { data: { setl_id: p.setlId, mdtrt_id: p.mdtrtId, psn_no: p.psnNo } }, { msgid, insuplcAdmdvs: p.insuplcAdmdvs });
    this.transport(r);
    if (r.kind === 'ok') {
      const s = r.output.setlinfo;
      return this.done(it, msgid, { setlId: s.setl_id ?? '', mdtrtId: s.mdtrt_id, msgid, split: summaryOf(s), settledAt: this.clock.nowIso() }, s.setl_id ?? null);
    }
    if (r.kind === 'business-error') return this.failedBusiness(it, msgid, r.message);
    return this.notAnswered(it, msgid, r);
  }

  /** Journals a final ok and stores the result, in one transaction. */
  private done(it: OutboxItem, msgid: string, result: unknown, ref: string | null = null): OutboxItem {
    this.outbox.db.transaction(() => {
      this.outbox.journalOutcome(msgid, 'ok', null, ref);
      this.outbox.update(it.itemId, { state: 'done', reason: null, result });
    })();
    return this.outbox.get(it.itemId);
  }

  /** Journals a refusal (infcode -2: nothing applied); the item is final. */
  private failedBusiness(it: OutboxItem, msgid: string, message: string): OutboxItem {
    this.outbox.db.transaction(() => {
      this.outbox.journalOutcome(msgid, 'business-error', message);
      this.outbox.update(it.itemId, { state: 'failed-business', reason: message });
    })();
    return this.outbox.get(it.itemId);
  }

  /**
   * Journals a send without a definite answer. Unreachable: nothing was delivered, this msgid is
   * spent, the item waits with backoff. Unknown: it may have been applied, so the item goes to
   * unknown and is resolved (reversal or query) before anything is sent again.
   */
  private notAnswered(it: OutboxItem, msgid: string, r: Extract<Outcome<unknown>, { kind: 'unreachable' | 'unknown' }>): OutboxItem {
    this.outbox.db.transaction(() => {
      if (r.kind === 'unreachable') {
        this.outbox.journalOutcome(msgid, 'unreachable', r.message);
        this.outbox.update(it.itemId, { state: 'pending', reason: r.code, nextAttemptAt: this.backoff(it.attempts) });
      } else {
        this.outbox.journalOutcome(msgid, 'unknown', `${r.code}: ${r.message}`);
        this.outbox.update(it.itemId, { state: 'unknown', reason: r.code, nextAttemptAt: this.clock.now() });
      }
    })();
    return this.outbox.get(it.itemId);
  }

  private async settle(it: OutboxItem<SettlementPayload, SettlementResult>): Promise<OutboxItem> {
    const p = it.payload;
    const ctx = { insuplcAdmdvs: p.person.insuplcAdmdvs };
    const pre = await this.client.send('2101', pharmacyInput(p, this.clock.now()), ctx);
    this.transport(pre);
    if (pre.kind === 'business-error') return this.refused(it, pre.message);
    if (pre.kind !== 'ok') return this.outbox.update(it.itemId, { state: 'pending', reason: pre.code, attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) });

    const msgid = this.client.nextMsgid();
    this.outbox.db.transaction(() => {
      this.outbox.journalSend(msgid, it.itemId, '2102', p.person.psnNo);
      this.outbox.update(it.itemId, { state: 'sending', reason: null, attempts: it.attempts + 1 });
    })();
    const r = await this.client.send('2102', settleInput(p, this.clock.now()), { ...ctx, msgid });
    this.transport(r);
    if (r.kind === 'ok') {
      const s = r.output.setlinfo;
      const split = summaryOf(s);
      const result: SettlementResult = { setlId: s.setl_id!, mdtrtId: s.mdtrt_id, msgid, split, settledAt: this.clock.nowIso() };
      let state: 'done' | 'needs-attention' = 'done';
      let reason: string | null = null;
      if (p.deferred) {
        const diff = split.cash - p.deferred.cashCollected;
        if (diff > 0) {
          result.collect = fen(diff);
          state = 'needs-attention';
          reason = 'COLLECT_DIFFERENCE';
        } else if (diff < 0) result.refundDue = fen(-diff);
      }
      this.outbox.db.transaction(() => {
        this.outbox.journalOutcome(msgid, 'ok', null, s.setl_id ?? null);
        this.outbox.update(it.itemId, { state, reason, result });
      })();
      return this.outbox.get(it.itemId);
    }
    if (r.kind === 'business-error') {
      this.outbox.journalOutcome(msgid, 'business-error', r.message);
      return this.refused(it, r.message);
    }
    if (r.kind === 'unknown') this.log.warn('outbox.unknown', { item: it.itemId, msgid, code: r.code });
    return this.notAnswered(it, msgid, r);
  }

  /** A filing or its cancellation: sent once; an unknown outcome is checked with a query before anything else. */
  private async record(it: OutboxItem<RecordPayload>): Promise<OutboxItem> {
    const p = it.payload;
    if (it.state === 'sending' || it.state === 'unknown') {
      const inPlace = await recordInPlace(this.client, p);
      if (inPlace === true) {
        const last = this.outbox.journalFor(it.itemId).at(-1);
        if (last) this.outbox.journalOutcome(last.msgid, 'ok', 'confirmed by query');
        return this.outbox.update(it.itemId, { state: 'done', reason: 'CONFIRMED_BY_QUERY' });
      }
      if (inPlace === null) return this.outbox.update(it.itemId, { state: 'unknown', reason: 'PLATFORM_OUTCOME_UNKNOWN', attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) });
      const last = this.outbox.journalFor(it.itemId).at(-1);
      if (last) this.outbox.journalOutcome(last.msgid, 'not-applied', 'absent at the platform');
    }
    const msgid = this.client.nextMsgid();
    this.outbox.db.transaction(() => {
      this.outbox.journalSend(msgid, it.itemId, p.infno, p.psnNo);
      this.outbox.update(it.itemId, { state: 'sending', attempts: it.attempts + 1 });
    })();
    const r = await this.client.send(p.infno, recordInput(p) as never, { msgid, insuplcAdmdvs: p.insuplcAdmdvs });
    this.transport(r);
    if (r.kind === 'ok') return this.done(it, msgid, r.output ?? null);
    if (r.kind === 'business-error') return this.failedBusiness(it, msgid, r.message);
    return this.notAnswered(it, msgid, r);
  }

  /** 2601 for the attempt that may have been applied; only a definitive answer moves the item on. */
  private async reverseUnknown(it: OutboxItem<SettlementPayload | RefundPayload>, infno: '2102' | '2103'): Promise<OutboxItem> {
    const open = this.outbox.journalFor(it.itemId).filter((j) => j.infno === infno && (j.outcome === 'unknown' || j.outcome === 'sent'));
    if (!open.length) return this.outbox.update(it.itemId, { state: 'reversed', reason: 'NOTHING_TO_REVERSE' });
    const who = 'person' in it.payload ? { psnNo: it.payload.person.psnNo, admdvs: it.payload.person.insuplcAdmdvs } : { psnNo: it.payload.psnNo, admdvs: it.payload.insuplcAdmdvs };
    for (const j of open) {
      const r = await this.client.send('2601', { data: { psn_no: who.psnNo, omsgid: j.msgid, oinfno: infno } }, { insuplcAdmdvs: who.admdvs });
      this.transport(r);
      if (r.kind === 'ok') this.outbox.journalOutcome(j.msgid, 'reversed');
      else if (r.kind === 'business-error' && /原交易不存在|无需冲正/.test(r.message)) this.outbox.journalOutcome(j.msgid, 'not-applied', r.message);
      else if (r.kind === 'business-error') return this.outbox.update(it.itemId, { state: 'needs-attention', reason: `REVERSAL_REFUSED: ${r.message}` });
      else return this.outbox.update(it.itemId, { state: 'unknown', reason: r.code, attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) });
    }
    this.log.info('outbox.reversed', { item: it.itemId, attempts: open.length });
    return this.outbox.update(it.itemId, { state: 'reversed', reason: 'REDO_AFTER_REVERSAL', nextAttemptAt: this.clock.now() });
  }

  private refused(it: OutboxItem<SettlementPayload, SettlementResult>, message: string): OutboxItem {
    if (it.payload.offline && it.payload.deferred) {
      // The customer left with the medicine having paid only the estimated cash part.
      const e = it.payload.deferred.estimate;
      return this.outbox.update(it.itemId, { state: 'needs-attention', reason: `PLATFORM_REFUSED: ${message}`, result: { setlId: '', mdtrtId: '', msgid: '', split: e, settledAt: '', collect: fen(e.medfee - it.payload.deferred.cashCollected) } });
    }
    return this.outbox.update(it.itemId, { state: 'failed-business', reason: message });
  }
}
