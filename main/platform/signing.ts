/**
 * Gateway signing in front of the platform, pluggable per province (reference §1.1): the TIF
 * gateway's x-tif headers, Jiangsu CSB's `_api_*` HMAC, or a plain apikey.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const signingConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('apikey'), apikey: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('tif'), paasid: z.string().min(1), secret: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('csb'),
      accessKey: z.string().min(1),
      secretKey: z.string().min(1),
      apiName: z.string().min(1),
      apiVersion: z.string().min(1),
      timestampUnit: z.enum(['ms', 's']).default('ms'),
    })
    .strict(),
]);
export type SigningConfig = z.output<typeof signingConfigSchema>;

export type GatewaySigner = (nowMs: number) => Record<string, string>;

/** x-tif-signature = lower-hex(SHA-256(timestamp + secret + nonce + timestamp)), timestamp in seconds. */
export function tifHeaders(paasid: string, secret: string, nowMs: number, nonce = randomBytes(16).toString('hex')): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  return {
    'x-tif-paasid': paasid,
    'x-tif-timestamp': ts,
    'x-tif-nonce': nonce,
    'x-tif-signature': createHash('sha256')
      .update(ts + secret + nonce + ts, 'utf8')
      .digest('hex'),
  };
}

/** _api_signature = Base64(HMAC-SHA1(secretKey, sorted "_api_access_key=…&_api_name=…&_api_timestamp=…&_api_version=…")). */
export function csbHeaders(
  c: { accessKey: string; secretKey: string; apiName: string; apiVersion: string; timestampUnit: 'ms' | 's' },
  nowMs: number,
): Record<string, string> {
  const h: Record<string, string> = {
    _api_access_key: c.accessKey,
    _api_name: c.apiName,
    _api_timestamp: String(c.timestampUnit === 'ms' ? nowMs : Math.floor(nowMs / 1000)),
    _api_version: c.apiVersion,
  };
  const base = Object.keys(h)
    .sort()
    .map((k) => `${k}=${h[k]}`)
    .join('&');
  return { ...h, _api_signature: createHmac('sha1', c.secretKey).update(base, 'utf8').digest('base64') };
}

export function makeSigner(c: SigningConfig): GatewaySigner {
  switch (c.kind) {
    case 'none':
      return () => ({});
    case 'apikey':
      return () => ({ apikey: c.apikey });
    case 'tif':
      return (now) => tifHeaders(c.paasid, c.secret, now);
    case 'csb':
      return (now) => csbHeaders(c, now);
  }
}
