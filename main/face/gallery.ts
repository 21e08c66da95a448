/**
 * The face gallery in SQLite. Each template holds the embedding and the identity it belongs to,
 * sealed with AES-256-GCM; rows carry the model version they were made with, and a template of
 * another model version is never compared (the person must enrol again). Raw frames never reach
 * this file.
 *
 * One unreadable template must not lock everyone out of face login: a template that fails to
 * decrypt or parse is quarantined (kept, out of the search set) and reported once, while the
 * rest of the gallery keeps working. When no template opens at all the key is the likelier
 * culprit, so nothing is quarantined and the load fails instead.
 */
import { EventEmitter } from 'node:events';
import type { Db } from '../store/database';
import type { Clock } from '../ground/clock';
import { EMBEDDING_DIM } from '../../models/face-engine';
import type { KeyProvider } from './keys';
import { lookupHash, open, seal } from './sealed';
import { GallerySearch } from './search';

export interface EnrolledPerson {
  certType: '01' | '02' | '03';
  certNo: string;
  idNumber: string | null;
  name: string | null;
}

export interface Consent {
  purpose: 'kiosk-login' | 'payment' | 'verification';
  textVersion: string;
}

export class FaceGalleryError extends Error {
  constructor(
    readonly code: 'FACE_NOT_ENROLLED' | 'FACE_MODEL_VERSION_MISMATCH' | 'FACE_CONSENT_MISSING' | 'FACE_TEMPLATE_UNREADABLE',
    message: string,
  ) {
    super(message);
    this.name = 'FaceGalleryError';
  }
}

/** What a quarantine event carries: no person data, only enough for a technician to find the row. */
export interface QuarantinedTemplate {
  templateId: number;
  modelVersion: string;
  reason: 'undecryptable' | 'malformed';
}

interface Loaded {
  templateId: number;
  personHash: string;
  factorHash: string | null;
  person: EnrolledPerson;
  /** The platform matched this enrolment with the person's reference photo. */
  confirmed: boolean;
}

/** The stable key of a person: their ID number when known, else the certificate. */
export function personKey(p: EnrolledPerson): string {
  return p.idNumber ?? `${p.certType}:${p.certNo}`;
}

function packPayload(person: EnrolledPerson, embedding: Float32Array): Buffer {
  const head = Buffer.from(JSON.stringify(person), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  return Buffer.concat([len, head, Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength)]);
}

function isEnrolledPerson(v: unknown): v is EnrolledPerson {
  const p = v as Partial<EnrolledPerson> | null;
  return typeof p === 'object' && p !== null && ['01', '02', '03'].includes(p.certType ?? '') && typeof p.certNo === 'string';
}

function unpackPayload(b: Buffer): { person: EnrolledPerson; embedding: Float32Array } {
  const n = b.readUInt32BE(0);
  const person: unknown = JSON.parse(b.subarray(4, 4 + n).toString('utf8'));
  if (!isEnrolledPerson(person)) throw new FaceGalleryError('FACE_TEMPLATE_UNREADABLE', 'template does not hold a person');
  const raw = b.subarray(4 + n);
  if (raw.length !== EMBEDDING_DIM * 4) throw new FaceGalleryError('FACE_TEMPLATE_UNREADABLE', 'template has the wrong embedding size');
  const embedding = new Float32Array(EMBEDDING_DIM);
  Buffer.from(embedding.buffer).set(raw);
  return { person, embedding };
}

/**
 * An enrolment as it is shared across a chain: everything another terminal needs to store it under
 * its own key. Lives in memory only (the event at enrolment, the import after decryption).
 */
export interface SharedEnrolment {
  person: EnrolledPerson;
  embedding: Float32Array;
  /** The second factor in clear (each terminal keeps only its own keyed hash of it). */
  factor: string | null;
  consent: Consent & { grantedAt: string };
  platformConfirmedAt: string | null;
  enrolledAt: string;
  expiresAt: string;
  modelVersion: string;
}

export interface GalleryEvents {
  quarantined: [QuarantinedTemplate];
  /** A template enrolled here (with its consent), for the chain to share. */
  enrolled: [{ templateId: number; share: SharedEnrolment }];
  /** A person's templates deleted and consent withdrawn here. */
  deleted: [{ person: EnrolledPerson; at: string }];
}

export interface GalleryOptions {
  modelVersion: string;
  terminalId: string;
  retentionDays: number;
}

export class FaceGallery extends EventEmitter<GalleryEvents> {
  private loaded: Loaded[] = [];
  private search: GallerySearch | null = null;
  private dirty = true;

  constructor(
    private readonly db: Db,
    private readonly keys: KeyProvider,
    private readonly clock: Clock,
    private readonly opts: GalleryOptions,
  ) {
    super();
  }

  private hash(label: string, value: string): string {
    return lookupHash(this.keys.key(), label, value);
  }

  private aad(personHash: string, modelVersion: string): string {
    return `face-template\u0000${personHash}\u0000${modelVersion}`;
  }

  /** Records a separate, explicit consent and returns its id. */
  recordConsent(person: EnrolledPerson, consent: Consent): number {
    const r = this.db
      .prepare('INSERT INTO face_consent(person_hash, purpose, terminal_id, text_version, granted_at) VALUES (?, ?, ?, ?, ?)')
      .run(this.hash('person', personKey(person)), consent.purpose, this.opts.terminalId, consent.textVersion, this.clock.nowIso());
    return Number(r.lastInsertRowid);
  }

  activeConsent(person: EnrolledPerson): { id: number; purpose: string; grantedAt: string } | null {
    const row = this.db
      .prepare('SELECT id, purpose, granted_at AS grantedAt FROM face_consent WHERE person_hash = ? AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1')
      .get(this.hash('person', personKey(person))) as { id: number; purpose: string; grantedAt: string } | undefined;
    return row ?? null;
  }

  /**
   * Stores a template under an existing consent. `factor` is the second factor (e.g. last 4 phone
   * digits); `platformConfirmedAt` when the platform matched the face with the reference photo.
   */
  enrol(person: EnrolledPerson, embedding: Float32Array, consentId: number, factor: string | null, platformConfirmedAt: string | null = null): number {
    const consent = this.db.prepare('SELECT person_hash, withdrawn_at FROM face_consent WHERE id = ?').get(consentId) as
      { person_hash: string; withdrawn_at: string | null } | undefined;
    const personHash = this.hash('person', personKey(person));
    if (!consent || consent.withdrawn_at || consent.person_hash !== personHash)
      throw new FaceGalleryError('FACE_CONSENT_MISSING', 'no active consent of this person for face recognition');
    if (embedding.length !== EMBEDDING_DIM) throw new RangeError('embedding must be 512-d');
    const sealed = seal(this.keys.key(), packPayload(person, embedding), this.aad(personHash, this.opts.modelVersion));
    const now = this.clock.now();
    const r = this.db
      .prepare(
        'INSERT INTO face_template(person_hash, factor_hash, model_version, consent_id, iv, ciphertext, tag, created_at, expires_at, platform_confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        personHash,
        factor ? this.hash('factor', factor) : null,
        this.opts.modelVersion,
        consentId,
        sealed.iv,
        sealed.ciphertext,
        sealed.tag,
        new Date(now).toISOString(),
        new Date(now + this.opts.retentionDays * 86_400_000).toISOString(),
        platformConfirmedAt,
      );
    this.dirty = true;
    const templateId = Number(r.lastInsertRowid);
    if (this.listenerCount('enrolled')) {
      const c = this.db.prepare('SELECT purpose, text_version, granted_at FROM face_consent WHERE id = ?').get(consentId) as {
        purpose: Consent['purpose'];
        text_version: string;
        granted_at: string;
      };
      this.emit('enrolled', {
        templateId,
        share: {
          person,
          embedding,
          factor,
          consent: { purpose: c.purpose, textVersion: c.text_version, grantedAt: c.granted_at },
          platformConfirmedAt,
          enrolledAt: new Date(now).toISOString(),
          expiresAt: new Date(now + this.opts.retentionDays * 86_400_000).toISOString(),
          modelVersion: this.opts.modelVersion,
        },
      });
    }
    return templateId;
  }

  /** Deletes every template of the person and withdraws their consent. Returns templates removed. */
  deletePerson(person: EnrolledPerson): number {
    const personHash = this.hash('person', personKey(person));
    const at = this.clock.nowIso();
    const removed = this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM face_template WHERE person_hash = ?').run(personHash).changes;
      this.db.prepare('UPDATE face_consent SET withdrawn_at = ? WHERE person_hash = ? AND withdrawn_at IS NULL').run(at, personHash);
      return n;
    })();
    this.dirty = true;
    this.emit('deleted', { person, at });
    return removed;
  }

  /** Names a template chain-wide once the chain knows it (the origin's own copy). */
  markShared(templateId: number, sharedId: string, chainPerson: string): void {
    this.db
      .prepare('UPDATE face_template SET shared_id = ?, chain_person = ?, origin_terminal = ? WHERE id = ?')
      .run(sharedId, chainPerson, this.opts.terminalId, templateId);
  }

  /**
   * Stores an enrolment made at another terminal of the chain, sealed under this terminal's key,
   * with the consent as the person gave it there. Idempotent by `sharedId`; an enrolment older
   * than a withdrawal of the same person seen here is not stored.
   */
  importShared(sharedId: string, chainPerson: string, origin: string, e: SharedEnrolment): 'stored' | 'known' | 'withdrawn' {
    if (e.embedding.length !== EMBEDDING_DIM) throw new FaceGalleryError('FACE_TEMPLATE_UNREADABLE', 'shared template has the wrong embedding size');
    if (this.db.prepare('SELECT 1 FROM face_template WHERE shared_id = ?').get(sharedId)) return 'known';
    const w = this.db.prepare('SELECT withdrawn_at FROM face_chain_withdrawal WHERE chain_person = ?').get(chainPerson) as { withdrawn_at: string } | undefined;
    if (w && w.withdrawn_at >= e.enrolledAt) return 'withdrawn';
    const personHash = this.hash('person', personKey(e.person));
    this.db.transaction(() => {
      const c = this.db
        .prepare('INSERT INTO face_consent(person_hash, purpose, terminal_id, text_version, granted_at) VALUES (?, ?, ?, ?, ?)')
        .run(personHash, e.consent.purpose, origin, e.consent.textVersion, e.consent.grantedAt);
      const sealed = seal(this.keys.key(), packPayload(e.person, e.embedding), this.aad(personHash, e.modelVersion));
      this.db
        .prepare(
          'INSERT INTO face_template(person_hash, factor_hash, model_version, consent_id, iv, ciphertext, tag, created_at, expires_at, platform_confirmed_at, shared_id, chain_person, origin_terminal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          personHash,
          e.factor ? this.hash('factor', e.factor) : null,
          e.modelVersion,
          Number(c.lastInsertRowid),
          sealed.iv,
          sealed.ciphertext,
          sealed.tag,
          e.enrolledAt,
          e.expiresAt,
          e.platformConfirmedAt,
          sharedId,
          chainPerson,
          origin,
        );
    })();
    this.dirty = true;
    return 'stored';
  }

  /** A withdrawal made at another terminal of the chain: that person's templates go, and their consents end. */
  deleteChainPerson(chainPerson: string, at: string): number {
    const removed = this.db.transaction(() => {
      const hashes = (
        this.db.prepare('SELECT DISTINCT person_hash FROM face_template WHERE chain_person = ?').all(chainPerson) as { person_hash: string }[]
      ).map((r) => r.person_hash);
      let n = 0;
      for (const h of hashes) {
        n += this.db.prepare('DELETE FROM face_template WHERE person_hash = ?').run(h).changes;
        this.db.prepare('UPDATE face_consent SET withdrawn_at = ? WHERE person_hash = ? AND withdrawn_at IS NULL').run(at, h);
      }
      this.db
        .prepare(
          'INSERT INTO face_chain_withdrawal(chain_person, withdrawn_at) VALUES (?, ?) ON CONFLICT (chain_person) DO UPDATE SET withdrawn_at = MAX(withdrawn_at, excluded.withdrawn_at)',
        )
        .run(chainPerson, at);
      return n;
    })();
    this.dirty = true;
    return removed;
  }

  /** Whether a chain-wide template is stored here (for the chain's confirmations and tests). */
  hasShared(sharedId: string): boolean {
    return this.db.prepare('SELECT 1 FROM face_template WHERE shared_id = ?').get(sharedId) !== undefined;
  }

  /** Removes templates past their retention date and those whose consent was withdrawn. */
  purgeExpired(): number {
    const n = this.db
      .prepare('DELETE FROM face_template WHERE expires_at <= ? OR consent_id IN (SELECT id FROM face_consent WHERE withdrawn_at IS NOT NULL)')
      .run(this.clock.nowIso()).changes;
    if (n) this.dirty = true;
    return n;
  }

  isEnrolled(person: EnrolledPerson): boolean {
    const row = this.db
      .prepare('SELECT 1 FROM face_template WHERE person_hash = ? AND model_version = ? AND quarantined_at IS NULL LIMIT 1')
      .get(this.hash('person', personKey(person)), this.opts.modelVersion);
    return row !== undefined;
  }

  counts(): { current: number; otherModelVersion: number; quarantined: number } {
    const rows = this.db
      .prepare(
        "SELECT CASE WHEN quarantined_at IS NOT NULL THEN 'quarantined' WHEN model_version = ? THEN 'current' ELSE 'otherModelVersion' END AS kind, COUNT(*) AS n FROM face_template GROUP BY kind",
      )
      .all(this.opts.modelVersion) as { kind: 'current' | 'otherModelVersion' | 'quarantined'; n: number }[];
    const n = (kind: string) => rows.find((r) => r.kind === kind)?.n ?? 0;
    return { current: n('current'), otherModelVersion: n('otherModelVersion'), quarantined: n('quarantined') };
  }

  /** Decrypts the current model version's templates into the search matrix, setting aside those that do not open. */
  private async ensureLoaded(): Promise<void> {
    if (!this.dirty) return;
    const rows = this.db
      .prepare(
        'SELECT id, person_hash, factor_hash, iv, ciphertext, tag, platform_confirmed_at FROM face_template WHERE model_version = ? AND expires_at > ? AND quarantined_at IS NULL ORDER BY id',
      )
      .all(this.opts.modelVersion, this.clock.nowIso()) as {
      id: number;
      person_hash: string;
      factor_hash: string | null;
      iv: Buffer;
      ciphertext: Buffer;
      tag: Buffer;
      platform_confirmed_at: string | null;
    }[];
    const embeddings: Float32Array[] = [];
    const loaded: Loaded[] = [];
    const unreadable: QuarantinedTemplate[] = [];
    // A template whose GCM tag verifies proves the key; without one, every failure may be the key's.
    let keyProven = false;
    const key = this.keys.key();
    for (const r of rows) {
      let payload: Buffer;
      try {
        payload = open(key, r, this.aad(r.person_hash, this.opts.modelVersion));
      } catch {
        unreadable.push({ templateId: r.id, modelVersion: this.opts.modelVersion, reason: 'undecryptable' });
        continue;
      }
      keyProven = true;
      try {
        const { person, embedding } = unpackPayload(payload);
        embeddings.push(embedding);
        loaded.push({ templateId: r.id, personHash: r.person_hash, factorHash: r.factor_hash, person, confirmed: r.platform_confirmed_at !== null });
      } catch {
        unreadable.push({ templateId: r.id, modelVersion: this.opts.modelVersion, reason: 'malformed' });
      }
    }
    if (unreadable.length && !keyProven) {
      throw new FaceGalleryError('FACE_TEMPLATE_UNREADABLE', `none of the ${rows.length} templates can be decrypted with this terminal's key`);
    }
    if (unreadable.length) this.quarantine(unreadable);
    const matrix = new Float32Array(embeddings.length * EMBEDDING_DIM);
    embeddings.forEach((e, i) => matrix.set(e, i * EMBEDDING_DIM));
    this.search ??= await GallerySearch.create();
    this.search.load(matrix);
    this.loaded = loaded;
    this.dirty = false;
  }

  private quarantine(templates: QuarantinedTemplate[]): void {
    const mark = this.db.prepare('UPDATE face_template SET quarantined_at = ?, quarantine_reason = ? WHERE id = ? AND quarantined_at IS NULL');
    const now = this.clock.nowIso();
    // Reported by whoever marks the row, so a template is reported once however many galleries load it.
    const marked = this.db.transaction(() => templates.filter((t) => mark.run(now, t.reason, t.templateId).changes === 1))();
    for (const t of marked) this.emit('quarantined', t);
  }

  /** 1:1: the best score of the person's current-version templates against `probe`. */
  async verify(person: EnrolledPerson, probe: Float32Array): Promise<number> {
    const personHash = this.hash('person', personKey(person));
    const versions = this.db
      .prepare('SELECT DISTINCT model_version AS v FROM face_template WHERE person_hash = ? AND quarantined_at IS NULL')
      .all(personHash) as { v: string }[];
    if (versions.length === 0) throw new FaceGalleryError('FACE_NOT_ENROLLED', 'this person has no usable face template: enrol again');
    if (!versions.some((x) => x.v === this.opts.modelVersion)) {
      throw new FaceGalleryError(
        'FACE_MODEL_VERSION_MISMATCH',
        `templates were made with ${versions.map((x) => x.v).join(', ')}; this terminal runs ${this.opts.modelVersion}: enrol again`,
      );
    }
    await this.ensureLoaded();
    const rows = this.loaded.map((l, i) => ({ l, i })).filter((x) => x.l.personHash === personHash);
    // Their templates may have expired, or been quarantined by this very load.
    if (rows.length === 0) throw new FaceGalleryError('FACE_NOT_ENROLLED', 'this person has no usable face template: enrol again');
    const scores = await this.search!.scores(probe);
    return Math.max(...rows.map((x) => scores[x.i]!));
  }

  /**
   * 1:N: persons ranked by their best template score. With a second factor the gallery is first
   * narrowed to the templates enrolled with it; `confirmedOnly` leaves out templates the platform
   * never matched with the person's reference photo (payment uses only those).
   */
  async identify(
    probe: Float32Array,
    opts: { factor?: string | null; limit?: number; confirmedOnly?: boolean } = {},
  ): Promise<{ person: EnrolledPerson; score: number }[]> {
    await this.ensureLoaded();
    const scores = await this.search!.scores(probe);
    const factorHash = opts.factor ? this.hash('factor', opts.factor) : null;
    const best = new Map<string, { person: EnrolledPerson; score: number }>();
    this.loaded.forEach((l, i) => {
      if (factorHash && l.factorHash !== factorHash) return;
      if (opts.confirmedOnly && !l.confirmed) return;
      const s = scores[i]!;
      const cur = best.get(l.personHash);
      if (!cur || s > cur.score) best.set(l.personHash, { person: l.person, score: s });
    });
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, opts.limit ?? 5);
  }

  async close(): Promise<void> {
    await this.search?.release();
    this.search = null;
  }
}
