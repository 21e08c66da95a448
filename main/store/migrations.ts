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
];
