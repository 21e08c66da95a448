/**
 * Shared face enrolment on the fleet server (issue 19 item 6): it relays, it cannot read. A
 * terminal of a chain sends an enrolment sealed with the chain's key (or a withdrawal, named by a
 * hash only the chain's key computes); the server gives it the chain's next version, keeps it, and
 * publishes it retained on the chain's topic, where each terminal of that chain (and, by the ACL,
 * no other) picks it up, also after being away. A withdrawal becomes a tombstone for each of that
 * person's entries, so a terminal that was offline still learns of it. Each terminal's answer is
 * kept, so the console (and a test) sees which terminals hold or deleted what.
 */
import { chainTopics, type FleetFaceAck, type FleetFaceEntry, type FleetFaceManifest, type FleetFaceOut } from '../main/bridge/contract/fleet';
import type { FleetDb } from './store';

export interface FaceShareDeps {
  db: FleetDb;
  now: () => Date;
  /** Retained, QoS 1. */
  publishRetained(topic: string, body: unknown): Promise<void>;
  changed(terminalId: string): void;
}

export interface FaceShareView {
  sharedId: string;
  origin: string;
  version: number;
  deleted: boolean;
  /** Each terminal's last answer for this entry. */
  acks: Record<string, { state: string; version: number }>;
}

export class FaceShares {
  constructor(private readonly d: FaceShareDeps) {}

  private async nextVersion(chain: string): Promise<number> {
    const row = await this.d.db.selectFrom('face_manifest').select('version').where('chain', '=', chain).executeTakeFirst();
    const version = (row?.version ?? 0) + 1;
    const values = { chain, version, updated_at: this.d.now().toISOString() };
    await this.d.db
      .insertInto('face_manifest')
      .values(values)
      .onConflict((oc) => oc.column('chain').doUpdateSet(values))
      .execute();
    return version;
  }

  private async publishEntry(chain: string, e: FleetFaceEntry): Promise<void> {
    await this.d.publishRetained(chainTopics(chain).faceEntry(e.sharedId), e);
  }

  private async publishManifest(chain: string): Promise<void> {
    const version = (await this.d.db.selectFrom('face_manifest').select('version').where('chain', '=', chain).executeTakeFirst())?.version ?? 0;
    const rows = await this.d.db.selectFrom('face_share').select('deleted').where('chain', '=', chain).execute();
    const manifest: FleetFaceManifest = {
      version: Number(version),
      templates: rows.filter((r) => !r.deleted).length,
      withdrawn: rows.filter((r) => r.deleted).length,
      at: this.d.now().toISOString(),
    };
    await this.d.publishRetained(chainTopics(chain).facesManifest, manifest);
  }

  /**
   * A terminal's put or delete. The terminal's chain is the one registered here, never one the
   * message names; a terminal without a chain shares nothing. Runs inside the server's serial chain.
   */
  async onOut(terminalId: string, chain: string | null, out: FleetFaceOut): Promise<void> {
    if (!chain) return;
    const at = this.d.now().toISOString();
    if (out.op === 'put') {
      const known = await this.d.db.selectFrom('face_share').select('shared_id').where('shared_id', '=', out.sharedId).executeTakeFirst();
      if (known) return; // a QoS 1 repeat
      const version = await this.nextVersion(chain);
      await this.d.db
        .insertInto('face_share')
        .values({ shared_id: out.sharedId, chain, chain_person: out.chainPerson, origin: terminalId, blob: out.blob, version, deleted: 0, at })
        .execute();
      await this.publishEntry(chain, { sharedId: out.sharedId, chainPerson: out.chainPerson, origin: terminalId, version, deleted: false, blob: out.blob, at });
    } else {
      const live = await this.d.db
        .selectFrom('face_share')
        .selectAll()
        .where('chain', '=', chain)
        .where('chain_person', '=', out.chainPerson)
        .where('deleted', '=', 0)
        .execute();
      for (const row of live) {
        const version = await this.nextVersion(chain);
        await this.d.db.updateTable('face_share').set({ blob: null, deleted: 1, version, at: out.at }).where('shared_id', '=', row.shared_id).execute();
        await this.publishEntry(chain, {
          sharedId: row.shared_id,
          chainPerson: row.chain_person,
          origin: row.origin,
          version,
          deleted: true,
          blob: null,
          at: out.at,
        });
      }
    }
    await this.publishManifest(chain);
    this.d.changed(terminalId);
  }

  /** A terminal's answer about an entry of its own chain. */
  async onAck(terminalId: string, chain: string | null, ack: FleetFaceAck): Promise<void> {
    const entry = await this.d.db.selectFrom('face_share').select(['chain']).where('shared_id', '=', ack.sharedId).executeTakeFirst();
    if (!entry || entry.chain !== chain) return;
    const row = {
      shared_id: ack.sharedId,
      terminal_id: terminalId,
      version: ack.version,
      state: ack.state,
      body: JSON.stringify(ack),
      received_at: this.d.now().toISOString(),
    };
    await this.d.db
      .insertInto('face_share_ack')
      .values(row)
      // A late repeat of an older answer does not overwrite a newer one.
      .onConflict((oc) => oc.columns(['shared_id', 'terminal_id']).doUpdateSet(row).where('face_share_ack.version', '<=', ack.version))
      .execute();
    this.d.changed(terminalId);
  }

  /** The chain's entries with each terminal's answer (no person data: there is none here). */
  async list(chain: string): Promise<FaceShareView[]> {
    const rows = await this.d.db.selectFrom('face_share').selectAll().where('chain', '=', chain).orderBy('version').execute();
    // Every answer for the chain's entries in one query, not one query an entry: the console asks at each change.
    const acks = await this.d.db
      .selectFrom('face_share_ack')
      .innerJoin('face_share', 'face_share.shared_id', 'face_share_ack.shared_id')
      .select(['face_share_ack.shared_id', 'face_share_ack.terminal_id', 'face_share_ack.state', 'face_share_ack.version'])
      .where('face_share.chain', '=', chain)
      .execute();
    const bySharedId = new Map<string, FaceShareView['acks']>();
    for (const a of acks) {
      const entry = bySharedId.get(a.shared_id) ?? {};
      entry[a.terminal_id] = { state: a.state, version: Number(a.version) };
      bySharedId.set(a.shared_id, entry);
    }
    return rows.map((r) => ({
      sharedId: r.shared_id,
      origin: r.origin,
      version: Number(r.version),
      deleted: !!r.deleted,
      acks: bySharedId.get(r.shared_id) ?? {},
    }));
  }
}
