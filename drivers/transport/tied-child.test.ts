/**
 * A tied child that ignores its stop: stopTiedChild gives it the grace period, then kills its
 * whole group, so a host's shutdown never waits on it forever.
 */
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { spawnTiedChild, stopTiedChild, tiedChildRunning } from './tied-child';

function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the state: ppid, pgrp. A zombie still counts: it was not reaped.
      if (Number(fields[2]) === pgid) out.push(Number(name));
    } catch {
      // Ended between readdir and read.
    }
  }
  return out;
}

it.skipIf(!fs.existsSync('/proc/self/stat'))(
  'a command that ignores SIGTERM is killed with its group once the grace period is over (needs /proc)',
  async () => {
    const child = spawnTiedChild('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done']);
    // The wrapper's group holds it, its watcher and the command.
    const pgid = child.pid!;
    for (let i = 0; i < 100 && groupMembers(pgid).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(3);
    const started = Date.now();
    await stopTiedChild(child, 300);
    const took = Date.now() - started;
    expect(tiedChildRunning(child)).toBe(false);
    expect(child.signalCode).toBe('SIGKILL');
    expect(took).toBeGreaterThanOrEqual(290);
    for (let i = 0; i < 100 && groupMembers(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(groupMembers(pgid)).toEqual([]);
  },
);

it('a command that ends on its stop is reaped by its wrapper, not killed', async () => {
  const child = spawnTiedChild('sleep', ['30']);
  await stopTiedChild(child, 10_000);
  expect(tiedChildRunning(child)).toBe(false);
  // The wrapper exits with the status of its killed command (128 + SIGTERM), on its own.
  expect(child.signalCode).toBeNull();
  expect(child.exitCode).toBe(143);
});
