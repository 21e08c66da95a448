/**
 * A checkout loop for the crash test: runs checkouts against the simulator until it is killed
 * (SIGKILL, at any instant) or has taken `--count` sales. With `--drain-only` it just empties the
 * queue. Everything it needs to resume is in the SQLite file.
 */
import { parseArgs } from 'node:util';
import { RESIDENTS } from '../../../fixtures/people/residents';
import { basket, personOf, rig } from './rig';

const { values } = parseArgs({
  options: { db: { type: 'string' }, key: { type: 'string' }, sim: { type: 'string' }, count: { type: 'string', default: '1000' }, fixmedins: { type: 'string' }, 'drain-only': { type: 'boolean', default: false } },
});
const r = rig(values.sim!, { file: values.db!, keyFile: values.key!, fixmedinsCode: values.fixmedins!, timeoutMs: 400, drainer: { backoffBaseMs: 10, backoffMaxMs: 100, breakerThreshold: 1000 } });
const taken = () => (r.db.prepare('SELECT COUNT(*) AS n FROM sale').get() as { n: number }).n;
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

if (values['drain-only']) {
  for (let i = 0; i < 400; i++) {
    await r.drainer.drainOnce();
    const c = r.outbox.counts();
    if (c.pending + c.sending + c.unknown + c.reversed === 0) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  out({ drained: r.outbox.counts() });
} else {
  const count = Number(values.count);
  for (let i = taken(); i < count; i = taken()) {
    await r.drainer.drainOnce();
    const p = RESIDENTS[i % 50]!;
    const lines = basket([i % 18, 1 + (i % 3)]);
    try {
      const q = await r.checkout.quote(personOf(p), lines, true);
      const item = await r.checkout.pay(personOf(p), lines, true, q.mode === 'online' ? q : { mode: 'online', split: q.split });
      out({ sale: i, state: item.state });
    } catch (err) {
      out({ sale: i, error: (err as Error).message });
    }
  }
}
await r.close();
