/**
 * Personal data at rest. Columns that hold ID numbers, names, phone or card numbers (outbox
 * payloads, cached person data, a sale's customer) are sealed with AES-256-GCM under a per-row
 * nonce; where only a lookup is needed, a keyed hash (HMAC-SHA256) stands in for the value.
 * Both keys are derived (HKDF) from the key provider that protects face templates, so one
 * secret — in the OS keyring under Electron, in a 0600 file under Node — guards all of it.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface KeySource {
  /** 32 bytes. */
  key(): Buffer;
}

export class PersonalDataError extends Error {
  constructor(
    readonly code: 'STORE_SEALED_UNREADABLE',
    message: string,
  ) {
    super(message);
    this.name = 'PersonalDataError';
  }
}

/** Sealed values start with this, so a reader can tell them from rows written before sealing. */
const PREFIX = 'pd1:';

export class PersonalData {
  private keys: { seal: Buffer; index: Buffer } | null = null;

  constructor(private readonly source: KeySource) {}

  private derived(): { seal: Buffer; index: Buffer } {
    if (!this.keys) {
      const root = this.source.key();
      const derive = (info: string) => Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `e-station ${info} v1`, 32));
      this.keys = { seal: derive('personal data seal'), index: derive('personal data index') };
    }
    return this.keys;
  }

  /** Seals text (usually JSON): `pd1:` + base64(nonce 12 | tag 16 | ciphertext). */
  seal(plain: string): string {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.derived().seal, nonce);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return PREFIX + Buffer.concat([nonce, c.getAuthTag(), body]).toString('base64');
  }

  /** Opens a sealed value; a value written before sealing existed is returned as it is. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < 28) throw new PersonalDataError('STORE_SEALED_UNREADABLE', 'a sealed value is too short');
    try {
      const d = createDecipheriv('aes-256-gcm', this.derived().seal, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new PersonalDataError('STORE_SEALED_UNREADABLE', 'a sealed value does not open with this terminal’s key');
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(stored: string): T {
    return JSON.parse(this.open(stored)) as T;
  }

  /** A keyed hash for lookups (the same value always gives the same hash on this terminal). */
  index(value: string): string {
    return createHmac('sha256', this.derived().index).update(value, 'utf8').digest('hex');
  }
}
