/**
 * The fleet's MQTT contract, shared by the terminal's agent (main/fleet) and the fleet server
 * (fleet/): topic names, who may publish or read what, and every payload's schema. Both brokers
 * (the embedded aedes and mosquitto) enforce the same access rules; fleet/acl.ts writes them for
 * each.
 *
 * Topics (reference/fleet.md §5): per terminal `est/v1/dev/{terminalId}/…`, per chain
 * `est/v1/chain/{chainId}/…`. MQTT 3.1.1 semantics only: no shared subscriptions, no session
 * expiry, so any broker can carry it.
 */
import { z } from 'zod';
import { deviceStateSchema, queueStatusSchema } from './status';

export const FLEET_PREFIX = 'est/v1';
/** A terminal id or chain id as it may appear in a topic: no wildcard, separator or `$`. */
export const fleetIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,30}$/, 'letters, digits, _ and -, at most 30');

export const devTopics = (id: string) => {
  const base = `${FLEET_PREFIX}/dev/${id}`;
  return {
    base,
    /** Retained. Online on connect, offline as the retained last will, each with its boot id and sequence. */
    status: `${base}/status`,
    /** QoS 0, every health period. */
    health: `${base}/health`,
    /** Retained, written by the server: the desired config patch and its version. */
    desired: `${base}/cfg/desired`,
    /** Retained, written by the terminal: which desired version it applied, or why it refused it. */
    reported: `${base}/cfg/reported`,
    /** QoS 1, server to terminal. */
    command: `${base}/cmd/req`,
    /** QoS 1, terminal to server. */
    result: `${base}/cmd/res`,
    /** QoS 1, server to terminal: an update job of a rollout. */
    update: `${base}/update/req`,
    /** QoS 1, terminal to server: the job's progress and its end (committed, rolled back, refused, failed). */
    updateResult: `${base}/update/res`,
    /** QoS 1, terminal to server: an enrolment to share with the chain (sealed with the chain's key), or a withdrawal. */
    facesOut: `${base}/faces/out`,
    /** QoS 1, terminal to server: a shared template stored, or a withdrawal carried out, here. */
    facesAck: `${base}/faces/ack`,
  };
};

export const chainTopics = (chain: string) => {
  const base = `${FLEET_PREFIX}/chain/${chain}`;
  return {
    base,
    /** Retained, written by the server: the chain's face manifest (its version and counts). */
    facesManifest: `${base}/faces/manifest`,
    /** Retained, written by the server: one shared template (sealed), or its tombstone after a withdrawal. */
    faceEntry: (sharedId: string) => `${base}/faces/t/${sharedId}`,
    /** What a terminal of the chain subscribes to. */
    faces: `${base}/faces/#`,
  };
};

/** The fleet server's own MQTT identity: reads every terminal's topics and writes their desired config and commands. */
export const FLEET_SERVER_CLIENT = 'fleet-server';

/**
 * What a client may do with a topic, the same on every broker. A terminal: read and write under its
 * own prefix, read its chain's topics; a subscription filter with a wildcard is allowed only inside
 * those; nothing under `$SYS`. The server: everything under `est/v1/`.
 */
export function fleetAccess(
  who: { kind: 'terminal'; id: string; chain: string | null } | { kind: 'server' },
  action: 'publish' | 'subscribe',
  topic: string,
): boolean {
  if (topic.startsWith('$')) return false;
  if (topic.includes('\u0000')) return false;
  // Nobody publishes to a wildcard (MQTT forbids it; a broker should refuse it anyway).
  if (action === 'publish' && /[+#]/.test(topic)) return false;
  if (who.kind === 'server') return topic === `${FLEET_PREFIX}/#` || topic.startsWith(`${FLEET_PREFIX}/`);
  const own = `${FLEET_PREFIX}/dev/${who.id}/`;
  if (action === 'publish') return !/[+#]/.test(topic) && topic.startsWith(own);
  if (topic.startsWith(own) || topic === `${FLEET_PREFIX}/dev/${who.id}/#`) return true;
  if (who.chain) {
    const chain = `${FLEET_PREFIX}/chain/${who.chain}/`;
    if (topic.startsWith(chain) || topic === `${FLEET_PREFIX}/chain/${who.chain}/#`) return true;
  }
  return false;
}

const iso = z.string().min(10).max(40);
const bootId = z.string().regex(/^[0-9a-f]{16,64}$/);

/**
 * Presence. `seq` counts connections within one boot: a will from an earlier connection that
 * lands after a fresh "online" carries a lower sequence and is known stale.
 */
export const fleetStatusSchema = z
  .object({
    state: z.enum(['online', 'offline']),
    bootId,
    seq: z.number().int().nonnegative(),
    at: iso,
    version: z.string().max(40),
    mode: z.enum(['kiosk', 'checkout', 'service']),
    chain: fleetIdSchema.nullable(),
  })
  .strict();
export type FleetStatus = z.infer<typeof fleetStatusSchema>;

/**
 * True when `next` may replace `prev`: a newer boot, or the same boot and a higher sequence. At the
 * same sequence the will ("offline") comes after its own connection's "online", so it wins the tie.
 */
export function statusSupersedes(prev: FleetStatus | null, next: FleetStatus): boolean {
  if (!prev) return true;
  if (prev.bootId !== next.bootId) return next.at >= prev.at;
  if (next.seq !== prev.seq) return next.seq > prev.seq;
  return next.state === 'offline' || prev.state === 'online';
}

export const fleetHealthSchema = z
  .object({
    bootId,
    seq: z.number().int().nonnegative(),
    at: iso,
    uptimeSeconds: z.number().int().nonnegative(),
    version: z.string().max(40),
    devices: z.array(z.object({ id: z.string().max(40), state: deviceStateSchema, code: z.string().max(60).nullable() }).strict()).max(20),
    /** The printer's paper: from its status (near end, out), null without a printer. */
    paper: z.enum(['ok', 'near-end', 'out']).nullable(),
    queue: queueStatusSchema,
    platform: z.enum(['unknown', 'online', 'offline']),
    disk: z.object({ freeBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() }).strict().nullable(),
    lastError: z
      .object({ code: z.string().max(60), at: iso })
      .strict()
      .nullable(),
    /** Desired config version in force (0: only the local file). */
    configVersion: z.number().int().nonnegative(),
    outOfService: z.boolean(),
    /**
     * A pending 呼叫工作人员 (nothing personal: the screen it came from, when, how many presses),
     * sent at once when it is raised or ends, so a remote console sees it in about a second.
     */
    help: z
      .object({ id: z.string().max(64), at: iso, screen: z.string().max(64), presses: z.number().int().min(1) })
      .strict()
      .nullable()
      .optional(),
    /** The terminal's health period, so the server knows when silence means trouble (absent from older terminals). */
    intervalSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();
export type FleetHealth = z.infer<typeof fleetHealthSchema>;

/** Health periods missed before an online terminal counts as silent (its will may never come). */
export const SILENT_AFTER_PERIODS = 3;
/** The period assumed for a terminal that did not say its own (the agent's default). */
export const DEFAULT_HEALTH_SECONDS = 60;

/**
 * When an online terminal that last reported at `lastSeenIso` is to be called silent: a hung
 * process or a half-open connection can stop reports long before the broker's keepalive sends the
 * will (1.5 keepalives), and a broker restart can lose the will altogether.
 */
export function silentAfter(lastSeenIso: string, intervalSeconds: number | undefined): string {
  return new Date(Date.parse(lastSeenIso) + SILENT_AFTER_PERIODS * (intervalSeconds ?? DEFAULT_HEALTH_SECONDS) * 1000).toISOString();
}

/** A config patch: the local config file's shape, any part of it (validated by the terminal's own schema after merging). */
export const fleetDesiredSchema = z
  .object({
    version: z.number().int().min(1),
    config: z.record(z.string(), z.unknown()),
    at: iso,
  })
  .strict();
export type FleetDesired = z.infer<typeof fleetDesiredSchema>;

export const fleetReportedSchema = z
  .object({
    version: z.number().int().nonnegative(),
    state: z.enum(['applied', 'rejected']),
    /** Keys that took effect at once, and those waiting for the next start. */
    live: z.array(z.string().max(80)).max(100),
    atRestart: z.array(z.string().max(80)).max(100),
    /** The version in force (after a rejection, the last good one). */
    inForce: z.number().int().nonnegative(),
    error: z
      .object({ code: z.string().max(60), message: z.string().max(2000), problems: z.array(z.object({ key: z.string(), expected: z.string() })).max(50) })
      .strict()
      .nullable(),
    at: iso,
  })
  .strict();
export type FleetReported = z.infer<typeof fleetReportedSchema>;

export const fleetCommandKinds = ['restart', 'self-test', 'readiness', 'drain-queue', 'out-of-service', 'in-service', 'answer-help'] as const;
export const fleetCommandSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    kind: z.enum(fleetCommandKinds),
    issuedAt: iso,
    expiresAt: iso,
  })
  .strict();
export type FleetCommand = z.infer<typeof fleetCommandSchema>;

/** A command's or an update job's id. */
const jobId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
/** Why a command or a job did not do what it was asked: a code for machines, words for people. */
const fleetErrorSchema = z.object({ code: z.string().max(60), message: z.string().max(2000) }).strict();

export const fleetResultSchema = z
  .object({
    id: jobId,
    kind: z.enum(fleetCommandKinds),
    state: z.enum(['done', 'failed', 'expired', 'refused']),
    result: z.unknown().optional(),
    error: fleetErrorSchema.nullable(),
    at: iso,
  })
  .strict();
export type FleetResult = z.infer<typeof fleetResultSchema>;

/** A release version as packages and terminals name it. */
export const releaseVersionSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/, 'a version: letters, digits, . + -, at most 40');

/**
 * An update job (issue 19 item 5): one terminal's part of a rollout. The package is fetched from
 * `url` and trusted only if its size, SHA-256 and Ed25519 signature (the fleet's release key, which
 * the terminal holds) check out; `windowSeconds` is the health window after the switch.
 */
export const fleetUpdateJobSchema = z
  .object({
    id: jobId,
    rolloutId: jobId,
    version: releaseVersionSchema,
    /** Bytes; below 2 GiB (a 32-bit column on every store). */
    size: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    signature: z.string().min(40).max(200),
    url: z
      .string()
      .max(500)
      .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
    windowSeconds: z.number().int().min(5).max(3600),
    issuedAt: iso,
    expiresAt: iso,
  })
  .strict();
export type FleetUpdateJob = z.infer<typeof fleetUpdateJobSchema>;

/**
 * The server recalls a job (its rollout was aborted): a terminal that has not switched yet drops
 * it and answers `cancelled`; one that switched already lets its health window decide.
 */
export const fleetUpdateCancelSchema = z.object({ cancel: jobId, rolloutId: jobId, version: releaseVersionSchema, at: iso }).strict();
export type FleetUpdateCancel = z.infer<typeof fleetUpdateCancelSchema>;
/** What comes on update/req: a job, or the recall of one. */
export const fleetUpdateRequestSchema = z.union([fleetUpdateJobSchema, fleetUpdateCancelSchema]);

/** A job's progress (waiting for the update lock, downloading, switching) and its end. */
export const updateStates = ['waiting', 'downloading', 'switching', 'committed', 'rolled-back', 'refused', 'failed', 'cancelled'] as const;
export const FINAL_UPDATE_STATES: readonly (typeof updateStates)[number][] = ['committed', 'rolled-back', 'refused', 'failed', 'cancelled'];
export const fleetUpdateResultSchema = z
  .object({
    id: jobId,
    rolloutId: jobId,
    version: releaseVersionSchema,
    state: z.enum(updateStates),
    /** For waiting: what holds the lock (a payment, an enrolment, a print), nothing personal. */
    detail: z.string().max(200).nullable(),
    error: fleetErrorSchema.nullable(),
    at: iso,
  })
  .strict();
export type FleetUpdateResult = z.infer<typeof fleetUpdateResultSchema>;

const sharedId = z.string().regex(/^[0-9a-f]{32}$/);
const chainPerson = z.string().regex(/^[0-9a-f]{64}$/);
/** AES-256-GCM under the chain's key, base64 of iv (12) ‖ tag (16) ‖ ciphertext: opaque to the server. */
const sealedBlob = z.string().min(40).max(40_000);

/** Terminal to server: share an enrolment (put) or withdraw a person everywhere (delete). */
export const fleetFaceOutSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), sharedId, chainPerson, blob: sealedBlob, at: iso }).strict(),
  z.object({ op: z.literal('delete'), chainPerson, at: iso }).strict(),
]);
export type FleetFaceOut = z.infer<typeof fleetFaceOutSchema>;

/** Server to the chain (retained): a template, or its tombstone once the person withdrew. */
export const fleetFaceEntrySchema = z
  .object({
    sharedId,
    chainPerson,
    origin: fleetIdSchema,
    version: z.number().int().min(1),
    deleted: z.boolean(),
    blob: sealedBlob.nullable(),
    at: iso,
  })
  .strict();
export type FleetFaceEntry = z.infer<typeof fleetFaceEntrySchema>;

export const fleetFaceManifestSchema = z
  .object({ version: z.number().int().min(0), templates: z.number().int().min(0), withdrawn: z.number().int().min(0), at: iso })
  .strict();
export type FleetFaceManifest = z.infer<typeof fleetFaceManifestSchema>;

/** Terminal to server: what it did with a chain entry. */
export const fleetFaceAckSchema = z
  .object({
    sharedId,
    version: z.number().int().min(1),
    state: z.enum(['stored', 'deleted', 'refused']),
    error: fleetErrorSchema.nullable(),
    at: iso,
  })
  .strict();
export type FleetFaceAck = z.infer<typeof fleetFaceAckSchema>;

/** Largest fleet message either side accepts: a health report is about 1 KB, a desired config a few. */
export const FLEET_MAX_PAYLOAD = 64 * 1024;

export class FleetPayloadError extends Error {
  readonly code = 'FLEET_PAYLOAD_INVALID';
}

/** Parses a payload against its schema: too large, not JSON or the wrong shape is a FleetPayloadError. */
export function parseFleetPayload<T>(schema: z.ZodType<T>, payload: Uint8Array, topic: string): T {
  if (payload.byteLength > FLEET_MAX_PAYLOAD) throw new FleetPayloadError(`${topic}: ${payload.byteLength} bytes, more than ${FLEET_MAX_PAYLOAD}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new FleetPayloadError(`${topic}: not JSON`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new FleetPayloadError(`${topic}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  return r.data;
}
