/**
 * The one drainer. It takes due items oldest first, one per person, and hands each to the
 * DeliveryHandler registered for its kind; it knows nothing of settlements, refunds or filings.
 * Every pass awaits each item's network I/O and stops after a time budget, so it never holds the
 * event loop; `settleNow` waits for one item's outcome through events, with a deadline.
 * A circuit breaker stops hammering a platform that is down; backoff has jitter so a fleet does
 * not return in step.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { PlatformClient, Outcome } from '../platform/client';
import type { Infno, TxInput, TxOutput } from '../platform/schemas';
import type { Outbox, OutboxItem, OutboxState } from './outbox';
import type { DeliveryHandler, DeliveryKit, DeliveryPerson } from './delivery';

export interface DrainerOptions {
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** A pass yields (and schedules the next) after this long, so one pass never runs for minutes. */
  passBudgetMs?: number;
  random?: () => number;
}

type Breaker = { state: 'closed' | 'open' | 'half-open'; failures: number; openedAt: number };

const TRANSPORT = new Set([
  'PLATFORM_UNREACHABLE',
  'PLATFORM_SIGNIN_FAILED',
  'PLATFORM_SIGNIN_EXPIRED',
  'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN',
  'PLATFORM_CONNECTION_LOST',
  'PLATFORM_HTTP_ERROR',
]);
/** States in which the drainer still owes the item an attempt. */
const OPEN: readonly OutboxState[] = ['pending', 'sending', 'unknown', 'reversed'];
const LEASE_MS = 60_000;

export class DrainerError extends Error {
  constructor(
    readonly code: 'OUTBOX_KIND_TAKEN',
    message: string,
  ) {
    super(message);
    this.name = 'DrainerError';
  }
}

export class Drainer extends EventEmitter<{ changed: [OutboxItem]; pass: [worked: number, followUp: boolean]; idle: [] }> {
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private intervalMs = 2000;
  private readonly breaker: Breaker = { state: 'closed', failures: 0, openedAt: 0 };
  private readonly o: Required<DrainerOptions>;
  private readonly handlers = new Map<string, DeliveryHandler>();
  /** Items someone is waiting for at the counter or the kiosk: worked on before the backlog. */
  private readonly priority = new Set<string>();
  private readonly holder = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  private readonly kit: DeliveryKit;

  constructor(
    private readonly outbox: Outbox,
    private readonly client: PlatformClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: DrainerOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
    this.o = {
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      backoffMaxMs: opts.backoffMaxMs ?? 300_000,
      breakerThreshold: opts.breakerThreshold ?? 5,
      breakerCooldownMs: opts.breakerCooldownMs ?? 30_000,
      passBudgetMs: opts.passBudgetMs ?? 5_000,
      random: opts.random ?? Math.random,
    };
    this.kit = this.makeKit();
  }

  /** Each mode module registers how its kinds are delivered; one handler per kind. */
  register(handler: DeliveryHandler<never>): void {
    if (this.handlers.has(handler.kind)) throw new DrainerError('OUTBOX_KIND_TAKEN', `a delivery handler for ${handler.kind} is already registered`);
    this.handlers.set(handler.kind, handler as DeliveryHandler);
  }

  get breakerState(): Breaker['state'] {
    return this.breaker.state;
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.min(attempts, 20));
    return this.clock.now() + Math.round(base * (0.5 + this.o.random() * 0.5));
  }

  private transport(r: Outcome<unknown>): void {
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
    this.stopped = false;
    this.intervalMs = intervalMs;
    this.timer = setTimeout(() => this.tick(), 0);
  }

  private tick(): void {
    this.drainOnce()
      .catch((err: Error) => this.log.error('outbox.drain_failed', { error: err.message }))
      .finally(() => {
        if (this.timer) this.timer = setTimeout(() => this.tick(), this.intervalMs);
      });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stops and waits for a pass in progress to finish (before the database closes). */
  async stopAndWait(): Promise<void> {
    this.stop();
    this.stopped = true;
    this.again = false;
    await this.running?.catch(() => undefined);
    this.outbox.releaseLease(this.holder);
  }

  /**
   * One pass over the due items. A call while a pass runs returns that pass and asks for one more
   * after it, so an item enqueued meanwhile is not left for the next timer tick.
   */
  drainOnce(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass()
      .catch((err: Error) => {
        this.log.error('outbox.pass_failed', { error: err.message });
        return 0;
      })
      .then((n) => {
        this.running = null;
        const followUp = this.again;
        this.again = false;
        // On the next turn of the event loop: other calls get their share first.
        if (followUp) setImmediate(() => void this.drainOnce());
        this.emit('pass', n, followUp);
        return n;
      });
    return this.running;
  }

  private async pass(): Promise<number> {
    if (!this.outbox.acquireLease(this.holder, LEASE_MS)) return 0;
    const started = this.clock.now();
    let n = 0;
    // Each item once per state in a pass: one that moved on (unknown -> reversed -> redone) is
    // worked again at once; one that did not waits for the next pass.
    const seen = new Map<string, OutboxState>();
    for (;;) {
      if (this.clock.now() - started > this.o.passBudgetMs) {
        this.again = true;
        break;
      }
      const next = this.nextItem(seen);
      if (!next) break;
      if (!this.allowed() || !this.outbox.acquireLease(this.holder, LEASE_MS)) break;
      seen.set(next.itemId, next.state);
      await this.work(next);
      n++;
    }
    if (n) this.emit('idle');
    return n;
  }

  /** A waited-for item first (when it is due), then the oldest due item not yet tried in this pass. */
  private nextItem(seen: Map<string, OutboxState>): OutboxItem | null {
    const now = this.clock.now();
    const fresh = (i: OutboxItem) => seen.get(i.itemId) !== i.state;
    for (const id of this.priority) {
      const it = this.outbox.dueItem(id, now);
      if (it && fresh(it)) return it;
    }
    return this.outbox.due(now, 50).find(fresh) ?? null;
  }

  /**
   * Delivers one item now (ahead of the backlog) and resolves with it once its outcome is known,
   * it is waiting for a retry, the breaker is open, or the deadline passes — whichever is first.
   * Event-driven: nothing here loops.
   */
  settleNow<P = unknown, R = unknown>(itemId: string, timeoutMs = 20_000): Promise<OutboxItem<P, R>> {
    const settled = (i: OutboxItem) => !OPEN.includes(i.state) || i.nextAttemptAt > this.clock.now() || this.breaker.state === 'open';
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const finish = () => {
        this.off('changed', onChanged);
        this.off('pass', onPass);
        this.priority.delete(itemId);
        if (timer) clearTimeout(timer);
        resolve(this.outbox.get<P, R>(itemId));
      };
      const onChanged = (i: OutboxItem) => {
        if (i.itemId === itemId && settled(i)) finish();
      };
      // A pass that could not touch the item (lease held elsewhere, breaker open, an earlier item
      // of the same person still open) leaves it queued: say so instead of spinning. A pass that
      // worked but left the item due gets a follow-up pass.
      const onPass = (worked: number, followUp: boolean) => {
        if (followUp) return;
        const i = this.outbox.get(itemId);
        if (settled(i) || worked === 0 || !this.outbox.dueItem(itemId, this.clock.now())) finish();
        else void this.drainOnce();
      };
      if (settled(this.outbox.get(itemId))) return finish();
      this.priority.add(itemId);
      this.on('changed', onChanged);
      this.on('pass', onPass);
      timer = setTimeout(finish, timeoutMs);
      void this.drainOnce();
    });
  }

  private async work(item: OutboxItem): Promise<void> {
    const handler = this.handlers.get(item.kind);
    let after: OutboxItem;
    try {
      if (!handler) after = this.outbox.update(item.itemId, { state: 'needs-attention', reason: `OUTBOX_UNKNOWN_KIND: ${item.kind}` });
      else if (item.state === 'sending') after = this.recoverSending(item);
      else if (item.state === 'unknown') after = await handler.resolveUnknown(item, this.kit);
      else after = await handler.deliver(item, this.kit);
    } catch (err) {
      // A handler that throws (bad payload, a bug) must not stop the queue: a person looks at it.
      this.log.error('outbox.delivery_failed', { item: item.itemId, kind: item.kind, error: (err as Error).message });
      const now = this.outbox.get(item.itemId);
      after =
        now.state === 'sending'
          ? now
          : this.outbox.update(item.itemId, { state: 'needs-attention', reason: `OUTBOX_DELIVERY_FAILED: ${(err as Error).message.slice(0, 200)}` });
    }
    handler?.changed?.(after);
    this.emit('changed', after);
  }

  /** A 'sending' item seen here was in flight when the process died: its outcome is unknown. */
  private recoverSending(it: OutboxItem): OutboxItem {
    const last = this.outbox.journalFor(it.itemId).at(-1);
    this.outbox.db.transaction(() => {
      if (last && last.outcome === 'sent') this.outbox.journalOutcome(last.msgid, 'unknown', 'in flight at a crash or restart');
      this.outbox.update(it.itemId, { state: 'unknown', reason: 'PLATFORM_OUTCOME_UNKNOWN_AFTER_RESTART', nextAttemptAt: this.clock.now() });
    })();
    this.log.warn('outbox.recovered_unknown', { item: it.itemId });
    return this.outbox.get(it.itemId);
  }

  private makeKit(): DeliveryKit {
    const { outbox, client, clock, log } = this;
    const kit: DeliveryKit = {
      sendJournalled: async <I extends Infno>(it: OutboxItem, infno: I, input: TxInput<I>, who: DeliveryPerson): Promise<Outcome<TxOutput<I>>> => {
        const msgid = client.nextMsgid();
        outbox.db.transaction(() => {
          outbox.journalSend(msgid, it.itemId, infno, who.psnNo);
          outbox.update(it.itemId, { state: 'sending', reason: null, attempts: it.attempts + 1 });
        })();
        const r = await client.send(infno, input, {
          msgid,
          insuplcAdmdvs: who.insuplcAdmdvs,
          // The platform refused the first msgid because the sign-in expired: nothing was applied.
          renewMsgid: (old) => {
            const fresh = client.nextMsgid();
            outbox.db.transaction(() => {
              outbox.journalOutcome(old, 'not-applied', 'sign-in expired');
              outbox.journalSend(fresh, it.itemId, infno, who.psnNo);
            })();
            return fresh;
          },
        });
        this.transport(r);
        return r;
      },
      sendUnjournalled: async (infno, input, who) => {
        const r = await client.send(infno, input, { insuplcAdmdvs: who.insuplcAdmdvs });
        this.transport(r);
        return r;
      },
      done: (it, msgid, result, opts = {}) => {
        outbox.db.transaction(() => {
          outbox.journalOutcome(msgid, 'ok', null, opts.ref ?? null);
          outbox.update(it.itemId, { state: opts.state ?? 'done', reason: opts.reason ?? null, result });
        })();
        return outbox.get(it.itemId);
      },
      refused: (it, msgid, message, opts = {}) => {
        outbox.db.transaction(() => {
          if (msgid) outbox.journalOutcome(msgid, 'business-error', message);
          outbox.update(it.itemId, {
            state: opts.state ?? 'failed-business',
            reason: opts.reason ?? message,
            ...(opts.result !== undefined ? { result: opts.result } : {}),
          });
        })();
        return outbox.get(it.itemId);
      },
      notAnswered: (it, msgid, r) => {
        const cur = outbox.get(it.itemId);
        outbox.db.transaction(() => {
          if (r.kind === 'unreachable') {
            outbox.journalOutcome(msgid, 'unreachable', r.message);
            outbox.update(it.itemId, { state: 'pending', reason: r.code, nextAttemptAt: this.backoff(cur.attempts) });
          } else {
            outbox.journalOutcome(msgid, 'unknown', `${r.code}: ${r.message}`);
            outbox.update(it.itemId, { state: 'unknown', reason: r.code, nextAttemptAt: clock.now() });
          }
        })();
        if (r.kind === 'unknown') log.warn('outbox.unknown', { item: it.itemId, msgid, code: r.code });
        return outbox.get(it.itemId);
      },
      retryLater: (it, reason) => outbox.update(it.itemId, { state: 'pending', reason, attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) }),
      reverseOpenAttempts: async (it, infno, who) => {
        const open = outbox.journalFor(it.itemId).filter((j) => j.infno === infno && (j.outcome === 'unknown' || j.outcome === 'sent'));
        if (!open.length) return outbox.update(it.itemId, { state: 'reversed', reason: 'NOTHING_TO_REVERSE', nextAttemptAt: clock.now() });
        for (const j of open) {
          const r = await client.send('2601', { data: { psn_no: who.psnNo, omsgid: j.msgid, oinfno: infno } }, { insuplcAdmdvs: who.insuplcAdmdvs });
          this.transport(r);
          if (r.kind === 'ok') outbox.journalOutcome(j.msgid, 'reversed');
          else if (r.kind === 'business-error' && /原交易不存在|无需冲正/.test(r.message)) outbox.journalOutcome(j.msgid, 'not-applied', r.message);
          else if (r.kind === 'business-error') return outbox.update(it.itemId, { state: 'needs-attention', reason: `REVERSAL_REFUSED: ${r.message}` });
          else return outbox.update(it.itemId, { state: 'unknown', reason: r.code, attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) });
        }
        log.info('outbox.reversed', { item: it.itemId, attempts: open.length });
        return outbox.update(it.itemId, { state: 'reversed', reason: 'REDO_AFTER_REVERSAL', nextAttemptAt: clock.now() });
      },
      journal: (it) => outbox.journalFor(it.itemId).map((j) => ({ msgid: j.msgid, infno: j.infno, outcome: j.outcome })),
      closeAttempt: (msgid, outcome, detail) => outbox.journalOutcome(msgid, outcome, detail),
      settleByQuery: (it, state, reason) =>
        state === 'done'
          ? outbox.update(it.itemId, { state: 'done', reason })
          : outbox.update(it.itemId, { state: 'unknown', reason, attempts: it.attempts + 1, nextAttemptAt: this.backoff(it.attempts) }),
    };
    return kit;
  }
}
