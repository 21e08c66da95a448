/**
 * The key that protects biometric templates at rest. Under Electron it is wrapped by the OS
 * keyring (safeStorage, in main/electron); under plain Node it lives in a key file readable by
 * the terminal's user only (0600), and a file anyone else can read is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface KeyProvider {
  /** 32 bytes for AES-256-GCM. */
  key(): Buffer;
  describe(): string;
}

export class KeyError extends Error {
  constructor(
    readonly code: 'FACE_KEY_INSECURE' | 'FACE_KEY_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'KeyError';
  }
}

export class FileKeyProvider implements KeyProvider {
  private cached: Buffer | null = null;
  constructor(readonly file: string) {}

  key(): Buffer {
    if (this.cached) return this.cached;
    if (!fs.existsSync(this.file)) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(this.file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    if (process.platform !== 'win32') {
      const mode = fs.statSync(this.file).mode & 0o777;
      if (mode & 0o077) throw new KeyError('FACE_KEY_INSECURE', `${this.file} has mode ${mode.toString(8)}; it must be 600`);
    }
    const key = Buffer.from(fs.readFileSync(this.file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new KeyError('FACE_KEY_INVALID', `${this.file} does not hold a 32-byte key`);
    this.cached = key;
    return key;
  }

  describe(): string {
    return `key file ${this.file} (0600)`;
  }
}

export class StaticKeyProvider implements KeyProvider {
  constructor(private readonly k: Buffer) {
    if (k.length !== 32) throw new KeyError('FACE_KEY_INVALID', 'key must be 32 bytes');
  }
  key(): Buffer {
    return this.k;
  }
  describe(): string {
    return 'key supplied by the host';
  }
}
