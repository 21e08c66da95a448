/**
 * HMAC over the rows that matter (outbox, journal), so that a SQLite file edited behind the
 * terminal's back is noticed instead of settled.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyProvider } from '../face/keys';

export class RowMac {
  constructor(private readonly keys: KeyProvider) {}

  sign(table: string, fields: readonly (string | number | null)[]): string {
    const h = createHmac('sha256', this.keys.key());
    h.update(table);
    for (const f of fields) h.update(`\u0000${f === null ? '\u0001null' : String(f)}`);
    return h.digest('hex');
  }

  verify(table: string, fields: readonly (string | number | null)[], mac: string): boolean {
    const expected = Buffer.from(this.sign(table, fields), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
