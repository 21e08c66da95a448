/**
 * The technician's PIN as it is kept: a salted scrypt hash with its parameters, never the digits.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: 32 MiB and ~50-250 ms per try, paid on every unlock; raising it later is safe, the parameters travel with each hash. */
export const scryptParams = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 } as const;

export interface PinHash {
  kdf: { alg: 'scrypt'; N: number; r: number; p: number; keyLen: number };
  salt: Buffer;
  hash: Buffer;
}

function derive(pin: string, salt: Buffer, kdf: PinHash['kdf']): Promise<Buffer> {
  // maxmem above 128 * N * r, which Node's 32 MiB default only just reaches.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r };
  return new Promise((resolve, reject) => scrypt(pin, salt, kdf.keyLen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPin(pin: string): Promise<PinHash> {
  const kdf = { alg: 'scrypt' as const, ...scryptParams };
  const salt = randomBytes(16);
  return { kdf, salt, hash: await derive(pin, salt, kdf) };
}

export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const key = await derive(pin, stored.salt, stored.kdf);
  return key.length === stored.hash.length && timingSafeEqual(key, stored.hash);
}

/** PINs that are among the first anyone would try at a Chinese terminal. */
const COMMON = new Set(['5201314', '1314520', '147258', '147258369', '159753', '123321', '112233', '111222', '666888', '888666']);

/**
 * Why a new PIN is too easy to guess, or null. Refused: all one digit (000000), a run up or down
 * (123456, 987654), a short pattern repeated (121212, 520520, 20242024) and a few well-known PINs.
 */
export function weakPinReason(pin: string): 'same-digit' | 'sequence' | 'repeated-pattern' | 'common' | null {
  const d = [...pin].map(Number);
  if (d.every((x) => x === d[0])) return 'same-digit';
  const step = d[1]! - d[0]!;
  if (Math.abs(step) === 1 && d.every((x, i) => i === 0 || x - d[i - 1]! === step)) return 'sequence';
  for (let period = 2; period <= Math.min(4, pin.length / 2); period++)
    if (pin.length % period === 0 && pin === pin.slice(0, period).repeat(pin.length / period)) return 'repeated-pattern';
  if (COMMON.has(pin)) return 'common';
  return null;
}
