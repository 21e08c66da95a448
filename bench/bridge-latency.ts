/**
 * How long a bridge call waits while the platform answers slowly. A checkout terminal runs as in
 * the field (the Node host in its own process, simulated devices on PTYs) against a platform
 * simulator that takes `latencyMs` per request; while a cashier quotes, pays and drains the
 * queue, a second client calls status.get every 20 ms over HTTP and records each round trip.
 * Prints JSON when run directly (tsx bench/bridge-latency.ts); bench/checkout.ts includes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import YAML from 'yaml';
import { startPlatformSimulator } from '../fixtures/platform/server';
import { RESIDENTS } from '../fixtures/people/residents';
import { CATALOGUE } from '../fixtures/platform/catalogue';
import { readLaunchFile } from '../main/ground/launch-file';

const root = path.resolve(import.meta.dirname, '..');

export interface BridgeLatency {
  platformLatencyMs: number;
  calls: number;
  statusGetMs: { median: number; p99: number; max: number };
  cashierFlowMs: number;
  sales: number;
}

export async function measureBridgeLatency(platformLatencyMs = 1500, sales = 3): Promise<BridgeLatency> {
  const sim = await startPlatformSimulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-latency-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      mode: 'checkout',
      dataDir: path.join(dir, 'data'),
      face: { enabled: false },
      platform: { kind: 'remote', url: sim.url, timeoutMs: 10_000 },
    }),
  );
  const child = spawn(process.execPath, [path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The host's stderr must be read: a pipe nobody empties fills at 64 KB and then blocks the
  // host's every log write, which froze this bench with the host idle. Its tail names a failure.
  let errTail = '';
  child.stderr.on('data', (d: Buffer) => (errTail = (errTail + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const ready = await new Promise<{ url: string; launchFile: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
        if (line) resolve(JSON.parse(line) as { url: string; launchFile: string });
      });
      child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${errTail}`)));
    });
    const { token } = readLaunchFile(ready.launchFile);
    const call = async (channel: string, input: unknown) => {
      const res = await fetch(`${ready.url}/bridge/call/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
        // A hang detector, not a speed limit: a call the host never answers ends the bench.
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string } };
      if (!body.ok) throw new Error(`${channel}: ${body.error?.code}`);
      return body.value!;
    };
    await call('checkout.shift', { action: 'open', cashier: '收银员01' });
    sim.faults.latencyMs = platformLatencyMs;

    // The second client: status.get every 20 ms for as long as the cashier works.
    const samples: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const t = performance.now();
        await call('status.get', {});
        samples.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const otc = CATALOGUE.filter((d) => !d.prescription && d.chrgitmLv !== '03');
    const t0 = performance.now();
    for (let i = 0; i < sales; i++) {
      const p = RESIDENTS[40 + i]!;
      await call('sim.device', { action: 'insert-id-card', card: { name: p.name, idNumber: p.idNumber, gender: p.gender, birthDate: p.birthDate } });
      const deadline = Date.now() + 30_000;
      while (!(await call('checkout.customer', {})).customer && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const q = await call('checkout.quote', { items: [{ listCode: otc[i]!.hilistCode, quantity: 1 }], useAccount: true });
      await call('checkout.pay', { quoteId: q.quoteId, cashierConfirmed: true, customerConfirmed: true });
      await call('checkout.drain', {});
      await call('sim.device', { action: 'remove-id-card' });
    }
    const cashierFlowMs = performance.now() - t0;
    polling = false;
    await poller;
    const s = [...samples].sort((a, b) => a - b);
    const at = (q: number) => +(s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN).toFixed(1);
    return {
      platformLatencyMs,
      calls: s.length,
      statusGetMs: { median: at(0.5), p99: at(0.99), max: +(s.at(-1) ?? NaN).toFixed(1) },
      cashierFlowMs: Math.round(cashierFlowMs),
      sales,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify({ benchmark: 'bridge-latency', ...(await measureBridgeLatency()) }, null, 2) + '\n');
}
