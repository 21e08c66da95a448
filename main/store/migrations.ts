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
];
