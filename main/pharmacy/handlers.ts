/**
 * The counter's bridge handlers (checkout.*). Registered only on a terminal in checkout mode.
 */
import type { Handlers } from '../bridge/dispatcher';
import type { ResidentSession } from '../session/session';
import type { Drainer } from '../outbox/drainer';
import type { CheckoutCounter } from './counter';

type CheckoutHandlers = Pick<Handlers, `checkout.${string}` & keyof Handlers>;

export type ShiftStatus = ReturnType<CheckoutCounter['shiftStatus']>;

export function pharmacyHandlers(
  counter: CheckoutCounter,
  session: ResidentSession,
  drainer: Drainer,
  shiftChanged: (s: ShiftStatus) => void = () => undefined,
): CheckoutHandlers {
  return {
    'checkout.catalogue': () => ({ drugs: counter.catalogue() }),
    'checkout.customer': async () => ({ customer: session.current ? await counter.customerView() : null }),
    'checkout.quote': (i) => counter.quote(i.items, i.useAccount, i.prescription),
    'checkout.auditOverride': (i) => counter.auditOverride(i.quoteId, i.answers),
    'checkout.pay': (i) =>
      counter.pay(i.quoteId, {
        cashierConfirmed: i.cashierConfirmed,
        customerConfirmed: i.customerConfirmed,
        ...(i.ownerConfirmed ? { ownerConfirmed: i.ownerConfirmed } : {}),
      }),
    'checkout.mutualAid': (i) => (i.action === 'await' ? counter.awaitOwner() : i.action === 'cancel' ? counter.cancelOwner() : counter.ownerStatus()),
    'checkout.sales': () => ({ sales: counter.salesToday() }),
    'checkout.refund': (i) => counter.refund(i.saleId, i.reason, i.note),
    'checkout.queue': () => counter.queue(),
    'checkout.resolve': (i) => counter.resolve(i.itemId, i.note),
    'checkout.drain': async () => ({ processed: await drainer.drainOnce() }),
    'checkout.shift': (i) => {
      if (i.action === 'open') {
        const opened = counter.openShift(i.cashier);
        shiftChanged(opened);
        return { ...opened, report: null };
      }
      if (i.action === 'close') {
        const report = counter.closeShift();
        shiftChanged(counter.shiftStatus());
        return { open: false, openedAt: null, cashier: null, report };
      }
      return { ...counter.shiftStatus(), report: null };
    },
    'checkout.endCustomer': () => {
      session.end('logout');
      return { ok: true as const };
    },
  };
}
