/**
 * Schema migrations, applied in order inside one transaction each. A migration is never edited
 * after it has shipped; a change is a new entry.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'terminal-metadata',
    sql: `
      CREATE TABLE terminal_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'outbox',
    sql: `
      -- Every money-moving or record-changing request waits here, durably, until the platform
      -- has answered definitively. States are explained in main/outbox.
      CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        msgid       TEXT NOT NULL UNIQUE,
        infno       TEXT NOT NULL,
        psn_key     TEXT NOT NULL,
        state       TEXT NOT NULL,
        payload     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_state ON outbox(state);
    `,
  },
  {
    version: 3,
    name: 'face-gallery',
    sql: `
      -- Separate, explicit consent to face recognition (人脸识别技术应用安全管理办法): who, when,
      -- for what, on which terminal, under which consent text. Withdrawal deletes the templates.
      CREATE TABLE face_consent (
        id           INTEGER PRIMARY KEY,
        person_hash  TEXT NOT NULL,
        purpose      TEXT NOT NULL,
        terminal_id  TEXT NOT NULL,
        text_version TEXT NOT NULL,
        granted_at   TEXT NOT NULL,
        withdrawn_at TEXT
      ) STRICT;
      CREATE INDEX face_consent_person ON face_consent(person_hash);
      -- Templates: the embedding and the identity it belongs to, sealed with AES-256-GCM. Only
      -- keyed hashes of the person and of the second factor are in clear, for lookups.
      CREATE TABLE face_template (
        id            INTEGER PRIMARY KEY,
        person_hash   TEXT NOT NULL,
        factor_hash   TEXT,
        model_version TEXT NOT NULL,
        consent_id    INTEGER NOT NULL REFERENCES face_consent(id),
        iv            BLOB NOT NULL,
        ciphertext    BLOB NOT NULL,
        tag           BLOB NOT NULL,
        created_at    TEXT NOT NULL,
        expires_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX face_template_person ON face_template(person_hash);
      CREATE INDEX face_template_factor ON face_template(factor_hash);
    `,
  },
  {
    version: 4,
    name: 'outbox-journal-checkout',
    sql: `
      DROP TABLE outbox;
      -- One row per accepted money-moving or record-changing request. States: pending, sending,
      -- done, failed-business, unknown, reversed, needs-attention. The HMAC covers every column.
      CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY,
        item_id         TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        psn_key         TEXT NOT NULL,
        state           TEXT NOT NULL,
        reason          TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        payload         TEXT NOT NULL,
        result          TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        hmac            TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_state ON outbox(state, next_attempt_at);
      CREATE INDEX outbox_person ON outbox(psn_key, seq);
      -- The journal: every msgid is written here before it is sent, with what became of it.
      CREATE TABLE journal (
        msgid      TEXT PRIMARY KEY,
        item_id    TEXT NOT NULL,
        infno      TEXT NOT NULL,
        psn_no     TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        detail     TEXT,
        setl_id    TEXT,
        sent_at    TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        hmac       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX journal_item ON journal(item_id);
      -- Person data last seen from 1101, for offline estimates.
      CREATE TABLE person_cache (
        psn_no     TEXT PRIMARY KEY,
        data       TEXT NOT NULL,
        fetched_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'sales',
    sql: `
      -- The pharmacy's own record of each checkout, written with its outbox item in one
      -- transaction. Amounts in fen.
      CREATE TABLE sale (
        checkout_id    TEXT PRIMARY KEY,
        item_id        TEXT NOT NULL UNIQUE,
        psn_key        TEXT NOT NULL,
        mode           TEXT NOT NULL,
        total          INTEGER NOT NULL,
        cash_collected INTEGER NOT NULL,
        created_at     TEXT NOT NULL,
        business_date  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sale_person_day ON sale(psn_key, business_date);
    `,
  },
  {
    version: 6,
    name: 'personal-data-at-rest',
    sql: `
      -- The counter's sales moved to pharmacy_sale, owned by main/pharmacy.
      DROP TABLE sale;
      -- Person data for offline estimates, sealed (AES-256-GCM); found by a keyed hash of the ID
      -- number, never by the number itself. A cache: what was in the old table is fetched again.
      DROP TABLE person_cache;
      CREATE TABLE person_cache (
        psn_no     TEXT PRIMARY KEY,
        cert_hash  TEXT,
        data       TEXT NOT NULL,
        fetched_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX person_cache_cert ON person_cache(cert_hash);
    `,
  },
  {
    version: 7,
    name: 'face-template-quarantine',
    sql: `
      -- A template that fails to decrypt or parse is set aside, not deleted, so one bad row never
      -- blocks face login for everyone and the row is still there for a technician to examine.
      ALTER TABLE face_template ADD COLUMN quarantined_at TEXT;
      ALTER TABLE face_template ADD COLUMN quarantine_reason TEXT;
    `,
  },
  {
    version: 8,
    name: 'face-template-platform-confirmed',
    sql: `
      -- When the platform matched the enrolment with the person's reference photo. Templates from
      -- before that check (NULL) still log in at a kiosk but never pay: the payer re-enrols.
      ALTER TABLE face_template ADD COLUMN platform_confirmed_at TEXT;
    `,
  },
  {
    version: 9,
    name: 'face-template-chain-share',
    sql: `
      -- Enrolments shared across a pharmacy chain (issue 19 item 6). shared_id names a template
      -- chain-wide; chain_person is a hash keyed with the chain's key (the same person on every
      -- terminal of the chain, nobody else can compute it), so a withdrawal at one terminal finds
      -- the templates at the others; origin_terminal is where the person consented.
      ALTER TABLE face_template ADD COLUMN shared_id TEXT;
      ALTER TABLE face_template ADD COLUMN chain_person TEXT;
      ALTER TABLE face_template ADD COLUMN origin_terminal TEXT;
      CREATE UNIQUE INDEX face_template_shared ON face_template(shared_id) WHERE shared_id IS NOT NULL;
      CREATE INDEX face_template_chain_person ON face_template(chain_person);
      -- A withdrawal seen here: an older enrolment of that person arriving later is not stored.
      CREATE TABLE face_chain_withdrawal (
        chain_person TEXT PRIMARY KEY,
        withdrawn_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];
