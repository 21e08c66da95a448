/**
 * The terminal's fleet agent: presence, health, desired/reported config and commands over MQTT
 * (issue 19; topics and payloads in main/bridge/contract/fleet.ts).
 *
 * - Presence: on every connection a retained "online" with this boot's id and the connection's
 *   sequence; the retained last will says "offline" with the same pair. A will from an earlier
 *   connection that lands after a fresh "online" is seen on our own status topic and answered
 *   with "online" again.
 * - Health every `healthIntervalSeconds` at QoS 0, and once at each connection.
 * - Config: the server's desired patch is validated by the terminal's own config schema (through
 *   `applyConfig`, given by the composition root), stored, and reported as applied (which keys took
 *   effect at once, which at the next start) or rejected (the last good version stays in force).
 *   The terminal keeps its last good config while the server is away and after a restart.
 * - Commands: each has an id and an expiry; its result is stored under its id, so a repeat (QoS 1
 *   delivers at least once) gets the same answer without running it again.
 * - Reconnects: exponential backoff with full jitter (backoff.ts); MQTT.js's own fixed-period
 *   reconnect is off.
 * Nothing here throws into the host: every failure is logged and retried.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  chainTopics,
  devTopics,
  fleetCommandSchema,
  fleetDesiredSchema,
  fleetStatusSchema,
  fleetUpdateRequestSchema,
  parseFleetPayload,
  type FleetCommand,
  type FleetHealth,
  type FleetReported,
  type FleetResult,
  type FleetStatus,
} from '../bridge/contract/fleet';
import type { Mode } from '../bridge/contract';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { migrateModule, type Db } from '../store/database';
import { Backoff } from './backoff';
import type { FleetConfig } from './config';
import { Updater, type UpdaterDeps } from './updater';
import type { ChainFaces } from './faces';

export type FleetCommandKind = FleetCommand['kind'];

/** What the composition root tells the agent and lets it do. */
export interface FleetDeps {
  terminalId: string;
  mode: Mode;
  version: string;
  config: FleetConfig;
  db: Db;
  clock: Clock;
  log: Logger;
  /** The terminal's state for a health report (the agent adds ids, times and versions). */
  health(): Promise<Pick<FleetHealth, 'devices' | 'paper' | 'queue' | 'platform' | 'disk' | 'lastError' | 'help'>>;
  /**
   * Validates a desired patch against the terminal's config schema and applies what can change
   * live. Throws `{ code, message, problems }` when the patch is refused.
   */
  applyConfig(patch: Record<string, unknown>): { live: string[]; atRestart: string[] };
  commands: Record<FleetCommandKind, () => Promise<unknown>>;
  /** Out of service (locked by a command): the screen shows it and takes no business. */
  outOfService(): boolean;
  /** The jitter's random source (tests make it fixed). */
  random?: () => number;
  /** Face enrolments shared with the chain (absent: no chain key, nothing shared). */
  faces?: ChainFaces;
  /** Update jobs of rollouts (absent: a job is refused as not configured). */
  updates?: Pick<UpdaterDeps, 'slots' | 'disabled' | 'lockedBy' | 'workingDevices' | 'healthy' | 'restartIntoCurrent' | 'pollMs' | 'fetch'>;
}

const migrations = [
  {
    version: 1,
    name: 'fleet state and commands',
    sql: `CREATE TABLE fleet_desired (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            patch TEXT NOT NULL,
            applied_at TEXT NOT NULL) STRICT;
          CREATE TABLE fleet_report (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            body TEXT NOT NULL) STRICT;
          CREATE TABLE fleet_command (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            body TEXT,
            received_at TEXT NOT NULL,
            finished_at TEXT) STRICT;`,
  },
];

export function migrateFleet(db: Db): void {
  migrateModule(db, 'fleet', migrations);
}

/** The desired patch last applied (to merge over the config file at start-up), or null. */
export function storedDesired(db: Db): { version: number; patch: Record<string, unknown> } | null {
  migrateFleet(db);
  const row = db.prepare('SELECT version, patch FROM fleet_desired WHERE id = 1').get() as { version: number; patch: string } | undefined;
  return row ? { version: row.version, patch: JSON.parse(row.patch) as Record<string, unknown> } : null;
}

export class FleetAgent {
  readonly bootId = randomBytes(8).toString('hex');
  private readonly topics;
  private client: MqttClient | null = null;
  private seq = 0;
  private connected = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private healthSeq = 0;
  private readonly startedAt: number;
  private readonly backoff: Backoff;
  private healthIntervalMs: number;
  private readonly running = new Map<string, Promise<FleetResult>>();
  readonly updater: Updater;

  constructor(private readonly d: FleetDeps) {
    migrateFleet(d.db);
    this.updater = new Updater({
      slots: null,
      disabled: { code: 'UPDATE_NOT_CONFIGURED', message: 'this terminal takes no updates' },
      lockedBy: () => null,
      workingDevices: async () => [],
      healthy: async () => ({ ok: false, why: 'not configured' }),
      restartIntoCurrent: () => undefined,
      ...d.updates,
      version: d.version,
      db: d.db,
      clock: d.clock,
      log: d.log,
      publish: (r) => this.publish(this.topics.updateResult, r, 1),
    });
    this.topics = devTopics(d.terminalId);
    this.startedAt = d.clock.now();
    this.backoff = new Backoff(d.config.backoff.minMs, d.config.backoff.maxMs, d.random);
    this.healthIntervalMs = d.config.healthIntervalSeconds * 1000;
  }

  /** Whether the broker has us now. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** The desired version in force (0: only the local file). */
  get configVersion(): number {
    return (this.d.db.prepare('SELECT version FROM fleet_desired WHERE id = 1').get() as { version: number } | undefined)?.version ?? 0;
  }

  start(): void {
    this.connect();
  }

  /** A health period set live by a desired config. */
  setHealthInterval(seconds: number): void {
    this.healthIntervalMs = seconds * 1000;
    if (this.connected) this.scheduleHealth();
  }

  private status(state: FleetStatus['state']): FleetStatus {
    return { state, bootId: this.bootId, seq: this.seq, at: this.d.clock.nowIso(), version: this.d.version, mode: this.d.mode, chain: this.d.config.chain };
  }

  private options(): IClientOptions {
    const c = this.d.config;
    const o: IClientOptions = {
      clientId: this.d.terminalId,
      username: this.d.terminalId,
      protocolVersion: 4,
      clean: true,
      keepalive: c.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(this.status('offline'))), qos: 1, retain: true },
    };
    if (c.password) o.password = c.password;
    if (c.tls) {
      o.ca = fs.readFileSync(c.tls.ca);
      o.cert = fs.readFileSync(c.tls.cert);
      o.key = fs.readFileSync(c.tls.key);
      o.rejectUnauthorized = true;
    }
    return o;
  }

  private connect(): void {
    if (this.stopped) return;
    this.seq++;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.d.config.url, this.options());
    } catch (err) {
      this.d.log.warn('fleet.connect_failed', { error: (err as Error).message });
      return this.scheduleReconnect();
    }
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.d.log.warn('fleet.error', { error: err.message }));
    client.on('close', () => {
      if (this.client !== client) return;
      const was = this.connected;
      this.connected = false;
      this.stopHealth();
      if (was) this.d.log.warn('fleet.disconnected', {});
      this.d.faces?.setPublisher(null);
      client.removeAllListeners('message');
      client.end(true);
      this.client = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private onConnect(client: MqttClient): void {
    this.connected = true;
    this.backoff.reset();
    this.d.log.info('fleet.connected', { url: this.d.config.url, seq: this.seq });
    const faces = this.d.faces;
    client.subscribe(
      {
        [this.topics.status]: { qos: 1 },
        [this.topics.desired]: { qos: 1 },
        [this.topics.command]: { qos: 1 },
        [this.topics.update]: { qos: 1 },
        ...(faces ? { [faces.subscription]: { qos: 1 as const } } : {}),
      },
      (err) => err && this.d.log.warn('fleet.subscribe_failed', { error: err.message }),
    );
    faces?.setPublisher((topic, body) => client.publishAsync(topic, JSON.stringify(body), { qos: 1 }).then(() => undefined));
    this.publish(this.topics.status, this.status('online'), 1, true);
    const report = this.d.db.prepare('SELECT body FROM fleet_report WHERE id = 1').get() as { body: string } | undefined;
    if (report) this.publish(this.topics.reported, JSON.parse(report.body), 1, true);
    void this.sendHealth();
    this.scheduleHealth();
    // A switch made by the process before us ends now: committed by the new version, or rolled back.
    void this.updater.resume();
  }

  private publish(topic: string, body: unknown, qos: 0 | 1, retain = false): void {
    const c = this.client;
    if (!c || !this.connected) return;
    c.publish(topic, JSON.stringify(body), { qos, retain }, (err) => err && this.d.log.warn('fleet.publish_failed', { topic, error: err.message }));
  }

  private scheduleHealth(): void {
    this.stopHealth();
    this.healthTimer = setInterval(() => void this.sendHealth(), this.healthIntervalMs);
  }

  private stopHealth(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
  }

  /** One health report now (also what the timer sends). */
  async sendHealth(): Promise<void> {
    if (!this.connected) return;
    try {
      const h = await this.d.health();
      const body: FleetHealth = {
        ...h,
        bootId: this.bootId,
        seq: ++this.healthSeq,
        at: this.d.clock.nowIso(),
        uptimeSeconds: Math.floor((this.d.clock.now() - this.startedAt) / 1000),
        version: this.d.version,
        configVersion: this.configVersion,
        outOfService: this.d.outOfService(),
        intervalSeconds: Math.max(1, Math.round(this.healthIntervalMs / 1000)),
      };
      this.publish(this.topics.health, body, 0);
    } catch (err) {
      this.d.log.warn('fleet.health_failed', { error: (err as Error).message });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    try {
      if (topic === this.topics.status) return this.onOwnStatus(payload);
      if (topic === this.topics.desired) return this.onDesired(payload);
      if (topic === this.topics.command) return void this.onCommand(payload);
      if (topic === this.topics.update) {
        const req = parseFleetPayload(fleetUpdateRequestSchema, payload, topic);
        return void ('cancel' in req ? this.updater.cancel(req) : this.updater.handle(req));
      }
      if (this.d.faces && topic.startsWith(`${chainTopics(this.d.config.chain ?? '').base}/faces/`))
        return void this.d.faces
          .onChainMessage(topic, payload)
          .catch((err: unknown) => this.d.log.warn('fleet.message_refused', { topic, error: (err as Error).message }));
    } catch (err) {
      this.d.log.warn('fleet.message_refused', { topic, error: (err as Error).message });
    }
  }

  /** A stale will (an earlier connection's "offline") overwrote our retained "online": put it back. */
  private onOwnStatus(payload: Buffer): void {
    if (!payload.length) return;
    const s = parseFleetPayload(fleetStatusSchema, payload, this.topics.status);
    if (s.state === 'offline' && this.connected && (s.bootId !== this.bootId || s.seq < this.seq)) {
      this.d.log.info('fleet.stale_will_answered', { staleSeq: s.seq, seq: this.seq });
      this.publish(this.topics.status, this.status('online'), 1, true);
    }
  }

  private onDesired(payload: Buffer): void {
    if (!payload.length) return;
    const desired = parseFleetPayload(fleetDesiredSchema, payload, this.topics.desired);
    const inForce = this.configVersion;
    const stored = this.d.db.prepare('SELECT version, body FROM fleet_report WHERE id = 1').get() as { version: number; body: string } | undefined;
    // The same version again (a retained message at each connection, a repeat): the same answer.
    if (stored && stored.version === desired.version) return this.publish(this.topics.reported, JSON.parse(stored.body), 1, true);
    let report: FleetReported;
    try {
      const { live, atRestart } = this.d.applyConfig(desired.config);
      this.d.db
        .prepare(
          'INSERT INTO fleet_desired (id, version, patch, applied_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, patch = excluded.patch, applied_at = excluded.applied_at',
        )
        .run(desired.version, JSON.stringify(desired.config), this.d.clock.nowIso());
      report = { version: desired.version, state: 'applied', live, atRestart, inForce: desired.version, error: null, at: this.d.clock.nowIso() };
      this.d.log.info('fleet.config_applied', { version: desired.version, live, atRestart });
    } catch (err) {
      const e = err as { code?: string; message?: string; problems?: { key: string; expected: string }[] };
      report = {
        version: desired.version,
        state: 'rejected',
        live: [],
        atRestart: [],
        inForce,
        error: { code: e.code ?? 'FLEET_CONFIG_REJECTED', message: (e.message ?? String(err)).slice(0, 2000), problems: (e.problems ?? []).slice(0, 50) },
        at: this.d.clock.nowIso(),
      };
      this.d.log.warn('fleet.config_rejected', { version: desired.version, code: report.error!.code });
    }
    this.d.db
      .prepare('INSERT INTO fleet_report (id, version, body) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body')
      .run(desired.version, JSON.stringify(report));
    this.publish(this.topics.reported, report, 1, true);
  }

  private async onCommand(payload: Buffer): Promise<void> {
    let cmd: FleetCommand;
    try {
      cmd = parseFleetPayload(fleetCommandSchema, payload, this.topics.command);
    } catch (err) {
      return this.d.log.warn('fleet.command_refused', { error: (err as Error).message });
    }
    const result = await this.run(cmd);
    this.publish(this.topics.result, result, 1);
  }

  /** Runs a command once: a repeat of its id gets the stored (or still running) result. */
  run(cmd: FleetCommand): Promise<FleetResult> {
    const stored = this.d.db.prepare('SELECT body FROM fleet_command WHERE id = ? AND body IS NOT NULL').get(cmd.id) as { body: string } | undefined;
    if (stored) return Promise.resolve(JSON.parse(stored.body) as FleetResult);
    const inFlight = this.running.get(cmd.id);
    if (inFlight) return inFlight;
    const p = this.execute(cmd).finally(() => this.running.delete(cmd.id));
    this.running.set(cmd.id, p);
    return p;
  }

  private async execute(cmd: FleetCommand): Promise<FleetResult> {
    const now = this.d.clock.nowIso();
    this.d.db.prepare('INSERT OR IGNORE INTO fleet_command (id, kind, state, received_at) VALUES (?, ?, ?, ?)').run(cmd.id, cmd.kind, 'running', now);
    let result: FleetResult;
    if (Date.parse(cmd.expiresAt) <= this.d.clock.now()) {
      result = { id: cmd.id, kind: cmd.kind, state: 'expired', error: { code: 'FLEET_COMMAND_EXPIRED', message: `expired at ${cmd.expiresAt}` }, at: now };
    } else {
      try {
        const value = await this.d.commands[cmd.kind]();
        result = { id: cmd.id, kind: cmd.kind, state: 'done', result: value, error: null, at: this.d.clock.nowIso() };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        result = {
          id: cmd.id,
          kind: cmd.kind,
          state: 'failed',
          error: { code: e.code ?? 'FLEET_COMMAND_FAILED', message: (e.message ?? String(err)).slice(0, 2000) },
          at: this.d.clock.nowIso(),
        };
      }
    }
    this.d.db
      .prepare('UPDATE fleet_command SET state = ?, body = ?, finished_at = ? WHERE id = ?')
      .run(result.state, JSON.stringify(result), result.at, cmd.id);
    this.d.log.info('fleet.command', { id: cmd.id, kind: cmd.kind, state: result.state });
    return result;
  }

  /** Leaves cleanly: "offline" retained (a clean DISCONNECT sends no will), then the connection ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.updater.stop();
    this.d.faces?.setPublisher(null);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopHealth();
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (this.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        c.publish(this.topics.status, JSON.stringify(this.status('offline')), { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.connected = false;
    await c.endAsync(false).catch(() => undefined);
  }

  /** For tests: drop the connection without DISCONNECT, as a pulled cable does (the broker sends the will). */
  dropConnection(): void {
    this.client?.stream.destroy();
  }
}
