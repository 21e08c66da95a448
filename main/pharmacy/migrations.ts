/**
 * The counter's own tables. Amounts in fen. A migration is never edited after it has shipped.
 */
import type { Migration } from '../store/migrations';

export const pharmacyMigrations: Migration[] = [
  {
    version: 1,
    name: 'shift-sale-refund',
    sql: `
      -- A cashier's shift: every sale and refund belongs to one; the report is kept when it closes.
      CREATE TABLE pharmacy_shift (
        shift_id   TEXT PRIMARY KEY,
        cashier    TEXT NOT NULL,
        opened_at  TEXT NOT NULL,
        closed_at  TEXT,
        report     TEXT
      ) STRICT;
      CREATE UNIQUE INDEX pharmacy_shift_one_open ON pharmacy_shift((closed_at IS NULL)) WHERE closed_at IS NULL;

      -- A sale from its quote to its outcome: quoted -> paying -> settled | pending-offline |
      -- unknown | needs-attention | failed, then refunding -> refunded. sale_id is the quote's id:
      -- paying twice for one quote finds this row, never makes a second settlement.
      CREATE TABLE pharmacy_sale (
        sale_id              TEXT PRIMARY KEY,
        shift_id             TEXT NOT NULL REFERENCES pharmacy_shift(shift_id),
        state                TEXT NOT NULL,
        psn_key              TEXT NOT NULL,
        customer             TEXT NOT NULL,
        basket               TEXT NOT NULL,
        use_account          INTEGER NOT NULL,
        mode                 TEXT NOT NULL,
        quote                TEXT NOT NULL,
        total                INTEGER NOT NULL,
        cash_collected       INTEGER,
        item_id              TEXT UNIQUE,
        quoted_at            TEXT NOT NULL,
        expires_at           INTEGER NOT NULL,
        cashier_confirmed_at TEXT,
        customer_confirmed   TEXT,
        receipt_printed      INTEGER NOT NULL DEFAULT 0,
        business_date        TEXT NOT NULL,
        updated_at           TEXT NOT NULL
      ) STRICT;
      CREATE INDEX pharmacy_sale_shift ON pharmacy_sale(shift_id);
      CREATE INDEX pharmacy_sale_person_day ON pharmacy_sale(psn_key, business_date);

      -- A refund (2103) of one settled sale, with the reason from the fixed list.
      CREATE TABLE pharmacy_refund (
        refund_id            TEXT PRIMARY KEY,
        sale_id              TEXT NOT NULL REFERENCES pharmacy_sale(sale_id),
        shift_id             TEXT NOT NULL REFERENCES pharmacy_shift(shift_id),
        reason               TEXT NOT NULL,
        note                 TEXT,
        item_id              TEXT NOT NULL UNIQUE,
        cashier_confirmed_at TEXT NOT NULL,
        receipt_printed      INTEGER NOT NULL DEFAULT 0,
        created_at           TEXT NOT NULL
      ) STRICT;
      -- One live refund per sale; a refused one (failed-business) may be tried again.
      CREATE INDEX pharmacy_refund_sale ON pharmacy_refund(sale_id);
    `,
  },
  {
    version: 2,
    name: 'audit',
    sql: `
      -- 事中审核: each warning a quote got (from the platform's 3102 or the local rule copy), and what
      -- the cashier did about it. Kept with the sale for the shift report and the platform's 3103.
      CREATE TABLE pharmacy_audit (
        sale_id     TEXT NOT NULL REFERENCES pharmacy_sale(sale_id),
        warning_id  TEXT NOT NULL,
        rule_id     TEXT NOT NULL,
        rule_name   TEXT NOT NULL,
        content     TEXT NOT NULL,
        amount      INTEGER NOT NULL,
        severity    TEXT NOT NULL CHECK (severity IN ('block', 'warn')),
        basis       TEXT,
        source      TEXT NOT NULL CHECK (source IN ('platform', 'local', 'redelivery')),
        line_id     TEXT,
        disposition TEXT CHECK (disposition IN ('continue', 'modify')),
        reason      TEXT,
        decided_by  TEXT,
        decided_at  TEXT,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (sale_id, warning_id)
      ) STRICT;
    `,
  },
];
