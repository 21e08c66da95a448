/**
 * Face enrolments shared across a pharmacy chain (issue 19 item 6): a customer who consented at
 * one shop pays by face at the chain's other shops, and a withdrawal at any shop removes them
 * from all of them.
 *
 * End to end: a template leaves this terminal sealed with the chain's key (AES-256-GCM, the
 * associated data binding it to the chain and its shared id), which the chain's terminals hold
 * and the fleet server does not. The server only orders and relays: it keeps each entry retained
 * on the chain's topic with a version (the manifest), and turns a withdrawal into tombstones.
 * Another chain can neither subscribe to these topics (the broker's ACL) nor open them (its key).
 *
 * What goes out waits in this terminal's database until the broker has it (QoS 1 acknowledged),
 * so an enrolment or a withdrawal made while the fleet is away is not lost. Every entry that
 * arrives is answered (stored, deleted, refused), which the server keeps per terminal: a
 * withdrawal is confirmed by each terminal of the chain.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  chainTopics,
  devTopics,
  fleetFaceEntrySchema,
  parseFleetPayload,
  type FleetFaceAck,
  type FleetFaceEntry,
  type FleetFaceOut,
} from '../bridge/contract/fleet';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { migrateModule, type Db } from '../store/database';
import { personKey, type EnrolledPerson, type FaceGallery, type SharedEnrolment } from '../face/gallery';
import { open, seal } from '../face/sealed';
import { consentNamesChain } from '../face/consent-text';

export interface ChainFacesDeps {
  gallery: FaceGallery;
  /** The chain's 32-byte key, the same on each of its terminals (fleet.chainKeyFile). */
  chainKey: Buffer;
  chain: string;
  terminalId: string;
  db: Db;
  clock: Clock;
  log: Logger;
}

/** How a terminal publishes (the fleet agent's connection): resolves once the broker has it. */
export type Publisher = (topic: string, body: unknown) => Promise<void>;

const migrations = [
  {
    version: 1,
    name: 'chain face outbox',
    sql: `CREATE TABLE fleet_face_out (
            seq INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL) STRICT;`,
  },
];

export class ChainFacesError extends Error {
  constructor(
    readonly code: 'FACE_SHARE_UNREADABLE' | 'FACE_SHARE_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** What travels inside the sealed blob (JSON; the embedding as base64 of its float32 bytes). */
interface SealedBody {
  origin: string;
  person: EnrolledPerson;
  embedding: string;
  factor: string | null;
  consent: SharedEnrolment['consent'];
  platformConfirmedAt: string | null;
  enrolledAt: string;
  expiresAt: string;
  modelVersion: string;
}

export class ChainFaces {
  private publisher: Publisher | null = null;
  private flushing: Promise<void> | null = null;
  private readonly topics;

  constructor(private readonly d: ChainFacesDeps) {
    if (d.chainKey.length !== 32) throw new ChainFacesError('FACE_SHARE_INVALID', 'the chain key must be 32 bytes');
    migrateModule(d.db, 'fleet_faces', migrations);
    this.topics = { own: devTopics(d.terminalId), chain: chainTopics(d.chain) };
    d.gallery.on('enrolled', ({ templateId, share }) => this.shareEnrolment(templateId, share));
    d.gallery.on('deleted', ({ person, at }) => this.enqueue({ op: 'delete', chainPerson: this.chainPerson(person), at }));
  }

  /** The chain's topic filter, for the agent's subscription. */
  get subscription(): string {
    return this.topics.chain.faces;
  }

  /** The same person on every terminal of the chain; no one without the chain's key can compute it. */
  chainPerson(person: EnrolledPerson): string {
    return createHmac('sha256', this.d.chainKey)
      .update(`chain-person\u0000${personKey(person)}`)
      .digest('hex');
  }

  private aad(sharedId: string): string {
    return `chain-face\u0000${this.d.chain}\u0000${sharedId}`;
  }

  private shareEnrolment(templateId: number, share: SharedEnrolment): void {
    // The person agreed to a text: only one that named this chain lets the face leave this terminal.
    if (!consentNamesChain(share.consent, this.d.chain)) {
      this.d.log.info('fleet.face_share_not_consented', { purpose: share.consent.purpose, textVersion: share.consent.textVersion });
      return;
    }
    const sharedId = randomBytes(16).toString('hex');
    const chainPerson = this.chainPerson(share.person);
    this.d.gallery.markShared(templateId, sharedId, chainPerson);
    const body: SealedBody = {
      origin: this.d.terminalId,
      person: share.person,
      embedding: Buffer.from(share.embedding.buffer, share.embedding.byteOffset, share.embedding.byteLength).toString('base64'),
      factor: share.factor,
      consent: share.consent,
      platformConfirmedAt: share.platformConfirmedAt,
      enrolledAt: share.enrolledAt,
      expiresAt: share.expiresAt,
      modelVersion: share.modelVersion,
    };
    const s = seal(this.d.chainKey, Buffer.from(JSON.stringify(body), 'utf8'), this.aad(sharedId));
    const blob = Buffer.concat([s.iv, s.tag, s.ciphertext]).toString('base64');
    this.enqueue({ op: 'put', sharedId, chainPerson, blob, at: this.d.clock.nowIso() });
  }

  private enqueue(out: FleetFaceOut): void {
    this.d.db.prepare('INSERT INTO fleet_face_out (body, created_at) VALUES (?, ?)').run(JSON.stringify(out), this.d.clock.nowIso());
    this.d.log.info('fleet.face_share_queued', { op: out.op });
    void this.flush();
  }

  /** The connection is up (publisher) or down (null): what waits goes out when it is up. */
  setPublisher(p: Publisher | null): void {
    this.publisher = p;
    if (p) void this.flush();
  }

  /** Sends what waits, oldest first, one at a time; each row goes only once the broker has it. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      try {
        for (;;) {
          const p = this.publisher;
          if (!p) return;
          const row = this.d.db.prepare('SELECT seq, body FROM fleet_face_out ORDER BY seq LIMIT 1').get() as { seq: number; body: string } | undefined;
          if (!row) return;
          await p(this.topics.own.facesOut, JSON.parse(row.body));
          this.d.db.prepare('DELETE FROM fleet_face_out WHERE seq = ?').run(row.seq);
        }
      } catch (err) {
        // The connection dropped mid-way: the row stays, and goes at the next connection.
        this.d.log.warn('fleet.face_share_deferred', { error: (err as Error).message });
      }
    };
    // Cleared after it is set (a run that ends at once must not leave a settled promise behind).
    const p = run().finally(() => {
      if (this.flushing === p) this.flushing = null;
    });
    this.flushing = p;
    return p;
  }

  /** Enrolments and withdrawals waiting for the broker. */
  pending(): number {
    return (this.d.db.prepare('SELECT COUNT(*) AS n FROM fleet_face_out').get() as { n: number }).n;
  }

  /** A message on the chain's face topics: stores or deletes, and says what it did. */
  async onChainMessage(topic: string, payload: Buffer): Promise<void> {
    if (!topic.startsWith(`${this.topics.chain.base}/faces/t/`) || !payload.length) return;
    const entry = parseFleetPayload(fleetFaceEntrySchema, payload, topic);
    if (topic !== this.topics.chain.faceEntry(entry.sharedId)) throw new ChainFacesError('FACE_SHARE_INVALID', 'the entry does not match its topic');
    const ack = (state: FleetFaceAck['state'], error: FleetFaceAck['error'] = null): Promise<void> =>
      this.publisher
        ? this.publisher(this.topics.own.facesAck, {
            sharedId: entry.sharedId,
            version: entry.version,
            state,
            error,
            at: this.d.clock.nowIso(),
          } satisfies FleetFaceAck)
        : Promise.resolve();
    if (entry.deleted) {
      const n = this.d.gallery.deleteChainPerson(entry.chainPerson, entry.at);
      this.d.log.info('fleet.face_share_withdrawn', { removed: n, version: entry.version });
      return ack('deleted');
    }
    let body: SealedBody;
    try {
      body = this.openEntry(entry);
    } catch (err) {
      this.d.log.warn('fleet.face_share_refused', { version: entry.version, error: (err as Error).message });
      return ack('refused', { code: 'FACE_SHARE_UNREADABLE', message: 'the entry does not open with this chain’s key' });
    }
    const raw = Buffer.from(body.embedding, 'base64');
    const floats = new Float32Array(Math.floor(raw.length / 4));
    Buffer.from(floats.buffer).set(raw.subarray(0, floats.length * 4));
    let outcome: ReturnType<FaceGallery['importShared']>;
    try {
      outcome = this.d.gallery.importShared(entry.sharedId, entry.chainPerson, body.origin, {
        person: body.person,
        embedding: floats,
        factor: body.factor,
        consent: body.consent,
        platformConfirmedAt: body.platformConfirmedAt,
        enrolledAt: body.enrolledAt,
        expiresAt: body.expiresAt,
        modelVersion: body.modelVersion,
      });
    } catch (err) {
      this.d.log.warn('fleet.face_share_refused', { version: entry.version, error: (err as Error).message });
      return ack('refused', { code: 'FACE_SHARE_INVALID', message: (err as Error).message.slice(0, 200) });
    }
    this.d.log.info('fleet.face_share_received', { outcome, version: entry.version });
    return outcome === 'withdrawn' ? ack('deleted') : ack('stored');
  }

  private openEntry(entry: FleetFaceEntry): SealedBody {
    if (!entry.blob) throw new ChainFacesError('FACE_SHARE_INVALID', 'an entry without a template');
    const b = Buffer.from(entry.blob, 'base64');
    if (b.length < 29) throw new ChainFacesError('FACE_SHARE_INVALID', 'the sealed template is too short');
    const plain = open(this.d.chainKey, { iv: b.subarray(0, 12), tag: b.subarray(12, 28), ciphertext: b.subarray(28) }, this.aad(entry.sharedId));
    const body = JSON.parse(plain.toString('utf8')) as SealedBody;
    if (body.origin !== entry.origin) throw new ChainFacesError('FACE_SHARE_INVALID', 'the sealed origin differs from the entry’s');
    return body;
  }
}
