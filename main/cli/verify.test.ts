/**
 * A printed 参保凭证 verified the way a bank clerk or an insurer would: 王建国 prints his
 * certificate at a real kiosk app against the platform simulator over HTTP on 127.0.0.1; the QR
 * payload read off the printer is accepted by `estation verify` and by the platform's /verify page,
 * and the same paper with one digit changed is rejected by both. With the platform unreachable
 * the kiosk prints no code at all rather than one it made up.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { residentByName } from '../../fixtures/people/residents';
import { waitUntil } from '../ground/wait';
import { parseConfig } from '../app/config';
import { createApp, type App } from '../app/compose';
import { maskIdNumber } from '../bridge/contract/mask';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const estation = (args: string[]) => run(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root, timeout: 60_000 });
type Failed = { code: number; stdout: string; stderr: string };
const failing = (args: string[]) =>
  estation(args).then(
    (r) => ({ code: 0, ...r }) as Failed,
    (e: unknown) => e as Failed,
  );

const wang = residentByName('王建国');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-verify-'));
let sim: PlatformSimulator;
let app: App;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** 王建国 shows his ID card; the kiosk reads his records from the platform. */
let cardIn = false;
async function identify(): Promise<void> {
  if (cardIn) {
    // The reader must see the card go before the same card counts as shown again.
    const removed = once(app.devices, 'card-removed');
    await call('sim.device', { action: 'remove-id-card' });
    await removed;
  }
  await call('session.end', { reason: 'logout' });
  cardIn = true;
  await call('sim.device', {
    action: 'insert-id-card',
    card: { name: wang.name, idNumber: wang.idNumber, gender: wang.gender, birthDate: wang.birthDate, address: '江苏省南京市玄武区中山路100号' },
  });
  await waitUntil(async () => (await call<{ session: unknown }>('session.get', {})).session !== null, { what: "王建国's session" });
  await call('kiosk.person', {});
}

/** He prints his certificate; what came out of the printer. */
async function printCertificate(): Promise<{ lines: string[]; qr: string[] }> {
  const { jobId } = await call<{ jobId: string }>('kiosk.printCertificate', {});
  await waitUntil(async () => (await call<{ state: string }>('kiosk.printJob', { jobId })).state === 'done', { what: 'the certificate to print' });
  const { receipts } = await call<{ receipts: { lines: string[]; qr: string[] }[] }>('sim.printed', {});
  return receipts.at(-1)!;
}

/** The payload with the first digit of one field's value changed, the signature kept. */
function changeDigit(payload: string, label: string): string {
  const [format, keyId, body, signature] = payload.split('.') as [string, string, string, string];
  const doc = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, string, string, string, [string, string][]];
  const field = doc[4].find(([l]) => l === label)!;
  field[1] = field[1].replace(/\d/, (d) => String((Number(d) + 1) % 10));
  return [format, keyId, Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url'), signature].join('.');
}

let printed: { lines: string[]; qr: string[] };
let payload: string;

beforeAll(async () => {
  sim = await startPlatformSimulator();
  app = await createApp(
    parseConfig({
      dataDir: path.join(dir, 'data'),
      mode: 'kiosk',
      face: { enabled: false },
      platform: { kind: 'remote', url: sim.url, healthIntervalMs: 60_000 },
    }),
    { host: 'node' },
  );
  await identify();
  printed = await printCertificate();
  payload = printed.qr[0]!;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await sim?.close();
});

describe('the printed certificate', () => {
  it('carries the masked fields, a platform-signed QR payload and the 核验码 derived from it', () => {
    const line = (label: string) => printed.lines.find((l) => l.startsWith(label));
    expect(printed.lines).toContain('医疗保障参保凭证');
    expect(line('姓名')).toMatch(/ 王\*国$/);
    expect(line('证件号码')).toMatch(new RegExp(` ${maskIdNumber(wang.idNumber).replace(/\*/g, '\\*')}$`));
    expect(printed.lines.join('\n')).not.toContain(wang.idNumber);
    expect(line('出具机构')).toMatch(/ P44030300001$/);
    expect(printed.qr).toHaveLength(1);
    expect(payload).toMatch(/^ESV1\./);
    expect(line('核验码')).toMatch(/^核验码 [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
  });
});

describe('estation verify', () => {
  it('accepts the printed payload with the key fetched from the platform, and shows the fields and the same 核验码', async () => {
    const { stdout } = await estation(['verify', payload, '--platform', sim.url]);
    expect(stdout).toContain('真实有效');
    expect(stdout).toContain('姓名  王*国');
    expect(stdout).toContain(`证件号码  ${maskIdNumber(wang.idNumber)}`);
    expect(stdout).toContain(printed.lines.find((l) => l.startsWith('核验码'))!.slice(4));
  });

  it('accepts it from a file with the public key from a PEM file, as JSON', async () => {
    const pem = await (await fetch(`${sim.url}/documents/public-key`)).text();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    fs.writeFileSync(path.join(dir, 'platform.pem'), pem);
    fs.writeFileSync(path.join(dir, 'certificate.txt'), `${payload}\n`);
    const { stdout } = await estation(['verify', path.join(dir, 'certificate.txt'), '--public-key', path.join(dir, 'platform.pem'), '--json']);
    const r = JSON.parse(stdout) as { valid: boolean; kind: string; issuer: string; fields: { label: string; value: string }[] };
    expect(r).toMatchObject({ valid: true, kind: 'insurance-certificate', issuer: 'P44030300001' });
    expect(r.fields.find((f) => f.label === '姓名')!.value).toBe('王*国');
  });

  it('rejects the payload with one digit of the ID number or the insurance date changed: exit 1, DOC_SIGNATURE_INVALID', async () => {
    for (const label of ['证件号码', '参保日期']) {
      const r = await failing(['verify', changeDigit(payload, label), '--platform', sim.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('DOC_SIGNATURE_INVALID');
      expect(r.stdout).not.toContain('真实有效');
    }
  });

  it('rejects a certificate signed by some other key (DOC_UNKNOWN_KEY) and garbage (DOC_MALFORMED)', async () => {
    fs.writeFileSync(path.join(dir, 'other.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const unknown = await failing(['verify', payload, '--public-key', path.join(dir, 'other.pem')]);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('DOC_UNKNOWN_KEY')]);
    const garbage = await failing(['verify', 'ESV1.not-a-document', '--platform', sim.url]);
    expect([garbage.code, garbage.stderr]).toEqual([1, expect.stringContaining('DOC_MALFORMED')]);
  });

  it('will not take a key from a remote platform over plain http, nor work without a key', async () => {
    const plain = await failing(['verify', payload, '--platform', 'http://ybj.example.invalid']);
    expect([plain.code, plain.stderr]).toEqual([64, expect.stringContaining('https')]);
    const none = await failing(['verify', payload]);
    expect(none.code).toBe(64);
    fs.writeFileSync(path.join(dir, 'not-a-key.pem'), 'hello');
    const bad = await failing(['verify', payload, '--public-key', path.join(dir, 'not-a-key.pem')]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('DOC_KEY_INVALID')]);
  });
});

describe("the platform's verification page", () => {
  const verifyPage = (p: string) => fetch(`${sim.url}/verify?p=${encodeURIComponent(p)}`);

  it('says 真实有效 with the fields for the printed payload', async () => {
    const res = await verifyPage(payload);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('真实有效');
    expect(html).toContain('王*国');
    expect(html).toContain(maskIdNumber(wang.idNumber));
    expect(html).not.toContain('核验失败');
  });

  it('says 核验失败 with the reason for one changed digit, for garbage, and without a payload', async () => {
    const tampered = await verifyPage(changeDigit(payload, '证件号码'));
    expect(tampered.status).toBe(422);
    const html = await tampered.text();
    expect(html).toContain('核验失败');
    expect(html).toContain('签章与凭证内容不符');
    expect(html).not.toContain('真实有效');
    const garbage = await verifyPage('<script>alert(1)</script>');
    expect([garbage.status, await garbage.text()]).toEqual([422, expect.stringContaining('DOC_MALFORMED')]);
    const missing = await fetch(`${sim.url}/verify`);
    expect([missing.status, await missing.text()]).toEqual([400, expect.stringContaining('核验失败')]);
  });

  it('refuses a URL over 4 KB with 414', async () => {
    expect((await verifyPage(`${payload}${'A'.repeat(4096)}`)).status).toBe(414);
  });
});

describe('without the platform', () => {
  it('the kiosk prints the certificate with 核验码待平台签发 and neither a QR code nor a code', async () => {
    // He was identified while the platform answered; it goes away before he prints.
    await identify();
    await sim.setReachable(false);
    try {
      const offline = await printCertificate();
      expect(offline.lines).toContain('核验码待平台签发');
      expect(offline.qr).toEqual([]);
      expect(offline.lines.some((l) => /^核验码 /.test(l))).toBe(false);
      expect(offline.lines.find((l) => l.startsWith('姓名'))).toMatch(/ 王\*国$/);
    } finally {
      await sim.setReachable(true);
    }
  });
});
