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

/** What main/electron hands over from safeStorage; a fake in tests. */
export interface OsKeyring {
  /** Whether strings can be encrypted at all. */
  available(): boolean;
  /** Linux: the backend in use; 'basic_text' is a hard-coded password, not protection. */
  backend(): string;
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export type SealedKeyOutcome = { key: Buffer; source: 'sealed' | 'sealed-new' | 'sealed-migrated' } | { key: null; reason: 'KEYRING_UNAVAILABLE' };

/**
 * The face key sealed by the OS keyring in `<keysDir>/face.key.sealed`. A plain 0600 key file
 * already there is sealed and then removed, so templates enrolled before stay readable. When the
 * keyring is missing or is Chromium's basic_text stand-in, returns null and the caller keeps the
 * 0600 key file (saying so in diagnostics) rather than pretending. A sealed file that no longer
 * opens (keyring reset) is an error: the templates cannot be read, and residents must re-enrol.
 */
export function openSealedKey(keysDir: string, keyring: OsKeyring): SealedKeyOutcome {
  if (!keyring.available() || keyring.backend() === 'basic_text') return { key: null, reason: 'KEYRING_UNAVAILABLE' };
  const sealedFile = path.join(keysDir, 'face.key.sealed');
  const plainFile = path.join(keysDir, 'face.key');
  if (fs.existsSync(sealedFile)) {
    let key: Buffer;
    try {
      key = Buffer.from(keyring.decrypt(fs.readFileSync(sealedFile)), 'base64');
    } catch (err) {
      throw new KeyError(
        'FACE_KEY_INVALID',
        `${sealedFile} cannot be opened by the OS keyring (${(err as Error).message}); face templates must be enrolled again`,
      );
    }
    if (key.length !== 32) throw new KeyError('FACE_KEY_INVALID', `${sealedFile} does not hold a 32-byte key`);
    return { key, source: 'sealed' };
  }
  fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const migrating = fs.existsSync(plainFile);
  const key = migrating ? new FileKeyProvider(plainFile).key() : randomBytes(32);
  const tmp = `${sealedFile}.tmp`;
  fs.writeFileSync(tmp, keyring.encrypt(key.toString('base64')), { mode: 0o600 });
  fs.renameSync(tmp, sealedFile);
  if (migrating) fs.rmSync(plainFile);
  return { key, source: migrating ? 'sealed-migrated' : 'sealed-new' };
}
