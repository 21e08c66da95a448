/**
 * The fleet agent wired into a terminal: its health from the device supervisor, the outbox and the
 * platform link; a desired config merged over the config file and checked by the same schema;
 * commands run by the services that already do them (self-tests, the readiness report, the
 * drainer); out of service enforced here, in main, not by the screen.
 */
import fs from 'node:fs';
import { BridgeError, type QueueStatus } from '../bridge/contract';
import type { Handlers } from '../bridge/dispatcher';
import type { FleetHealth } from '../bridge/contract/fleet';
import type { DeviceSupervisor } from '../devices/supervisor';
import type { DeviceManager } from '../devices/manager';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { appVersion } from '../ground/version';
import type { Db } from '../store/database';
import type { Drainer } from '../outbox/drainer';
import type { PlatformHealth } from '../platform/health';
import type { HelpDesk } from '../help/help';
import type { ServiceModule } from '../service';
import { FleetAgent, storedDesired } from '../fleet/agent';
import { UpdateSlots } from '../fleet/slots';
import { ChainFaces } from '../fleet/faces';
import type { FaceGallery } from '../face/gallery';
import { parseConfig, type Config } from './config';

/** Keys a fleet server may not set: where the data lives, how this terminal reaches the fleet, the local HTTP host. */
const LOCAL_ONLY = ['dataDir', 'host', 'fleet.enabled', 'fleet.url', 'fleet.password', 'fleet.tls', 'fleet.chain', 'fleet.chainKeyFile', 'mode'];
/** Keys whose readers look them up at each use: they change at once. Everything else at the next start. */
const LIVE = ['terminal.name', 'ui.elderlyMode', 'ui.idleTimeoutSeconds', 'fleet.healthIntervalSeconds'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `patch` over `base`: objects merge key by key, anything else (arrays included) replaces. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = mergePatch(base[k], v);
  return out;
}

/** Leaf paths set by a patch ("ui.idleTimeoutSeconds"); an array or scalar is a leaf. */
function leafPaths(patch: unknown, prefix = ''): string[] {
  if (!isObject(patch)) return [prefix];
  const keys = Object.entries(patch).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  return keys.length ? keys : prefix ? [prefix] : [];
}

const under = (key: string, list: string[]) => list.some((p) => key === p || key.startsWith(`${p}.`));

export class FleetConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problems: { key: string; expected: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * The config a terminal runs with: its file, and over it the desired patch it last accepted from
 * its fleet server (kept in its own database, so it holds while the server is away).
 */
export function withStoredDesired(config: Config, db: Db, log: Logger): Config {
  if (!config.fleet.enabled) return config;
  const stored = storedDesired(db);
  if (!stored) return config;
  try {
    return parseConfig(mergePatch(config, stored.patch), `desired config ${stored.version}`);
  } catch (err) {
    log.error('fleet.stored_config_invalid', { version: stored.version, error: (err as Error).message });
    return config;
  }
}

export interface FleetWiring {
  fileConfig: Config;
  /** The config in force; live keys are changed on it in place. */
  inForce: { current: Config };
  db: Db;
  clock: Clock;
  log: Logger;
  supervisor: DeviceSupervisor;
  devices: DeviceManager;
  health: PlatformHealth;
  queueStatus: () => QueueStatus;
  drainer: Drainer;
  service: ServiceModule;
  dataDir: string;
  host: 'electron' | 'node';
  requestRestart: () => void;
  /** 呼叫工作人员: a pending call goes out with the health, and staff can answer it remotely. */
  help: HelpDesk;
  /** Who is at the terminal now (a resident's or customer's session, a face session), for the update lock. */
  attended(): string | null;
  /** The face gallery, when face recognition runs here: enrolments are shared with the chain. */
  gallery: FaceGallery | null;
  /** The launcher's environment (ESTATION_LAUNCHED, ESTATION_UPDATES_DIR, ESTATION_RELEASE_KEY); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Calls during which no update may switch the terminal (issue 19 item 5, the update lock): a
 * payment, an enrolment or consent, a filing, a print. Data, so a deployment's list can grow.
 */
export const UPDATE_LOCK: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /^checkout\.(quote|pay|refund|resolve|mutualAid)$/, what: 'a payment' },
  { pattern: /^face\.(start|frame|consent|delete)$/, what: 'a face session or enrolment' },
  { pattern: /^kiosk\.(printJob|printCertificate|servicePrint|authPrint)$/, what: 'a print' },
  { pattern: /^kiosk\.(file|authorise|revokeAuth|serviceSubmit|familyBind|familyBindChild|familyUnbind|premiumOrder)$/, what: 'a filing or consent' },
];

/** Counts the calls under the update lock while they run; `holder` says what holds it (or null). */
export function updateLockTracker(list: readonly { pattern: RegExp; what: string }[] = UPDATE_LOCK) {
  const running = new Map<string, number>();
  return {
    holder: (): string | null => [...running.entries()].find(([, n]) => n > 0)?.[0] ?? null,
    async run<T>(channel: string, fn: () => T | Promise<T>): Promise<T> {
      const what = list.find((l) => l.pattern.test(channel))?.what;
      if (what) running.set(what, (running.get(what) ?? 0) + 1);
      try {
        return await fn();
      } finally {
        if (what) running.set(what, running.get(what)! - 1);
      }
    },
  };
}

/** Reads a chain key file: 32 bytes raw, as 64 hex digits, or as base64. Anything else is FLEET_CHAIN_KEY_INVALID. */
export function readChainKey(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw new FleetConfigError('FLEET_CHAIN_KEY_INVALID', `fleet.chainKeyFile ${file}: ${(err as Error).message}`);
  }
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (b64?.length === 32) return b64;
  throw new FleetConfigError('FLEET_CHAIN_KEY_INVALID', `fleet.chainKeyFile ${file}: not 32 bytes (raw, 64 hex digits or base64)`);
}

/** The update slots when this terminal runs under `estation launch` with a release key; otherwise why not. */
export function updateSlotsFrom(env: NodeJS.ProcessEnv): { slots: UpdateSlots | null; disabled: { code: string; message: string } | null } {
  if (env.ESTATION_LAUNCHED !== '1' || !env.ESTATION_UPDATES_DIR)
    return {
      slots: null,
      disabled: { code: 'UPDATE_NO_LAUNCHER', message: 'this terminal was not started by estation launch, which alone can switch versions' },
    };
  try {
    return { slots: new UpdateSlots(env.ESTATION_UPDATES_DIR, fs.readFileSync(env.ESTATION_RELEASE_KEY ?? '', 'utf8')), disabled: null };
  } catch (err) {
    return { slots: null, disabled: { code: 'UPDATE_NOT_CONFIGURED', message: `the release key cannot be read: ${(err as Error).message.slice(0, 200)}` } };
  }
}

export interface FleetLink {
  agent: FleetAgent;
  outOfService(): boolean;
  /** Handlers that move money, consent or serve a resident refuse while out of service. */
  guard(handlers: Partial<Handlers>): Partial<Handlers>;
}

const BUSINESS = /^(kiosk|checkout|face)\./;

export function startFleet(w: FleetWiring): FleetLink {
  let outOfService = false;
  const env = w.env ?? process.env;
  const launched = env.ESTATION_LAUNCHED === '1';
  const updates = updateSlotsFrom(env);
  const locking = updateLockTracker();
  const lockedBy = () => w.attended() ?? locking.holder();
  const paperOf = (h: FleetHealth['devices']): FleetHealth['paper'] => {
    const p = h.find((d) => d.id === 'printer');
    if (!p) return null;
    if (p.code === 'PRINTER_PAPER_OUT') return 'out';
    if (p.code === 'PRINTER_PAPER_NEAR_END') return 'near-end';
    return 'ok';
  };
  const fleetConfig = w.inForce.current.fleet;
  const faces =
    fleetConfig.chain && fleetConfig.chainKeyFile && w.gallery
      ? new ChainFaces({
          gallery: w.gallery,
          chainKey: readChainKey(fleetConfig.chainKeyFile),
          chain: fleetConfig.chain,
          terminalId: w.inForce.current.terminal.id,
          db: w.db,
          clock: w.clock,
          log: w.log.child({ component: 'fleet' }),
        })
      : undefined;
  const agent: FleetAgent = new FleetAgent({
    faces,
    terminalId: w.inForce.current.terminal.id,
    mode: w.inForce.current.mode,
    version: appVersion,
    config: w.inForce.current.fleet,
    db: w.db,
    clock: w.clock,
    log: w.log.child({ component: 'fleet' }),
    health: async () => {
      const list = w.supervisor.list();
      const devices = list.map((d) => ({ id: d.id.slice(0, 40), state: d.state, code: d.code }));
      const errors = list.flatMap((d) => (d.lastError ? [d.lastError] : [])).sort((a, b) => b.at.localeCompare(a.at));
      let disk: FleetHealth['disk'] = null;
      try {
        const s = await fs.promises.statfs(w.dataDir);
        disk = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
      } catch {
        disk = null;
      }
      return {
        devices,
        paper: paperOf(devices),
        queue: w.queueStatus(),
        platform: w.health.current().platform,
        disk,
        lastError: errors[0] ? { code: errors[0].code.slice(0, 60), at: errors[0].at } : null,
        help: w.help.current,
      };
    },
    applyConfig: (patch) => {
      const keys = leafPaths(patch);
      const local = keys.filter((k) => under(k, LOCAL_ONLY));
      if (local.length)
        throw new FleetConfigError(
          'FLEET_CONFIG_KEY_LOCAL',
          `set on the terminal only: ${local.join(', ')}`,
          local.map((key) => ({ key, expected: 'set in the terminal’s own config file' })),
        );
      const next = parseConfig(mergePatch(w.fileConfig, patch), 'desired config');
      const live = keys.filter((k) => under(k, LIVE));
      const cur = w.inForce.current;
      w.inForce.current = {
        ...cur,
        terminal: { ...cur.terminal, name: next.terminal.name },
        ui: next.ui,
        fleet: { ...cur.fleet, healthIntervalSeconds: next.fleet.healthIntervalSeconds },
      };
      if (next.fleet.healthIntervalSeconds !== cur.fleet.healthIntervalSeconds) agent.setHealthInterval(next.fleet.healthIntervalSeconds);
      return { live, atRestart: keys.filter((k) => !live.includes(k)) };
    },
    commands: {
      restart: async () => {
        if (w.host === 'node' && !launched)
          throw new FleetConfigError(
            'FLEET_COMMAND_UNSUPPORTED',
            'the Node host cannot restart itself without estation launch; its service manager restarts it',
          );
        setTimeout(() => w.requestRestart(), 500);
        return { restarting: true };
      },
      'self-test': async () => {
        const results = await w.devices.selfTestAll();
        return { passed: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).map((r) => ({ id: r.deviceId, code: r.code })) };
      },
      readiness: async () => {
        const r = await w.service.diagnostics.readiness(false);
        return {
          ready: r.ok,
          at: r.at,
          failedDevices: r.tests.filter((t) => !t.ok).map((t) => ({ id: t.deviceId, code: t.code })),
          platform: r.platform.ok,
          storage: r.storage.ok,
        };
      },
      'drain-queue': async () => ({ delivered: await w.drainer.drainOnce(), queue: w.queueStatus() }),
      'out-of-service': async () => {
        outOfService = true;
        w.log.warn('fleet.out_of_service', {});
        return { outOfService };
      },
      'in-service': async () => {
        outOfService = false;
        w.log.info('fleet.in_service', {});
        return { outOfService };
      },
      // Staff at the console went to the resident (or phoned the hall): the call ends on the screen too.
      'answer-help': async () => w.help.end('answered'),
    },
    outOfService: () => outOfService,
    updates: {
      ...updates,
      lockedBy,
      workingDevices: async () => (await w.devices.selfTestAll()).filter((r) => r.ok).map((r) => r.deviceId),
      healthy: async (before): Promise<{ ok: boolean; why?: string }> => {
        // Devices still opening count as absent: wait until each has opened or failed.
        await w.devices.settled();
        const results = await w.devices.selfTestAll();
        const failed = results.filter((r) => !r.ok && before.includes(r.deviceId)).map((r) => `${r.deviceId}: ${r.code}`);
        if (failed.length) return { ok: false, why: `self-tests failed: ${failed.join(', ')}` };
        return agent.isConnected ? { ok: true } : { ok: false, why: 'the fleet server is not reachable' };
      },
      restartIntoCurrent: () => w.requestRestart(),
    },
  });
  agent.start();
  // A call raised or ended goes out now, not at the next health period.
  w.help.on('changed', () => void agent.sendHealth());
  return {
    agent,
    outOfService: () => outOfService,
    guard: (handlers) =>
      Object.fromEntries(
        Object.entries(handlers).map(([channel, h]) => [
          channel,
          BUSINESS.test(channel)
            ? async (input: never, ctx: never) => {
                if (outOfService) throw new BridgeError('TERMINAL_OUT_OF_SERVICE', 'this terminal was taken out of service by its fleet');
                return locking.run(channel, () => (h as (i: never, c: never) => unknown)(input, ctx));
              }
            : h,
        ]),
      ) as Partial<Handlers>,
  };
}
