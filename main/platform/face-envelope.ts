/**
 * A camera frame on its way to the platform's face verification: AES-256-GCM under a fresh key,
 * the key wrapped with the platform's RSA public key (OAEP, SHA-256). Only the platform can read
 * it; nothing on the terminal keeps it.
 */
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';

export interface FaceEnvelope {
  alg: 'RSA-OAEP-256+A256GCM';
  key: string;
  iv: string;
  tag: string;
  data: string;
}

export function sealForPlatform(jpeg: Uint8Array, publicKeyPem: string): FaceEnvelope {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(jpeg), c.final()]);
  const wrapped = publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  key.fill(0);
  return {
    alg: 'RSA-OAEP-256+A256GCM',
    key: wrapped.toString('base64'),
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}
