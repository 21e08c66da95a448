/**
 * The whole terminal under load, run the way CI and the field should run it: Node with
 * --unhandled-rejections=strict, so a single promise nobody handles ends the process. 1,000
 * concurrent quotes and status reads at a checkout terminal with simulated devices (real PTYs)
 * must leave it alive and answering, with every reply a typed result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { RESIDENTS } from '../../fixtures/people/residents';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { waitUntil } from '../ground/wait';
import { readLaunchFile } from '../ground/launch-file';

const root = path.resolve(import.meta.dirname, '../..');
let child: ChildProcess;
let url = '';
let token = '';
let stderr = '';

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-load-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({ mode: 'checkout', dataDir: path.join(dir, 'data'), face: { enabled: false }, platform: { healthIntervalMs: 1000 } }),
  );
  child = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<{ url: string; launchFile: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) resolve(JSON.parse(line) as { url: string; launchFile: string });
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${stderr}`)));
  });
  url = ready.url;
  token = readLaunchFile(ready.launchFile).token;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

async function call(channel: string, input: unknown): Promise<{ status: number; body: { ok: boolean; value?: unknown; error?: { code: string } } }> {
  const res = await fetch(`${url}/bridge/call/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string } } };
}

describe('the terminal under --unhandled-rejections=strict', () => {
  it('answers 1,000 concurrent checkout.quote and status.get calls and is still alive and answering afterwards', async () => {
    expect((await call('checkout.shift', { action: 'open', cashier: '收银员01' })).body.ok).toBe(true);
    // A checkout terminal has no resident services.
    expect((await call('kiosk.person', {})).body).toMatchObject({ ok: false, error: { code: 'BRIDGE_NOT_AVAILABLE' } });
    const p = RESIDENTS[0]!;
    await call('sim.device', { action: 'insert-id-card', card: { name: p.name, idNumber: p.idNumber, gender: p.gender, birthDate: p.birthDate } });
    // The card read becomes a customer; wait for it instead of sleeping.
    const customer = async () => ((await call('checkout.customer', {})).body.value as { customer: unknown } | undefined)?.customer ?? null;
    await waitUntil(async () => (await customer()) !== null, { timeoutMs: 20_000, what: 'the card read' });
    expect((await call('checkout.customer', {})).body).toMatchObject({ ok: true, value: { customer: { provenBy: 'id-card' } } });

    const otc = CATALOGUE.filter((d) => !d.prescription && d.chrgitmLv !== '03');
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? call('status.get', {})
          : call('checkout.quote', { items: [{ listCode: otc[i % otc.length]!.hilistCode, quantity: 1 + (i % 3) }], useAccount: i % 4 === 1 }),
      ),
    );
    expect(child.exitCode).toBeNull();
    // Every reply is a typed result: a value, or an error with a code a person can act on.
    const untyped = replies.filter((r) => !(r.body.ok === true || (r.body.ok === false && typeof r.body.error?.code === 'string')));
    expect(untyped).toEqual([]);
    expect(replies.filter((r, i) => i % 2 === 0 && !r.body.ok)).toEqual([]);
    const quotes = replies.filter((_, i) => i % 2 === 1);
    const codes = new Set(quotes.filter((r) => !r.body.ok).map((r) => r.body.error!.code));
    expect([...codes].filter((c) => c !== 'BRIDGE_RATE_LIMITED')).toEqual([]);
    expect(quotes.filter((r) => r.body.ok).length).toBeGreaterThanOrEqual(400);

    // Still alive and answering, and the printer (status reads every tick) still reports.
    const after = await call('status.get', {});
    expect(after.body.ok).toBe(true);
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toMatch(/UnhandledPromiseRejection|unhandled/i);
  }, 180_000);
});
