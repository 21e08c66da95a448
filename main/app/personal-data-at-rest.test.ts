/**
 * A stolen disk: after a full checkout run (sale, refund, shift) and a full kiosk run (identify,
 * read records, file a registration) on one data directory, no file in it holds a resident's full
 * ID number, name or phone number in clear, and every file is the terminal user's alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { residentByName } from '../../fixtures/people/residents';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { waitUntil } from '../ground/wait';
import { parseConfig } from './config';
import { createApp, type App } from './compose';

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const call = async <T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> => {
  const r = await app!.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
};

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe('personal data at rest', () => {
  it('a data directory after a checkout and a kiosk run holds no full ID number, name or phone number, and is 0700/0600', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-pii-')), 'data');
    // An older install left the directory open to everyone.
    fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'logs', 'old.log'), 'x', { mode: 0o644 });
    fs.chmodSync(dataDir, 0o755);
    const wang = residentByName('王建国');
    const card = { name: wang.name, idNumber: wang.idNumber, gender: wang.gender, birthDate: wang.birthDate };
    const base = { dataDir, face: { enabled: false }, platform: { healthIntervalMs: 60_000 } };

    app = await createApp(parseConfig({ ...base, mode: 'checkout' }), { host: 'node' });
    await call('checkout.shift', { action: 'open', cashier: '收银员01' });
    await call('sim.device', { action: 'insert-id-card', card });
    await waitUntil(async () => (await call<{ customer: unknown }>('checkout.customer', {})).customer !== null, { what: 'the card read' });
    const otc = CATALOGUE.find((d) => !d.prescription && d.chrgitmLv === '01')!;
    const q = await call<{ quoteId: string }>('checkout.quote', { items: [{ listCode: otc.hilistCode, quantity: 2 }], useAccount: true });
    const sale = await call<{ saleId: string; state: string }>('checkout.pay', { quoteId: q.quoteId, cashierConfirmed: true, customerConfirmed: true });
    expect(sale.state).toBe('settled');
    expect(await call('checkout.refund', { saleId: sale.saleId, reason: 'customer-return', cashierConfirmed: true })).toMatchObject({ state: 'done' });
    await call('checkout.shift', { action: 'close' });
    await app.close();

    app = await createApp(parseConfig({ ...base, mode: 'kiosk' }), { host: 'node' });
    await call('sim.device', { action: 'insert-id-card', card });
    await waitUntil(async () => (await call<{ session: unknown }>('session.get', {})).session !== null, { what: 'the session' });
    expect(await call('kiosk.person', {})).toMatchObject({ maskedName: '王*国' });
    expect(await call('kiosk.file', { action: 'apply', kind: 'chronic', code: 'M00500' })).toMatchObject({ state: 'done' });
    await app.close();
    app = null;

    const files = filesUnder(dataDir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    const secrets = { 'ID number': wang.idNumber, name: wang.name, phone: wang.phone };
    // Say which kind leaked where, without printing it.
    const leaks = files.flatMap((f) => {
      const bytes = fs.readFileSync(f);
      return Object.entries(secrets)
        .filter(([, v]) => bytes.includes(Buffer.from(v, 'utf8')))
        .map(([kind]) => `${path.relative(dataDir, f)}: ${kind}`);
    });
    expect(leaks).toEqual([]);
    // The sale really is in there, sealed: the database has the sale row.
    expect(files.some((f) => f.endsWith('estation.sqlite'))).toBe(true);

    const loose = [dataDir, ...fs.readdirSync(dataDir, { recursive: true }).map((n) => path.join(dataDir, String(n)))]
      .filter((p) => !fs.lstatSync(p).isSymbolicLink())
      .filter((p) => (fs.statSync(p).mode & 0o077) !== 0)
      .map((p) => `${path.relative(dataDir, p) || '.'} ${(fs.statSync(p).mode & 0o777).toString(8)}`);
    expect(loose).toEqual([]);
  }, 120_000);
});
