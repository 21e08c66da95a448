/**
 * Signed documents with real Ed25519 keys: 王建国's certificate verifies as printed; one changed
 * digit anywhere (a field, the issuer, the time, the signature) is caught; garbage of every kind
 * gets a typed failure and never an exception; the payload fits the printer's QR code.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import { residentByName } from '../../fixtures/people/residents';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import {
  canonicalDocument,
  documentKeyId,
  DocumentError,
  MAX_PAYLOAD_LENGTH,
  QR_PAYLOAD_BUDGET,
  readCanonicalDocument,
  sealedDocument,
  signCanonicalDocument,
  verificationCode,
  verifyDocument,
  type DocumentContent,
} from './signed-document';

const platform = generateKeyPairSync('ed25519');
const otherPlatform = generateKeyPairSync('ed25519');
const wang = residentByName('王建国');

/** 王建国's certificate as the kiosk prints it, with the longest values a certificate carries. */
const certificate: DocumentContent = {
  kind: 'insurance-certificate',
  issuer: 'H32010200002',
  issuedAt: '2026-03-14 09:26:53',
  fields: [
    { label: '姓名', value: maskName(wang.name) },
    { label: '证件号码', value: maskIdNumber(wang.idNumber) },
    { label: '险种', value: '城乡居民基本医疗保险' },
    { label: '参保状态', value: '正常参保' },
    { label: '参保地', value: '江苏省南京市玄武区' },
    { label: '参保日期', value: '1998-01-01' },
    { label: '打印终端', value: '玄武区社区卫生服务中心1号自助机' },
  ],
};

function signed(doc: DocumentContent, key: KeyObject = platform.privateKey) {
  const canonical = canonicalDocument(doc);
  const s = signCanonicalDocument(canonical, key);
  return { canonical, ...s, ...sealedDocument(canonical, s.signature, s.keyId) };
}

/** The payload with its document part replaced, the signature kept: what a forger can make. */
function withDocument(payload: string, json: string): string {
  const [format, keyId, , signature] = payload.split('.');
  return [format, keyId, Buffer.from(json, 'utf8').toString('base64url'), signature].join('.');
}

/** Changes the first digit of `s` to another digit. */
const changeDigit = (s: string) => s.replace(/\d/, (d) => String((Number(d) + 1) % 10));

describe('a signed certificate', () => {
  it('verifies with the platform key and gives back every field as printed, masked', () => {
    const { payload, verificationCode: code, keyId } = signed(certificate);
    const r = verifyDocument(payload, platform.publicKey);
    expect(r).toEqual({ ok: true, document: certificate, keyId, verificationCode: code });
    expect(payload).toMatch(/^ESV1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    expect(Buffer.from(payload.split('.')[2]!, 'base64url').toString()).not.toContain(wang.idNumber);
    expect(Buffer.from(payload.split('.')[2]!, 'base64url').toString()).not.toContain(wang.name);
  });

  it('has one canonical form: this JSON, nothing else', () => {
    const doc: DocumentContent = { kind: 'insurance-certificate', issuer: 'H1', issuedAt: '2026-01-02 03:04:05', fields: [{ label: '姓名', value: '王*国' }] };
    expect(canonicalDocument(doc)).toBe('["ESV1","insurance-certificate","H1","2026-01-02 03:04:05",[["姓名","王*国"]]]');
    expect(readCanonicalDocument(canonicalDocument(doc))).toEqual({ ok: true, document: doc });
    expect(readCanonicalDocument('[ "ESV1","insurance-certificate","H1","2026-01-02 03:04:05",[["姓名","王*国"]]]')).toMatchObject({ code: 'DOC_MALFORMED' });
    expect(readCanonicalDocument('["ESV1","insurance-certificate","H1","2026-01-02 03:04:05",[["\\u59d3名","王*国"]]]')).toMatchObject({
      code: 'DOC_MALFORMED',
    });
    expect(() => canonicalDocument({ ...doc, issuedAt: '2026-1-2 3:04:05' })).toThrow(DocumentError);
    expect(() => canonicalDocument({ ...doc, fields: [] })).toThrow(DocumentError);
  });

  it('fails DOC_SIGNATURE_INVALID when one digit of any field is changed', () => {
    const { payload } = signed(certificate);
    const withDigits = certificate.fields.filter((f) => /\d/.test(f.value));
    expect(withDigits.map((f) => f.label)).toEqual(['证件号码', '参保日期', '打印终端']);
    for (const f of withDigits) {
      const forged = { ...certificate, fields: certificate.fields.map((g) => (g === f ? { ...g, value: changeDigit(g.value) } : g)) };
      expect(verifyDocument(withDocument(payload, canonicalDocument(forged)), platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_SIGNATURE_INVALID' });
    }
    const suspended = { ...certificate, fields: certificate.fields.map((g) => (g.label === '参保状态' ? { ...g, value: '暂停参保' } : g)) };
    expect(verifyDocument(withDocument(payload, canonicalDocument(suspended)), platform.publicKey)).toMatchObject({ code: 'DOC_SIGNATURE_INVALID' });
  });

  it('fails DOC_SIGNATURE_INVALID when the issuer or the time is changed', () => {
    const { payload } = signed(certificate);
    for (const forged of [
      { ...certificate, issuer: changeDigit(certificate.issuer) },
      { ...certificate, issuedAt: changeDigit(certificate.issuedAt) },
      { ...certificate, issuedAt: '2026-03-14 09:26:54' },
    ]) {
      expect(verifyDocument(withDocument(payload, canonicalDocument(forged)), platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_SIGNATURE_INVALID' });
    }
  });

  it('fails DOC_SIGNATURE_INVALID when one byte of the signature is changed, and the code changes with it', () => {
    const { payload, verificationCode: code } = signed(certificate);
    const parts = payload.split('.');
    for (const at of [0, 31, 63]) {
      const sig = Buffer.from(parts[3]!, 'base64url');
      sig[at] = sig[at]! ^ 0x01;
      const forged = [...parts.slice(0, 3), sig.toString('base64url')].join('.');
      expect(verifyDocument(forged, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_SIGNATURE_INVALID' });
      expect(verificationCode(sig)).not.toBe(code);
    }
  });

  it('is another platform’s document: DOC_UNKNOWN_KEY; its own key verifies it', () => {
    const { payload } = signed(certificate, otherPlatform.privateKey);
    expect(verifyDocument(payload, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_UNKNOWN_KEY' });
    expect(verifyDocument(payload, [platform.publicKey, otherPlatform.publicKey])).toMatchObject({ ok: true });
    // Naming our key but signed by the other: the key id selects, the signature decides.
    const renamed = payload.replace(/^ESV1\.[^.]+\./, `ESV1.${documentKeyId(platform.publicKey)}.`);
    expect(verifyDocument(renamed, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_SIGNATURE_INVALID' });
  });

  it('fits the printer: under the QR budget, and the encoder takes it', () => {
    const { payload } = signed(certificate);
    expect(payload.length).toBeLessThan(QR_PAYLOAD_BUDGET);
    expect(() => new ReceiptBuilder().qr(payload)).not.toThrow();
  });
});

describe('hostile payloads get a typed failure, never an exception', () => {
  const { payload, canonical } = signed(certificate);
  const [, keyId, body, sig] = payload.split('.') as [string, string, string, string];

  it.each([
    ['empty', ''],
    ['a word', 'hello'],
    ['a URL', 'https://ybfw.example/verify?c=0123456789ABCDEF'],
    ['the format alone', 'ESV1'],
    ['too few parts', `ESV1.${keyId}.${body}`],
    ['too many parts', `${payload}.x`],
    ['an empty document part', `ESV1.${keyId}..${sig}`],
    ['a bad key id', `ESV1.k*y.${body}.${sig}`],
    ['base64 with padding', `ESV1.${keyId}.${body}==.${sig}`],
    ['standard base64 characters', `ESV1.${keyId}.${body.slice(0, -2)}+/.${sig}`],
    ['a non-canonical base64url spelling', `ESV1.${keyId}.${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}.${sig}`],
    ['a short signature', `ESV1.${keyId}.${body}.${sig.slice(0, 40)}`],
    ['a long signature', `ESV1.${keyId}.${body}.${sig}${sig}`],
    ['a huge string', `ESV1.${keyId}.${'A'.repeat(5_000_000)}.${sig}`],
    ['control characters', `ESV1.${keyId}.\u0000\u0001.${sig}`],
  ])('%s: DOC_MALFORMED (or the signature does not match)', (_name, p) => {
    const r = verifyDocument(p, platform.publicKey);
    expect(r.ok).toBe(false);
    expect(['DOC_MALFORMED', 'DOC_SIGNATURE_INVALID']).toContain(!r.ok && r.code);
  });

  it('garbage that is plainly not a document is DOC_MALFORMED', () => {
    for (const p of [
      '',
      'hello',
      'ESV1',
      `ESV1.${keyId}.${body}`,
      `ESV1.k*y.${body}.${sig}`,
      `ESV1.${keyId}.${body}.${sig.slice(0, 40)}`,
      'x'.repeat(MAX_PAYLOAD_LENGTH + 1),
    ])
      expect(verifyDocument(p, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_MALFORMED' });
  });

  it.each([[undefined], [null], [42], [{}], [['ESV1']], [Buffer.from(payload)], [{ toString: () => payload }]])('%o is not a payload: DOC_MALFORMED', (p) => {
    expect(verifyDocument(p, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_MALFORMED' });
  });

  it('a later format is DOC_UNSUPPORTED_VERSION, not malformed', () => {
    expect(verifyDocument(payload.replace(/^ESV1/, 'ESV2'), platform.publicKey)).toMatchObject({ code: 'DOC_UNSUPPORTED_VERSION' });
  });

  it('content the key did sign but that is not a canonical document is still refused: DOC_MALFORMED', () => {
    for (const json of [
      '{"kind":"insurance-certificate"}',
      '["ESV1","insurance-certificate","H1","2026-01-02 03:04:05",[]]',
      `${canonical} `,
      '["ESV1","insurance-certificate","H1","2026-01-02 03:04:05",[["姓名",1]]]',
    ]) {
      const s = signCanonicalDocument(json, platform.privateKey);
      const p = `ESV1.${s.keyId}.${Buffer.from(json).toString('base64url')}.${s.signature}`;
      expect(verifyDocument(p, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_MALFORMED' });
    }
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x5b]);
    const p = `ESV1.${documentKeyId(platform.publicKey)}.${notUtf8.toString('base64url')}.${sign(null, notUtf8, platform.privateKey).toString('base64url')}`;
    expect(verifyDocument(p, platform.publicKey)).toMatchObject({ ok: false, code: 'DOC_MALFORMED' });
  });

  it('ten thousand random mutations of a good payload: each a typed answer, none accepted', () => {
    let seed = 20260314;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9\u738b';
    for (let i = 0; i < 10_000; i++) {
      const chars = [...payload];
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(chars.length);
        const op = rnd(3);
        if (op === 0) chars[at] = alphabet[rnd(alphabet.length)]!;
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, alphabet[rnd(alphabet.length)]!);
      }
      const mutated = chars.join('');
      // Whitespace around a payload (a scanner's line end) is not part of it.
      if (mutated.trim() === payload) continue;
      const r = verifyDocument(mutated, platform.publicKey);
      expect(r.ok, mutated).toBe(false);
      expect(['DOC_MALFORMED', 'DOC_UNSUPPORTED_VERSION', 'DOC_UNKNOWN_KEY', 'DOC_SIGNATURE_INVALID']).toContain(!r.ok && r.code);
    }
  });
});
