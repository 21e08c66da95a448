/**
 * `estation verify PAYLOAD|FILE --public-key KEY.pem | --platform URL`: checks the QR payload of a
 * printed document (main/documents) against the platform's public key, offline once the key is
 * at hand. Exit 0: genuine, with its fields; 1: not genuine, with the code that says why; 2: the
 * key could not be had; 64: usage.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { DOCUMENT_KINDS, DocumentError, MAX_PAYLOAD_LENGTH, documentPublicKey, verifyDocument } from '../documents/signed-document';
import { CliFailure } from './failure';

type Out = (text: string) => void;

const USAGE = 'usage: estation verify PAYLOAD|FILE (--public-key KEY.pem | --platform URL) [--json]';
/** A public key in PEM is about 113 bytes; anything this long is not one. */
const MAX_KEY_BYTES = 16 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function verifyCommand(argv: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'public-key': { type: 'string' }, platform: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new CliFailure('CLI_USAGE', USAGE, 64);
  if (!values['public-key'] === !values.platform) throw new CliFailure('CLI_USAGE', 'give exactly one of --public-key and --platform', 64);
  const payload = readPayload(positionals[0]!);
  const key = values['public-key'] ? keyFromFile(values['public-key']) : await keyFromPlatform(values.platform!);
  const r = verifyDocument(payload, key);
  if (!r.ok) throw new CliFailure(r.code, r.message, 1);
  const d = r.document;
  if (values.json) {
    out(JSON.stringify({ valid: true, ...d, keyId: r.keyId, verificationCode: r.verificationCode }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `真实有效 (genuine): ${DOCUMENT_KINDS[d.kind] ?? d.kind}`,
    ...d.fields.map((f) => `  ${f.label}  ${f.value}`),
    `  出具机构  ${d.issuer}`,
    `  出具时间  ${d.issuedAt}（北京时间）`,
    `  核验码  ${r.verificationCode}`,
    `  签章密钥  ${r.keyId}`,
  ];
  out(lines.join('\n') + '\n');
  return 0;
}

/** The payload itself, or the content of the file it names. */
function readPayload(arg: string): string {
  if (arg.startsWith('ESV') || !fs.existsSync(arg)) return arg;
  try {
    if (fs.statSync(arg).size > MAX_PAYLOAD_LENGTH * 4) throw new CliFailure('DOC_MALFORMED', `${arg} is longer than any document`, 1);
    return fs.readFileSync(arg, 'utf8').trim();
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    throw new CliFailure('CLI_INPUT_UNREADABLE', `cannot read ${arg}: ${(err as Error).message}`, 64);
  }
}

function publicKey(pem: string | Buffer, from: string): KeyObject {
  try {
    return documentPublicKey(pem);
  } catch (err) {
    if (err instanceof DocumentError) throw new CliFailure(err.code, `${from}: ${err.message}`, 2);
    throw err;
  }
}

function keyFromFile(file: string): KeyObject {
  let pem: Buffer;
  try {
    if (fs.statSync(file).size > MAX_KEY_BYTES) throw new Error('too large for a public key');
    pem = fs.readFileSync(file);
  } catch (err) {
    throw new CliFailure('DOC_KEY_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, 2);
  }
  return publicKey(pem, file);
}

/** The platform's key from GET /documents/public-key: over https, or plain http to this machine only. */
async function keyFromPlatform(base: string): Promise<KeyObject> {
  let url: URL;
  try {
    url = new URL('/documents/public-key', base);
  } catch {
    throw new CliFailure('CLI_USAGE', `--platform is not a URL: ${base}`, 64);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new CliFailure('CLI_USAGE', '--platform must be https:// (plain http only to this machine): a key fetched in the clear proves nothing', 64);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  } catch (err) {
    throw new CliFailure('PLATFORM_UNREACHABLE', `cannot fetch ${url.href}: ${(err as Error).message}`, 2);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new CliFailure('PLATFORM_HTTP_ERROR', `${url.href} answered HTTP ${res.status}`, 2);
  }
  return publicKey(await boundedBody(res, url.href), url.href);
}

/** The answer's body, read no further than a public key can be long. */
async function boundedBody(res: Response, from: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop early cancels the stream.
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > MAX_KEY_BYTES) break;
      chunks.push(chunk);
    }
  } catch (err) {
    throw new CliFailure('PLATFORM_CONNECTION_LOST', `${from}: ${(err as Error).message}`, 2);
  }
  if (size > MAX_KEY_BYTES) throw new CliFailure('DOC_KEY_INVALID', `${from} answered over ${MAX_KEY_BYTES} bytes, too many for a public key`, 2);
  return Buffer.concat(chunks);
}
