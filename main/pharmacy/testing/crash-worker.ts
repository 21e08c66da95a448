/**
 * A counter loop for the crash test: customers buy through quotes and payments, every ninth sale
 * is refunded and every thirteenth quote is left to expire, until the process is killed (SIGKILL,
 * at any instant) or `--count` sales are taken. With `--drain-only` it just empties the queue.
 * Everything it needs to resume is in the SQLite file.
 */
import { parseArgs } from 'node:util';
import { RESIDENTS } from '../../../fixtures/people/residents';
import type { Clock } from '../../ground/clock';
import { items, rig, sell } from './rig';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    key: { type: 'string' },
    sim: { type: 'string' },
    count: { type: 'string', default: '1000' },
    fixmedins: { type: 'string' },
    'drain-only': { type: 'boolean', default: false },
  },
});
// The wall clock, except while a quote is being let to expire.
let skewMs = 0;
const clock: Clock = { now: () => Date.now() + skewMs, nowIso: () => new Date(Date.now() + skewMs).toISOString() };
const r = rig(values.sim!, {
  file: values.db!,
  keyFile: values.key!,
  fixmedinsCode: values.fixmedins!,
  timeoutMs: 400,
  clock,
  drainer: { backoffBaseMs: 10, backoffMaxMs: 100, breakerThreshold: 1000 },
});
const counter = r.pharmacy.counter;
const taken = () => (r.db.prepare('SELECT COUNT(*) AS n FROM pharmacy_sale WHERE item_id IS NOT NULL').get() as { n: number }).n;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const open = () => {
  const c = r.outbox.counts();
  return c.pending + c.sending + c.unknown + c.reversed;
};

if (values['drain-only']) {
  for (let i = 0; i < 2000 && open() > 0; i++) {
    await r.drainer.drainOnce();
    if (open()) await new Promise((res) => setTimeout(res, 20));
  }
  out({ drained: r.outbox.counts() });
} else {
  const count = Number(values.count);
  for (let i = taken(); i < count; i = taken()) {
    await r.drainer.drainOnce();
    const p = RESIDENTS[i % 50]!;
    const basketItems = items([i % 18, 1 + (i % 3)]);
    try {
      if (i % 13 === 5) {
        // A quote the customer walks away from: paying it after its time is refused.
        if (!counter.shiftStatus().open) counter.openShift('收银员01');
        r.customer(p);
        const q = await counter.quote(basketItems, true, { rxno: 'RX1', doctorCode: 'D1', doctorName: '李医生', external: true });
        skewMs = 301_000;
        try {
          await counter.pay(q.quoteId, { cashierConfirmed: true, customerConfirmed: true });
          out({ sale: i, error: 'an expired quote was paid' });
        } catch (err) {
          out({ sale: i, expired: (err as { code?: string }).code });
        } finally {
          skewMs = 0;
        }
      }
      const { sale } = await sell(r, p, basketItems);
      out({ sale: i, state: sale.state });
      if (i % 9 === 3 && sale.state === 'settled') {
        const refund = await counter.refund(sale.saleId, 'customer-return', undefined);
        out({ refund: i, state: refund.state });
      }
    } catch (err) {
      out({ sale: i, error: (err as Error).message });
    }
  }
}
await r.close();
