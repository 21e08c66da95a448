import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** AES-256-GCM with a fresh 96-bit IV; the associated data binds a ciphertext to its row. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, ciphertext, tag: c.getAuthTag() };
}

export function open(key: Buffer, sealed: { iv: Buffer; ciphertext: Buffer; tag: Buffer }, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, sealed.iv);
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(sealed.tag);
  return Buffer.concat([d.update(sealed.ciphertext), d.final()]);
}

/** A keyed hash for looking rows up by person or second factor without storing either in clear. */
export function lookupHash(key: Buffer, label: string, value: string): string {
  return createHmac('sha256', key).update(`${label}\u0000${value}`).digest('hex');
}
