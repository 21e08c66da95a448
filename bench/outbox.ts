/**
 * Outbox benchmark (npm run bench:outbox). Prints JSON: the raw fsync rate of the disk the data
 * directory is on (the physical limit of one durable commit at a time), durable enqueues per
 * second (one SQLite transaction each, WAL + synchronous=FULL) and in groups of 50, and drain
 * throughput against the embedded simulator on loopback.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startPlatformSimulator } from '../fixtures/platform/server';
import { RESIDENTS } from '../fixtures/people/residents';
import { basket, personOf, rig } from '../main/pharmacy/testing/rig';
import { tmpDbFile } from '../main/outbox/testing';
import type { SettlementPayload } from '../main/pharmacy/settlement';

const N = Number(process.env.BENCH_N ?? 400);
const file = tmpDbFile();
const dir = path.dirname(file);

/**
 * Raw fsync rate of the disk: `overwrite` rewrites one 512-byte block then fsyncs (the cheapest
 * possible durable write); `append` appends 4 KiB then fsyncs, as a write-ahead log does.
 */
function fsyncRate(n: number, mode: 'overwrite' | 'append'): number {
  const f = path.join(dir, `fsync-probe-${mode}`);
  const fd = fs.openSync(f, mode === 'append' ? 'a' : 'w');
  const buf = Buffer.alloc(mode === 'append' ? 4096 : 512, 1);
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    if (mode === 'append') fs.writeSync(fd, buf);
    else fs.writeSync(fd, buf, 0, buf.length, 0);
    fs.fsyncSync(fd);
  }
  const s = (performance.now() - t) / 1000;
  fs.closeSync(fd);
  fs.rmSync(f);
  return n / s;
}

const sim = await startPlatformSimulator();
const r = rig(sim.url, { file });
const payload = (i: number): SettlementPayload => ({
  checkoutId: `b${i}`,
  person: personOf(RESIDENTS[i % 50]!),
  lines: basket([i % 18, 1]),
  medType: '41',
  useAccount: true,
  deferred: null,
  offline: false,
});

// Interleave the measurements so the disk's mood affects both alike; report medians.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const over: number[] = [];
const app: number[] = [];
const enq: number[] = [];
for (let round = 0; round < 5; round++) {
  over.push(fsyncRate(N, 'overwrite'));
  app.push(fsyncRate(N, 'append'));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) r.outbox.enqueue('pharmacy-settlement', RESIDENTS[i % 50]!.psnNo, payload(round * N + i));
  enq.push(N / ((performance.now() - t0) / 1000));
}
const enqueuePerSec = median(enq);
let t = performance.now();
for (let b = 0; b < N; b += 50)
  r.db.transaction(() => {
    for (let i = b; i < b + 50; i++) r.outbox.enqueue('pharmacy-settlement', RESIDENTS[i % 50]!.psnNo, payload(10 * N + i));
  })();
const groupedPerSec = N / ((performance.now() - t) / 1000);

// Drain: everything enqueued above goes to the simulator (2101 + 2102 each).
const queued = r.outbox.counts().pending;
t = performance.now();
while (r.outbox.counts().pending) await r.drainer.drainOnce();
const drainSec = (performance.now() - t) / 1000;
const c = r.outbox.counts();
await r.close();
await sim.close();

process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'outbox',
      dataDir: dir,
      n: N,
      rounds: 5,
      rawFsyncPerSec: { overwrite512: Math.round(median(over)), append4k: Math.round(median(app)) },
      durableEnqueuePerSec: Math.round(enqueuePerSec),
      durableEnqueueOverFsync: { overwrite512: +(enqueuePerSec / median(over)).toFixed(3), append4k: +(enqueuePerSec / median(app)).toFixed(3) },
      groupCommitEnqueuePerSec: Math.round(groupedPerSec),
      drain: { items: queued, seconds: +drainSec.toFixed(2), itemsPerSec: Math.round(queued / drainSec), done: c.done, notDone: queued - c.done },
    },
    null,
    2,
  ) + '\n',
);
