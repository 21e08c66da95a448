/**
 * How an outbox item of one kind reaches the platform. The drainer knows no kinds: each mode
 * module registers a DeliveryHandler per kind it enqueues, and the drainer hands it a
 * DeliveryKit that journals every msgid before it is sent and records each outcome in one
 * transaction with the item's new state.
 */
import type { Outcome } from '../platform/client';
import type { Infno, TxInput, TxOutput } from '../platform/schemas';
import type { OutboxItem } from './outbox';

/** The person an item is about, as the platform needs it for 2601 and routing. */
export interface DeliveryPerson {
  psnNo: string;
  insuplcAdmdvs: string;
}

export interface DeliveryKit {
  /**
   * Journals a fresh msgid, marks the item 'sending' (attempts + 1), sends once. When the
   * platform says the sign-in expired, the client signs in again and resends under a second
   * journalled msgid (the first is closed as not applied).
   */
  sendJournalled<I extends Infno>(item: OutboxItem, infno: I, input: TxInput<I>, who: DeliveryPerson): Promise<Outcome<TxOutput<I>>>;
  /** One attempt that changes nothing at the platform (a pre-settlement): not journalled. */
  sendUnjournalled<I extends Infno>(infno: I, input: TxInput<I>, who: DeliveryPerson): Promise<Outcome<TxOutput<I>>>;
  /** A final ok: journal and item (with its result) in one transaction. */
  done(
    item: OutboxItem,
    msgid: string,
    result: unknown,
    opts?: { ref?: string | null; state?: 'done' | 'needs-attention'; reason?: string | null },
  ): OutboxItem;
  /** A refusal (infcode -2: nothing applied). `state` lets a handler hand it to a person instead. */
  refused(
    item: OutboxItem,
    msgid: string | null,
    message: string,
    opts?: { state?: 'failed-business' | 'needs-attention'; reason?: string; result?: unknown },
  ): OutboxItem;
  /** No definite answer: unreachable waits with backoff; unknown must be resolved before anything is resent. */
  notAnswered(item: OutboxItem, msgid: string, outcome: Extract<Outcome<unknown>, { kind: 'unreachable' | 'unknown' }>): OutboxItem;
  /** Nothing was sent (e.g. the pre-settlement could not be made): try again later. */
  retryLater(item: OutboxItem, reason: string): OutboxItem;
  /** Reverses (2601) every attempt of `infno` whose outcome is open; the item goes to 'reversed' to be redone. */
  reverseOpenAttempts(item: OutboxItem, infno: string, who: DeliveryPerson): Promise<OutboxItem>;
  /** The item's journal: every msgid sent for it and what became of it. */
  journal(item: OutboxItem): { msgid: string; infno: string; outcome: string }[];
  /** Closes an open attempt without a platform call (e.g. a query showed the change is in place, or absent). */
  closeAttempt(msgid: string, outcome: 'ok' | 'not-applied', detail: string): void;
  /** Moves an item straight to a state (used when a query settles an unknown outcome). */
  settleByQuery(item: OutboxItem, state: 'done' | 'unknown', reason: string): OutboxItem;
}

export interface DeliveryHandler<P = unknown> {
  readonly kind: string;
  /** First attempt, or again after a definite "not applied" or a reversal. */
  deliver(item: OutboxItem<P>, kit: DeliveryKit): Promise<OutboxItem>;
  /** An attempt may have been applied: find out (query) or undo it (2601) before anything else. */
  resolveUnknown(item: OutboxItem<P>, kit: DeliveryKit): Promise<OutboxItem>;
  /** Called after every change the drainer made to an item of this kind (e.g. to move a sale on). */
  changed?(item: OutboxItem): void;
}
