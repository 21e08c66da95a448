import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { Outbox } from '../outbox/outbox';
import { RowMac } from '../store/row-mac';
import { PersonalData } from '../store/personal-data';
import { FileKeyProvider } from '../face/keys';
import { systemClock } from '../ground/clock';
import { RESIDENTS } from '../../fixtures/people/residents';
import { basket, personOf } from '../pharmacy/testing/rig';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const estation = async (args: string[]) => JSON.parse((await run(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root })).stdout);

describe('estation queue', () => {
  it('shows status, drains to the embedded platform, and reconciles the day', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-queue-'));
    const db = openDatabase(path.join(dir, 'estation.sqlite'));
    const outbox = new Outbox(
      db,
      new RowMac(new FileKeyProvider(path.join(dir, 'keys', 'store.key'))),
      systemClock,
      new PersonalData(new FileKeyProvider(path.join(dir, 'keys', 'face.key'))),
    );
    for (const i of [1, 2, 3])
      outbox.enqueue('pharmacy-settlement', RESIDENTS[i]!.psnNo, {
        checkoutId: `q${i}`,
        person: personOf(RESIDENTS[i]!),
        lines: basket([i, 1]),
        medType: '41',
        useAccount: true,
        deferred: null,
        offline: false,
      });
    db.close();
    expect((await estation(['queue', 'status', '--json', '--data-dir', dir])).counts).toMatchObject({ pending: 3, done: 0 });
    const drained = await estation(['queue', 'drain', '--json', '--data-dir', dir]);
    expect(drained.counts).toMatchObject({ pending: 0, done: 3 });
    const report = await estation(['queue', 'reconcile', '--json', '--data-dir', dir]);
    expect(report.error).toBeNull();
    expect(report.detail.matched).toBe(3);
    expect(report.totals.map((t: { result: string }) => t.result)).toEqual(['0', '0']);
  });
});
