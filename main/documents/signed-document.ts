/**
 * Signed documents: papers the kiosk prints (参保凭证 first) that anyone can check offline with
 * the platform's public key, so an altered or invented paper is caught without calling anyone.
 * The platform, not the terminal, holds the Ed25519 signing key (transaction X9301): a terminal,
 * or whoever has its disk, can ask for a signature but cannot make one.
 *
 * Canonical bytes, what is signed: the UTF-8 of
 *
 *   JSON.stringify(["ESV1", kind, issuer, issuedAt, [[label, value], ...]])
 *
 * with JSON.stringify's own escaping and no whitespace, the fields in printed order, every value a
 * string exactly as printed (personal data already masked: 王*国, 320***********1234), issuedAt
 * in Beijing time `yyyy-MM-dd HH:mm:ss`, issuer the institution code (定点医药机构编号) the
 * platform saw sign in. The leading "ESV1" binds a signature to this format, so it never verifies
 * as anything else the key signs. Any other serialisation of the same content is refused.
 *
 * QR payload: `ESV1.<key id>.<base64url(canonical bytes)>.<base64url(signature)>`, base64url
 * without padding; the key id is base64url of the first 6 bytes of SHA-256 of the public key's
 * SPKI DER. It carries everything needed to verify offline.
 *
 * Verification code (核验码): the first 16 characters of RFC 4648 base32 of SHA-256(signature),
 * in groups of four. It proves nothing alone; it lets whoever checks the QR see that the QR belongs
 * to the paper in their hand, and it is what a resident can read out on the phone.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const DOCUMENT_FORMAT = 'ESV1';
/** The longest canonical document the platform signs (X9301's `doc`). */
export const MAX_CANONICAL_LENGTH = 2000;
/** The longest payload `verifyDocument` reads: a longest document in base64url, key id and signature. */
export const MAX_PAYLOAD_LENGTH = 3000;
/**
 * What a printed document's QR may carry: QR version 19 at level M holds 624 bytes, and its 93
 * modules at the encoder's default 6 dots each (558) fit the 576 dots of 80 mm paper.
 */
export const QR_PAYLOAD_BUDGET = 600;

/** The kinds of document the platform signs, with the name a reader sees. */
export const DOCUMENT_KINDS: Readonly<Record<string, string>> = { 'insurance-certificate': '医疗保障参保凭证', 'data-authorisation': '个人信息授权书' };

export interface DocumentField {
  label: string;
  value: string;
}

export interface DocumentContent {
  /** What the paper is, e.g. 'insurance-certificate'. */
  kind: string;
  issuer: string;
  /** Beijing time, yyyy-MM-dd HH:mm:ss. */
  issuedAt: string;
  fields: DocumentField[];
}

export type DocumentFailureCode = 'DOC_MALFORMED' | 'DOC_UNSUPPORTED_VERSION' | 'DOC_UNKNOWN_KEY' | 'DOC_SIGNATURE_INVALID';

export type DocumentFailure = { ok: false; code: DocumentFailureCode; message: string };

export type DocumentVerification = { ok: true; document: DocumentContent; keyId: string; verificationCode: string } | DocumentFailure;

/** A document or key that cannot be used, found while making a document (never while verifying one). */
export class DocumentError extends Error {
  constructor(
    readonly code: 'DOC_MALFORMED' | 'DOC_KEY_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'DocumentError';
  }
}

const wireDocument = z
  .tuple([
    z.literal(DOCUMENT_FORMAT),
    z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'kind is lower-case letters, digits and hyphens'),
    z.string().min(1).max(100),
    z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'issued-at is yyyy-MM-dd HH:mm:ss'),
    z
      .array(z.tuple([z.string().min(1).max(20), z.string().max(200)]))
      .min(1)
      .max(30),
  ])
  .readonly();

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const KEY_ID = /^[A-Za-z0-9_-]{8}$/;
const SIGNATURE_BYTES = 64;

const failure = (code: DocumentFailureCode, message: string): DocumentFailure => ({ ok: false, code, message });

/** The canonical JSON of a document; throws DocumentError when it breaks the format's limits. */
export function canonicalDocument(doc: DocumentContent): string {
  const wire = [DOCUMENT_FORMAT, doc.kind, doc.issuer, doc.issuedAt, doc.fields.map((f) => [f.label, f.value])];
  const r = wireDocument.safeParse(wire);
  if (!r.success) throw new DocumentError('DOC_MALFORMED', `the document breaks the format: ${issues(r.error)}`);
  const json = JSON.stringify(wire);
  if (json.length > MAX_CANONICAL_LENGTH) throw new DocumentError('DOC_MALFORMED', `the document is over ${MAX_CANONICAL_LENGTH} characters`);
  return json;
}

/** Reads canonical JSON back, refusing anything that is not exactly what `canonicalDocument` makes. */
export function readCanonicalDocument(json: string): { ok: true; document: DocumentContent } | DocumentFailure {
  if (json.length > MAX_CANONICAL_LENGTH) return failure('DOC_MALFORMED', `the document is over ${MAX_CANONICAL_LENGTH} characters`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return failure('DOC_MALFORMED', 'the document is not JSON');
  }
  const r = wireDocument.safeParse(value);
  if (!r.success) return failure('DOC_MALFORMED', `the document breaks the format: ${issues(r.error)}`);
  if (JSON.stringify(r.data) !== json) return failure('DOC_MALFORMED', 'the document is not in canonical form');
  const [, kind, issuer, issuedAt, fields] = r.data;
  return { ok: true, document: { kind, issuer, issuedAt, fields: fields.map(([label, value]) => ({ label, value })) } };
}

/** The key id a payload names its signing key by. */
export function documentKeyId(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest().subarray(0, 6).toString('base64url');
}

/** An Ed25519 public key from PEM (SPKI); throws DocumentError('DOC_KEY_INVALID') for anything else. */
export function documentPublicKey(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new DocumentError('DOC_KEY_INVALID', `not a public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new DocumentError('DOC_KEY_INVALID', `an ${String(key.asymmetricKeyType)} key, not Ed25519`);
  return key;
}

/** The platform's side: signs canonical JSON it has checked with `readCanonicalDocument`. */
export function signCanonicalDocument(canonical: string, privateKey: KeyObject): { signature: string; keyId: string } {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new DocumentError('DOC_KEY_INVALID', 'documents are signed with Ed25519');
  return {
    signature: sign(null, Buffer.from(canonical, 'utf8'), privateKey).toString('base64url'),
    keyId: documentKeyId(createPublicKey(privateKey)),
  };
}

/** 核验码: XXXX-XXXX-XXXX-XXXX from the signature (base64url or bytes). */
export function verificationCode(signature: string | Buffer): string {
  const bytes = typeof signature === 'string' ? Buffer.from(signature, 'base64url') : signature;
  return base32(createHash('sha256').update(bytes).digest())
    .slice(0, 16)
    .replace(/(.{4})(?!$)/g, '$1-');
}

/** The QR payload of a signed document and its verification code, from the platform's answer. */
export function sealedDocument(canonical: string, signature: string, keyId: string): { payload: string; verificationCode: string } {
  const sig = strictBase64url(signature);
  if (!sig || sig.length !== SIGNATURE_BYTES) throw new DocumentError('DOC_MALFORMED', 'the signature is not 64 bytes of base64url');
  if (!KEY_ID.test(keyId)) throw new DocumentError('DOC_MALFORMED', 'the key id is not 8 characters of base64url');
  return {
    payload: `${DOCUMENT_FORMAT}.${keyId}.${Buffer.from(canonical, 'utf8').toString('base64url')}.${signature}`,
    verificationCode: verificationCode(sig),
  };
}

/**
 * Checks a payload against the platform's public key(s). Any input, however hostile, gives a
 * typed answer: the signature is checked before the content is read, and the content must be
 * canonical.
 */
export function verifyDocument(payload: unknown, publicKeys: KeyObject | readonly KeyObject[]): DocumentVerification {
  if (typeof payload !== 'string') return failure('DOC_MALFORMED', 'the payload is not text');
  if (payload.length > MAX_PAYLOAD_LENGTH) return failure('DOC_MALFORMED', `the payload is over ${MAX_PAYLOAD_LENGTH} characters`);
  const parts = payload.trim().split('.');
  if (parts[0] !== DOCUMENT_FORMAT) {
    return /^ESV\d{1,3}$/.test(parts[0] ?? '')
      ? failure('DOC_UNSUPPORTED_VERSION', `format ${parts[0]} is not one this program reads (${DOCUMENT_FORMAT})`)
      : failure('DOC_MALFORMED', 'not an E-Station document');
  }
  if (parts.length !== 4) return failure('DOC_MALFORMED', `expected 4 parts separated by '.', found ${parts.length}`);
  const [, keyId, body, sig] = parts as [string, string, string, string];
  if (!KEY_ID.test(keyId)) return failure('DOC_MALFORMED', 'the key id is not 8 characters of base64url');
  const bytes = strictBase64url(body);
  if (!bytes) return failure('DOC_MALFORMED', 'the document part is not base64url');
  const signature = strictBase64url(sig);
  if (!signature || signature.length !== SIGNATURE_BYTES) return failure('DOC_MALFORMED', 'the signature part is not 64 bytes of base64url');
  const keys: readonly KeyObject[] = Array.isArray(publicKeys) ? publicKeys : [publicKeys as KeyObject];
  const key = keys.find((k) => k.asymmetricKeyType === 'ed25519' && documentKeyId(k) === keyId);
  if (!key) return failure('DOC_UNKNOWN_KEY', `signed with key ${keyId}, which is not the one given`);
  let valid: boolean;
  try {
    valid = verify(null, bytes, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) return failure('DOC_SIGNATURE_INVALID', 'the signature does not match the content: the document was altered or not signed by this key');
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return failure('DOC_MALFORMED', 'the document is not UTF-8');
  }
  const read = readCanonicalDocument(json);
  if (!read.ok) return read;
  return { ok: true, document: read.document, keyId, verificationCode: verificationCode(signature) };
}

/** Base64url without padding, in the one spelling Node writes, or null. */
function strictBase64url(s: string): Buffer | null {
  if (!BASE64URL.test(s)) return null;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : null;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return bits > 0 ? out + BASE32[(acc << (5 - bits)) & 31] : out;
}

function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
    .join('; ');
}
