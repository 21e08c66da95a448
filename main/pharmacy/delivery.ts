/**
 * How the counter's outbox items reach the platform: a settlement (2101 pre-settlement, then 2102)
 * and a refund (2103). Both move money and may be reversed with 2601, so an unknown outcome is
 * reversed first and only then redone under a fresh msgid.
 */
import { fen } from '../bridge/contract/money';
import type { Clock } from '../ground/clock';
import type { DeliveryHandler, DeliveryKit } from '../outbox/delivery';
import type { OutboxItem } from '../outbox/outbox';
import { pharmacyInput, settleInput, summaryOf, type RefundPayload, type SettlementPayload, type SettlementResult } from './settlement';

export const SETTLEMENT_KIND = 'pharmacy-settlement';
export const REFUND_KIND = 'pharmacy-refund';

export function settlementDelivery(
  clock: Clock,
  changed: (item: OutboxItem) => void,
  /** Before an offline sale goes to the platform: its 事中审核 there (never stops the delivery). */
  beforeOffline: (item: OutboxItem) => Promise<void> = async () => undefined,
): DeliveryHandler<SettlementPayload> {
  const who = (p: SettlementPayload) => ({ psnNo: p.person.psnNo, insuplcAdmdvs: p.person.insuplcAdmdvs });

  /** A refusal of a deferred (offline) sale: the customer already left with the medicine. */
  const refused = (it: OutboxItem<SettlementPayload>, kit: DeliveryKit, msgid: string | null, message: string) => {
    const d = it.payload.deferred;
    if (it.payload.offline && d) {
      const result: SettlementResult = {
        setlId: '',
        mdtrtId: '',
        msgid: '',
        split: d.estimate,
        settledAt: '',
        collect: fen(d.estimate.medfee - d.cashCollected),
      };
      return kit.refused(it, msgid, message, { state: 'needs-attention', reason: `PLATFORM_REFUSED: ${message}`, result });
    }
    return kit.refused(it, msgid, message);
  };

  return {
    kind: SETTLEMENT_KIND,
    changed,
    async deliver(it, kit) {
      const p = it.payload;
      if (p.offline) await beforeOffline(it).catch(() => undefined);
      const pre = await kit.sendUnjournalled('2101', pharmacyInput(p, clock.now()), who(p));
      if (pre.kind === 'business-error') return refused(it, kit, null, pre.message);
      if (pre.kind !== 'ok') return kit.retryLater(it, pre.code);
      const r = await kit.sendJournalled(it, '2102', settleInput(p, clock.now()), who(p));
      if (r.kind === 'ok') {
        const s = r.output.setlinfo;
        const split = summaryOf(s);
        const result: SettlementResult = { setlId: s.setl_id ?? '', mdtrtId: s.mdtrt_id, msgid: r.msgid, split, settledAt: clock.nowIso() };
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
        return kit.done(it, r.msgid, result, { ref: s.setl_id ?? null, state, reason });
      }
      if (r.kind === 'business-error') return refused(it, kit, r.msgid, r.message);
      return kit.notAnswered(it, r.msgid, r);
    },
    resolveUnknown: (it, kit) => kit.reverseOpenAttempts(it, '2102', who(it.payload)),
  };
}

export function refundDelivery(clock: Clock, changed: (item: OutboxItem) => void): DeliveryHandler<RefundPayload> {
  const who = (p: RefundPayload) => ({ psnNo: p.psnNo, insuplcAdmdvs: p.insuplcAdmdvs });
  return {
    kind: REFUND_KIND,
    changed,
    async deliver(it, kit) {
      const p = it.payload;
      const r = await kit.sendJournalled(it, '2103', { data: { setl_id: p.setlId, mdtrt_id: p.mdtrtId, psn_no: p.psnNo } }, who(p));
      if (r.kind === 'ok') {
        const s = r.output.setlinfo;
        return kit.done(
          it,
          r.msgid,
          { setlId: s.setl_id ?? '', mdtrtId: s.mdtrt_id, msgid: r.msgid, split: summaryOf(s), settledAt: clock.nowIso() } satisfies SettlementResult,
          { ref: s.setl_id ?? null },
        );
      }
      if (r.kind === 'business-error') return kit.refused(it, r.msgid, r.message);
      return kit.notAnswered(it, r.msgid, r);
    },
    resolveUnknown: (it, kit) => kit.reverseOpenAttempts(it, '2103', who(it.payload)),
  };
}
