/**
 * Service mode's own table. A migration is never edited after it has shipped.
 */
import type { Migration } from '../store/migrations';

export const serviceMigrations: Migration[] = [
  {
    version: 1,
    name: 'service-access',
    sql: `
      -- One row: the technician's PIN as a salted scrypt hash (never the digits) and the wrong-PIN
      -- counter, kept here so a restart neither forgets a lockout nor resets the backoff.
      CREATE TABLE service_access (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        pin_kdf      TEXT,             -- JSON {"alg":"scrypt","N":..,"r":..,"p":..,"keyLen":..}
        pin_salt     BLOB,
        pin_hash     BLOB,
        pin_set_at   TEXT,
        failures     INTEGER NOT NULL DEFAULT 0,
        next_try_at  INTEGER,          -- ms since the epoch; no PIN is checked before it
        locked_until INTEGER           -- ms since the epoch; lockout after too many wrong PINs
      ) STRICT;
      INSERT INTO service_access(id) VALUES (1);
    `,
  },
];
