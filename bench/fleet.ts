/**
 * Fleet load benchmark (npm run bench:fleet; issue 19). Prints one JSON object on stdout, progress
 * lines on stderr; nothing is asserted. For each broker — the embedded aedes (fleet/broker.ts, in
 * this process together with the fleet server, as `npm run fleet` runs it) and Debian's mosquitto
 * 2.0 (fleet/mosquitto.ts: a child process, TLS with a client certificate per terminal, CN =
 * terminal id, and the contract's ACL file) — with a real FleetServer storing into SQLite
 * (fleet/server.ts, fleet/store.ts), on 127.0.0.1:
 *
 * - Connect storm from cold: BENCH_TERMINALS simulated terminals (default 1000) start at once, each
 *   with its own client id and credentials (aedes: username/password = terminal id/token registered
 *   at the server; mosquitto: its own certificate), a retained last will "offline", and on CONNACK
 *   the agent's subscriptions and a retained "online" (bootId, seq). Measured: the time until every
 *   terminal has its CONNACK (deadline 120 s, else how many did), the connection attempts, and the
 *   time until the server has stored every terminal's "online".
 * - Health: every terminal publishes a valid health report (fleetHealthSchema) at QoS 0,
 *   BENCH_HEALTH_HZ times a second each (default 1; phases spread evenly over the period), for
 *   BENCH_SECONDS (default 10). Measured per second: sent by the terminals, received by the
 *   server's MQTT client (a listener on FleetServer's private client, for counting only) and stored
 *   by the server (its `changed` events), within the window; then how long the backlog took to be
 *   stored (deadline 60 s).
 * - Restart: the broker is stopped and started again on the same port while the terminals are
 *   connected. They reconnect as the agent does (main/fleet/agent.ts): MQTT.js's reconnectPeriod is
 *   0, and each attempt is a new client after a delay from the agent's own Backoff
 *   (main/fleet/backoff.ts: exponential with full jitter), with the agent's default bounds (1 s ..
 *   300 s; BENCH_BACKOFF_MIN_MS / BENCH_BACKOFF_MAX_MS). Measured: the time from the broker
 *   listening again to all N connected again, the attempts from the stop on (and how many of them
 *   failed: refused, or closed before CONNACK), when the last terminal noticed the drop, and the
 *   time until the server has stored every "online" (the server's own MQTT.js client reconnects
 *   at its fixed 2 s period).
 * - Server CPU and memory: the CPU time of this process (process.cpuUsage: the fleet server, and
 *   for aedes the broker too) over the three phases, and its RSS sampled every 250 ms (peak).
 *   For mosquitto also the broker's own utime+stime (/proc/<pid>/stat) and peak RSS (VmHWM). The
 *   simulated terminals run in a child process (this file with BENCH_FLEET_ROLE=terminals) so
 *   that their CPU is not counted as the server's; theirs is reported beside. All of it shares
 *   the machine's cores. Each terminal's TLS context (CA, certificate, key) is made once, not at
 *   every attempt as the agent reads its files, so the simulation spends less of the CPU.
 * - TCP: the namespace's listen-queue overflows and SYN retransmissions during the connect and
 *   reconnect storms (/proc/net/netstat): a storm larger than the broker's accept backlog waits
 *   for the clients' SYN retries (1 s, 3 s, 7 s ...), not for CPU.
 *
 * mosquitto needs a certificate per terminal (openssl, three runs each). A pilot of 20 estimates
 * the time for all; when that exceeds 2 minutes the mosquitto part uses fewer terminals and says
 * so (BENCH_MOSQUITTO_TERMINALS sets the number outright). Without /usr/sbin/mosquitto that part
 * is `{ "broker": "mosquitto", "skipped": reason }`. BENCH_BROKERS=aedes,mosquitto picks the parts.
 * BENCH_STORE=postgres stores into a fresh schema of ESTATION_TEST_PG (PostgreSQL on 127.0.0.1,
 * dropped afterwards) instead of a SQLite file; the report names the store.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FLEET_SERVER_CLIENT, devTopics, fleetHealthSchema, type FleetHealth, type FleetStatus } from '../main/bridge/contract/fleet';
import { Backoff } from '../main/fleet/backoff';
import { fleetConfigSchema } from '../main/fleet/config';
import { startEmbeddedBroker, type EmbeddedBroker } from '../fleet/broker';
import { MOSQUITTO_BIN, makeTestPki, startMosquitto, type RunningMosquitto } from '../fleet/mosquitto';
import { FleetServer } from '../fleet/server';
import { openTestStore, STORES } from '../fleet/testing-pg';

const envNumber = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const log = (line: string) => void process.stderr.write(`[bench:fleet] ${line}\n`);
const round = (x: number, digits = 0) => +x.toFixed(digits);
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

// ---------------------------------------------------------------------------------------------
// The two processes talk over the fork IPC channel: requests with an id, one reply each.

interface TerminalCreds {
  id: string;
  password?: string;
  cert?: string;
  key?: string;
}

type Request =
  | { op: 'init'; url: string; ca: string | null; terminals: TerminalCreds[]; backoff: { minMs: number; maxMs: number } }
  | { op: 'connect' }
  | { op: 'waitAll'; since: number; deadlineMs: number }
  | { op: 'health'; seconds: number; hz: number }
  | { op: 'stats' }
  | { op: 'stop' };

interface WaitAllResult {
  /** When the last terminal got its CONNACK (Date.now() of this machine), or null at the deadline. */
  allAt: number | null;
  connected: number;
  attempts: number;
  failedAttempts: number;
  /** When the last terminal saw its connection drop, since `since` (null: none did). */
  lastDropAt: number | null;
}

interface HealthResult {
  startedAt: number;
  endedAt: number;
  sent: number;
  failed: number;
  /** Ticks that found the terminal not connected. */
  notConnected: number;
  payloadBytes: number;
}

interface Stats {
  attempts: number;
  failedAttempts: number;
  connected: number;
  cpuSeconds: number;
  rssMb: number;
  maxRssMb: number;
}

type Envelope = { benchFleet: true; id: number } & ({ req: Request } | { ok: true; value: unknown } | { ok: false; error: string });

const isEnvelope = (m: unknown): m is Envelope => typeof m === 'object' && m !== null && (m as { benchFleet?: unknown }).benchFleet === true;

// ---------------------------------------------------------------------------------------------
// The terminals' side: one MQTT.js client at a time per terminal, reconnecting as the agent does.

interface Shared {
  url: string;
  ca: Buffer | null;
  backoff: { minMs: number; maxMs: number };
  attempts: number;
  /** Attempts that ended without a CONNACK (refused, reset, timed out). */
  failedAttempts: number;
}

const DEVICES: FleetHealth['devices'] = [
  { id: 'printer', state: 'ready', code: null },
  { id: 'card-reader', state: 'ready', code: null },
  { id: 'scanner', state: 'ready', code: null },
  { id: 'camera', state: 'ready', code: null },
  { id: 'pinpad', state: 'warning', code: 'PINPAD_SLOW' },
];

class SimTerminal {
  private client: MqttClient | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private seq = 0;
  private healthSeq = 0;
  private readonly bootId = randomBytes(8).toString('hex');
  private readonly bootedAt = Date.now();
  private readonly backoff: Backoff;
  private readonly topics: ReturnType<typeof devTopics>;
  /** Made once: in the field each terminal has its own CPU for it, here it would be the simulation's cost. */
  private readonly secureContext: tls.SecureContext | null;
  private stopped = false;
  connected = false;
  connectedAt = 0;
  droppedAt = 0;

  constructor(
    private readonly creds: TerminalCreds,
    private readonly shared: Shared,
  ) {
    this.backoff = new Backoff(shared.backoff.minMs, shared.backoff.maxMs);
    this.topics = devTopics(creds.id);
    this.secureContext = creds.cert && creds.key && shared.ca ? tls.createSecureContext({ ca: shared.ca, cert: creds.cert, key: creds.key }) : null;
  }

  private status(state: FleetStatus['state']): FleetStatus {
    return { state, bootId: this.bootId, seq: this.seq, at: new Date().toISOString(), version: '0.1.0', mode: 'kiosk', chain: null };
  }

  /** The agent's connection options (main/fleet/agent.ts `options()`). */
  private options(): IClientOptions {
    const o: IClientOptions = {
      clientId: this.creds.id,
      username: this.creds.id,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(this.status('offline'))), qos: 1, retain: true },
    };
    if (this.creds.password) o.password = this.creds.password;
    if (this.secureContext) {
      // The agent passes ca, cert and key read from its files; the same, parsed once.
      // MQTT.js hands its options to tls.connect, which takes a SecureContext; IClientOptions does not list it.
      (o as IClientOptions & tls.ConnectionOptions).secureContext = this.secureContext;
      o.rejectUnauthorized = true;
    }
    return o;
  }

  connect(): void {
    if (this.stopped) return;
    this.seq++;
    this.shared.attempts++;
    let client: MqttClient;
    try {
      client = mqtt.connect(this.shared.url, this.options());
    } catch {
      return this.scheduleReconnect();
    }
    this.client = client;
    client.on('connect', () => {
      if (this.client !== client) return;
      this.connected = true;
      this.connectedAt = Date.now();
      this.backoff.reset();
      client.subscribe({ [this.topics.status]: { qos: 1 }, [this.topics.desired]: { qos: 1 }, [this.topics.command]: { qos: 1 } }, () => undefined);
      client.publish(this.topics.status, JSON.stringify(this.status('online')), { qos: 1, retain: true }, () => undefined);
    });
    client.on('error', () => undefined);
    client.on('close', () => {
      if (this.client !== client) return;
      if (this.connected) this.droppedAt = Date.now();
      else this.shared.failedAttempts++;
      this.connected = false;
      this.client = null;
      client.end(true);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.backoff.next());
  }

  healthBody(): FleetHealth {
    return {
      bootId: this.bootId,
      seq: ++this.healthSeq,
      at: new Date().toISOString(),
      uptimeSeconds: Math.floor((Date.now() - this.bootedAt) / 1000),
      version: '0.1.0',
      devices: DEVICES,
      paper: 'ok',
      queue: { pending: 2, unknown: 0, needsAttention: 0, oldestPendingAt: new Date(this.bootedAt).toISOString() },
      platform: 'online',
      disk: { freeBytes: 52_428_800_000, totalBytes: 128_000_000_000 },
      lastError: { code: 'PLATFORM_TIMEOUT', at: new Date(this.bootedAt).toISOString() },
      configVersion: 3,
      outOfService: false,
    };
  }

  /** One health report at QoS 0; `done` gets whether it was written, or null when not connected. */
  sendHealth(done: (ok: boolean | null) => void): number {
    const c = this.client;
    if (!c || !this.connected) {
      done(null);
      return 0;
    }
    const body = JSON.stringify(this.healthBody());
    c.publish(this.topics.health, body, { qos: 0 }, (err) => done(!err));
    return body.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}

async function terminalsMain(): Promise<void> {
  let shared: Shared | null = null;
  let terminals: SimTerminal[] = [];

  const stats = (): Stats => {
    const cpu = process.cpuUsage();
    return {
      attempts: shared?.attempts ?? 0,
      failedAttempts: shared?.failedAttempts ?? 0,
      connected: terminals.filter((t) => t.connected).length,
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      rssMb: mb(process.memoryUsage.rss()),
      maxRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
  };

  const waitAll = async (since: number, deadlineMs: number): Promise<WaitAllResult> => {
    const end = Date.now() + deadlineMs;
    const lastDrop = () => terminals.reduce<number | null>((m, t) => (t.droppedAt >= since && t.droppedAt > (m ?? 0) ? t.droppedAt : m), null);
    for (;;) {
      const up = terminals.filter((t) => t.connected && t.connectedAt >= since);
      const counts = { connected: up.length, attempts: shared?.attempts ?? 0, failedAttempts: shared?.failedAttempts ?? 0, lastDropAt: lastDrop() };
      if (up.length === terminals.length) return { allAt: up.reduce((m, t) => Math.max(m, t.connectedAt), since), ...counts };
      if (Date.now() >= end) return { allAt: null, ...counts };
      await sleep(10);
    }
  };

  const health = async (seconds: number, hz: number): Promise<HealthResult> => {
    const period = 1000 / hz;
    const r: HealthResult = { startedAt: Date.now(), endedAt: 0, sent: 0, failed: 0, notConnected: 0, payloadBytes: 0 };
    const endAt = r.startedAt + seconds * 1000;
    let pending = 0;
    const timers: NodeJS.Timeout[] = [];
    const tick = (t: SimTerminal) => {
      if (Date.now() >= endAt) return;
      pending++;
      const bytes = t.sendHealth((ok) => {
        pending--;
        if (ok === null) r.notConnected++;
        else if (ok) r.sent++;
        else r.failed++;
      });
      if (bytes) r.payloadBytes = bytes;
    };
    terminals.forEach((t, i) => {
      timers.push(
        setTimeout(
          () => {
            tick(t);
            timers.push(setInterval(() => tick(t), period));
          },
          (i / terminals.length) * period,
        ),
      );
    });
    await sleep(seconds * 1000);
    r.endedAt = Date.now();
    for (const t of timers) clearTimeout(t);
    // Publish callbacks still due (QoS 0: written to the socket), within 10 s.
    const deadline = Date.now() + 10_000;
    while (pending > 0 && Date.now() < deadline) await sleep(10);
    r.failed += pending;
    return r;
  };

  const stopAll = () => Promise.all(terminals.map((t) => t.stop()));

  const handle = async (req: Request): Promise<unknown> => {
    switch (req.op) {
      case 'init': {
        shared = { url: req.url, ca: req.ca ? Buffer.from(req.ca) : null, backoff: req.backoff, attempts: 0, failedAttempts: 0 };
        const s = shared;
        terminals = req.terminals.map((c) => new SimTerminal(c, s));
        // The payload the server will parse: checked here once, so a schema drift shows as an error, not as 0 stored.
        fleetHealthSchema.parse(new SimTerminal({ id: 'X' }, s).healthBody());
        return null;
      }
      case 'connect': {
        const startedAt = Date.now();
        for (const t of terminals) t.connect();
        return startedAt;
      }
      case 'waitAll':
        return waitAll(req.since, req.deadlineMs);
      case 'health':
        return health(req.seconds, req.hz);
      case 'stats':
        return stats();
      case 'stop':
        await stopAll();
        return stats();
    }
  };

  process.on('message', (m: unknown) => {
    if (!isEnvelope(m) || !('req' in m)) return;
    const { id, req } = m;
    const reply = (body: { ok: true; value: unknown } | { ok: false; error: string }, after?: () => void) =>
      process.send?.({ benchFleet: true, id, ...body } satisfies Envelope, undefined, {}, () => after?.());
    handle(req)
      .then((value) => reply({ ok: true, value }, req.op === 'stop' ? () => process.disconnect() : undefined))
      .catch((e: unknown) => reply({ ok: false, error: e instanceof Error ? e.message : String(e) }));
  });
  // The bench process went away (or asked to stop): close everything; the event loop then ends.
  process.on('disconnect', () => {
    stopAll()
      .catch(() => undefined)
      .finally(() => setTimeout(() => process.exit(0), 2_000).unref());
  });
}

// ---------------------------------------------------------------------------------------------
// The bench process: brokers, the fleet server, measurements.

/** The terminals' child process, with request/reply and a deadline on each request. */
class TerminalsProcess {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly exited: Promise<void>;
  private alive = true;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: unknown) => {
      if (!isEnvelope(m) || !('ok' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`terminals process: ${m.error}`));
    });
    child.on('error', (e) => log(`terminals process error: ${e.message}`));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.alive = false;
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`terminals process exited (${signal ?? code})`));
        }
        this.pending.clear();
        resolve();
      });
    });
  }

  static start(): TerminalsProcess {
    const child = fork(import.meta.filename, [], {
      env: { ...process.env, BENCH_FLEET_ROLE: 'terminals' },
      // Its stdout goes to our stderr: stdout carries only the JSON.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    return new TerminalsProcess(child);
  }

  request<T>(req: Request, timeoutMs: number): Promise<T> {
    if (!this.alive) return Promise.reject(new Error('terminals process is not running'));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`terminals process: ${req.op} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ benchFleet: true, id, req } satisfies Envelope, (err) => {
        if (!err) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Stops the terminals (their last stats), then the process; killed if it lingers. */
  async close(): Promise<Stats | null> {
    let last: Stats | null = null;
    if (this.alive) last = await this.request<Stats>({ op: 'stop' }, 30_000).catch(() => null);
    const gone = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!gone) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, sleep(5_000)]);
    }
    return last;
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (utime + stime) and RSS of a process from /proc, or null once it is gone. */
function procUsage(pid: number): { cpuSeconds: number; rssMb: number; hwmMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { cpuSeconds, rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return null;
  }
}

/** The mosquitto started with this configuration file (fleet/mosquitto.ts runs `mosquitto -c <dir>/mosquitto.conf`). */
function findMosquittoPid(confFile: string): number | null {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv[0] === MOSQUITTO_BIN && argv.includes(confFile)) return Number(e);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return null;
}

/**
 * The kernel's TCP counters for this network namespace (/proc/net/netstat): SYNs dropped because a
 * listen queue was full, and SYNs the clients sent again (after 1 s, then 3 s, 7 s, ...). A connect
 * storm larger than the broker's accept backlog shows here rather than in CPU time.
 */
function tcpCounters(): { listenOverflows: number; synRetransmits: number } | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[i]?.split(/\s+/) ?? [];
    const values = lines[i + 1]?.split(/\s+/).map(Number) ?? [];
    const get = (k: string) => values[names.indexOf(k)] ?? NaN;
    const c = { listenOverflows: get('ListenOverflows'), synRetransmits: get('TCPSynRetrans') };
    return Number.isFinite(c.listenOverflows) && Number.isFinite(c.synRetransmits) ? c : null;
  } catch {
    return null;
  }
}

const tcpDelta = (a: ReturnType<typeof tcpCounters>, b: ReturnType<typeof tcpCounters>) =>
  a && b ? { listenOverflows: b.listenOverflows - a.listenOverflows, synRetransmits: b.synRetransmits - a.synRetransmits } : null;

/** Counts what the fleet server receives and stores, and when it has seen every terminal online. */
class ServerWatch {
  readonly received: number[] = [];
  readonly stored: number[] = [];
  private online = new Set<string>();
  private onlineSince = 0;
  onlineAllAt: number | null = null;

  constructor(
    server: FleetServer,
    private readonly n: number,
  ) {
    server.on('changed', (e) => void (e.what === 'health' && this.stored.push(Date.now())));
    server.on('presence', (e) => {
      if (e.status.state !== 'online' || Date.now() < this.onlineSince) return;
      this.online.add(e.terminalId);
      if (this.online.size === this.n && this.onlineAllAt === null) this.onlineAllAt = Date.now();
    });
    // FleetServer keeps its MQTT client private; a second listener on it only counts health messages.
    const client = (server as unknown as { client?: MqttClient | null }).client;
    if (client && typeof client.on === 'function') client.on('message', (topic) => void (topic.endsWith('/health') && this.received.push(Date.now())));
  }

  /** From now on, count "online" afresh. */
  resetOnline(since: number): void {
    this.online = new Set();
    this.onlineSince = since;
    this.onlineAllAt = null;
  }

  async waitOnlineAll(deadlineMs: number): Promise<number | null> {
    const end = Date.now() + deadlineMs;
    while (this.onlineAllAt === null && Date.now() < end) await sleep(20);
    return this.onlineAllAt;
  }

  onlineCount(): number {
    return this.online.size;
  }
}

const count = (xs: number[], from: number, to: number) => xs.filter((t) => t >= from && t <= to).length;

/** Peak RSS of this process (and of the broker, when it is a process of its own), sampled every 250 ms. */
class Sampler {
  serverRssMb = 0;
  brokerRssMb = 0;
  brokerPid: number | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sample(), 250);
    this.sample();
  }

  sample(): void {
    this.serverRssMb = Math.max(this.serverRssMb, mb(process.memoryUsage.rss()));
    const b = this.brokerPid ? procUsage(this.brokerPid) : null;
    // An exited process not yet reaped has a stat but no VmRSS.
    if (b) this.brokerRssMb = Math.max(this.brokerRssMb, ...[b.rssMb, b.hwmMb].filter(Number.isFinite));
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

interface BrokerUnderTest {
  url: string;
  /** The broker process's CPU seconds so far (mosquitto), or null when it is this process. */
  brokerCpu(): number | null;
  /** Stops the broker and starts it again on the same port; resolves when it listens. */
  restart(): Promise<{ stoppedAt: number; backAt: number }>;
  close(): Promise<void>;
}

const N = Math.floor(envNumber('BENCH_TERMINALS', 1000));
const SECONDS = envNumber('BENCH_SECONDS', 10);
const HZ = envNumber('BENCH_HEALTH_HZ', 1);
const DEFAULT_BACKOFF = fleetConfigSchema.parse({}).backoff;
const BACKOFF = { minMs: envNumber('BENCH_BACKOFF_MIN_MS', DEFAULT_BACKOFF.minMs), maxMs: envNumber('BENCH_BACKOFF_MAX_MS', DEFAULT_BACKOFF.maxMs) };
const BROKERS = (process.env.BENCH_BROKERS ?? 'aedes,mosquitto').split(',').map((s) => s.trim());
const STORE_KIND = (() => {
  const want = process.env.BENCH_STORE ?? 'sqlite';
  const kind = STORES.find((k) => k.dialect === want);
  if (!kind) throw new Error(`BENCH_STORE=${want}: sqlite or postgres`);
  if (kind.skip) throw new Error('BENCH_STORE=postgres needs ESTATION_TEST_PG (a PostgreSQL database on 127.0.0.1)');
  return kind;
})();
const CONNECT_DEADLINE_MS = 120_000;
const DRAIN_DEADLINE_MS = 60_000;
const CERT_BUDGET_MS = 120_000;
const PILOT_CERTS = 20;

const terminalIds = (n: number) => Array.from({ length: n }, (_, i) => `BENCH-${String(i + 1).padStart(5, '0')}`);

/**
 * One broker's run: the fleet server on it, the terminals' connect storm, health, restart. `setup`
 * starts the broker and connects the server; it gets the temp dir and the terminal ids.
 */
async function runBroker(
  name: 'aedes' | 'mosquitto',
  n: number,
  dir: string,
  setup: (server: FleetServer, ids: string[], sampler: Sampler) => Promise<{ broker: BrokerUnderTest; creds: TerminalCreds[]; ca: string | null }>,
  notes: string[],
): Promise<Record<string, unknown>> {
  const ids = terminalIds(n);
  const store = await openTestStore(STORE_KIND, dir);
  const server = new FleetServer(store.db);
  const sampler = new Sampler();
  let broker: BrokerUnderTest | null = null;
  let terminals: TerminalsProcess | null = null;
  try {
    const s = await setup(server, ids, sampler);
    broker = s.broker;
    const watch = new ServerWatch(server, n);
    terminals = TerminalsProcess.start();
    await terminals.request({ op: 'init', url: broker.url, ca: s.ca, terminals: s.creds, backoff: BACKOFF }, 60_000);
    const serverRssMbAtStart = mb(process.memoryUsage.rss());
    const t0 = await terminals.request<Stats>({ op: 'stats' }, 10_000);
    const cpu0 = cpuNow();
    const tcp0 = tcpCounters();
    const b0 = broker.brokerCpu();

    // 1. Connect storm from cold.
    log(`${name}: connecting ${n} terminals`);
    watch.resetOnline(0);
    const startedAt = await terminals.request<number>({ op: 'connect' }, 30_000);
    const connect = await terminals.request<WaitAllResult>({ op: 'waitAll', since: 0, deadlineMs: CONNECT_DEADLINE_MS }, CONNECT_DEADLINE_MS + 10_000);
    const onlineAt = await watch.waitOnlineAll(connect.allAt === null ? 0 : 30_000);
    log(`${name}: ${connect.connected}/${n} connected in ${connect.allAt === null ? 'more than 120 s' : `${connect.allAt - startedAt} ms`}`);
    const cpu1 = cpuNow();
    const tcp1 = tcpCounters();
    const b1 = broker.brokerCpu();
    const t1 = await terminals.request<Stats>({ op: 'stats' }, 10_000);

    // 2. Health at a fixed rate.
    log(`${name}: health at ${HZ}/s per terminal for ${SECONDS} s`);
    const h = await terminals.request<HealthResult>({ op: 'health', seconds: SECONDS, hz: HZ }, SECONDS * 1000 + 30_000);
    const windowS = (h.endedAt - h.startedAt) / 1000;
    const receivedInWindow = count(watch.received, h.startedAt, h.endedAt);
    const storedInWindow = count(watch.stored, h.startedAt, h.endedAt);
    // The backlog: until nothing more arrives for 500 ms and the store has caught up with what did.
    const drainEnd = Date.now() + DRAIN_DEADLINE_MS;
    let drained = false;
    while (Date.now() < drainEnd) {
      const before = watch.received.length;
      if (!(await Promise.race([server.settled().then(() => true), sleep(1_000).then(() => false)]))) continue;
      await sleep(500);
      if (watch.received.length === before) {
        drained = true;
        break;
      }
    }
    const storedTotal = count(watch.stored, h.startedAt, Infinity);
    const lastStored = watch.stored.at(-1) ?? h.endedAt;
    log(`${name}: health sent ${h.sent}, received ${count(watch.received, h.startedAt, Infinity)}, stored ${storedTotal}`);
    const cpu2 = cpuNow();
    const b2 = broker.brokerCpu();

    // 3. Broker restart while every terminal is connected.
    log(`${name}: restarting the broker`);
    const t2 = await terminals.request<Stats>({ op: 'stats' }, 10_000);
    const tcp2 = tcpCounters();
    const stoppedAt = Date.now();
    watch.resetOnline(stoppedAt);
    const r = await broker.restart();
    const reconnect = await terminals.request<WaitAllResult>(
      { op: 'waitAll', since: stoppedAt, deadlineMs: CONNECT_DEADLINE_MS },
      CONNECT_DEADLINE_MS + 10_000,
    );
    const onlineAgainAt = await watch.waitOnlineAll(reconnect.allAt === null ? 0 : 30_000);
    log(`${name}: ${reconnect.connected}/${n} reconnected in ${reconnect.allAt === null ? 'more than 120 s' : `${reconnect.allAt - r.backAt} ms`}`);
    const cpu3 = cpuNow();
    const tcp3 = tcpCounters();
    const b3 = broker.brokerCpu();
    const t3 = await terminals.request<Stats>({ op: 'stats' }, 10_000);
    sampler.stop();

    const phase = (a: number | null, b: number | null) => (a === null || b === null ? null : round(b - a, 2));
    const brokerCpu = b0 === null ? null : { connect: phase(b0, b1), health: phase(b1, b2), restart: phase(b2, b3) };
    return {
      broker: name,
      store: STORE_KIND.name,
      terminals: n,
      connectAllMs: connect.allAt === null ? null : connect.allAt - startedAt,
      connected: connect.connected,
      connectAttempts: connect.attempts,
      connectFailedAttempts: connect.failedAttempts,
      connectTcp: tcpDelta(tcp0, tcp1),
      serverSeesAllOnlineMs: onlineAt === null ? null : onlineAt - startedAt,
      healthPerSecondSent: round(h.sent / windowS),
      healthPerSecondReceived: round(receivedInWindow / windowS),
      healthPerSecondStored: round(storedInWindow / windowS),
      health: {
        perTerminalHz: HZ,
        windowSeconds: round(windowS, 2),
        payloadBytes: h.payloadBytes,
        sent: h.sent,
        notConnectedTicks: h.notConnected,
        failed: h.failed,
        receivedInWindow,
        storedInWindow,
        receivedTotal: count(watch.received, h.startedAt, Infinity),
        storedTotal,
        backlogStoredMsAfterWindow: drained ? Math.max(0, lastStored - h.endedAt) : null,
      },
      restart: {
        downMs: r.backAt - r.stoppedAt,
        reconnectAllMs: reconnect.allAt === null ? null : Math.max(0, reconnect.allAt - r.backAt),
        connected: reconnect.connected,
        attempts: reconnect.attempts - t2.attempts,
        failedAttempts: reconnect.failedAttempts - t2.failedAttempts,
        lastDropSeenMs: reconnect.lastDropAt === null ? null : reconnect.lastDropAt - stoppedAt,
        serverSeesAllOnlineMs: onlineAgainAt === null ? null : Math.max(0, onlineAgainAt - r.backAt),
        serverOnlineStored: watch.onlineCount(),
        tcp: tcpDelta(tcp2, tcp3),
      },
      serverCpuSeconds: round(cpu3 - cpu0, 2),
      serverCpuSecondsByPhase: { connect: round(cpu1 - cpu0, 2), health: round(cpu2 - cpu1, 2), restart: round(cpu3 - cpu2, 2) },
      serverRssMb: sampler.serverRssMb,
      serverRssMbAtStart,
      ...(brokerCpu
        ? {
            brokerCpuSeconds: round((brokerCpu.connect ?? 0) + (brokerCpu.health ?? 0) + (brokerCpu.restart ?? 0), 2),
            brokerCpuSecondsByPhase: brokerCpu,
            brokerRssMb: sampler.brokerRssMb,
          }
        : {}),
      terminalsProcess: {
        cpuSeconds: round(t3.cpuSeconds - t0.cpuSeconds, 2),
        cpuSecondsByPhase: {
          connect: round(t1.cpuSeconds - t0.cpuSeconds, 2),
          health: round(t2.cpuSeconds - t1.cpuSeconds, 2),
          restart: round(t3.cpuSeconds - t2.cpuSeconds, 2),
        },
        rssMbPeak: t3.maxRssMb,
      },
      ...(notes.length ? { notes } : {}),
    };
  } finally {
    sampler.stop();
    await server.close().catch((e: unknown) => log(`${name}: closing the server: ${String(e)}`));
    await store.dispose().catch((e: unknown) => log(`${name}: dropping the store's schema: ${String(e)}`));
    if (terminals) await terminals.close().catch((e: unknown) => log(`${name}: closing the terminals: ${String(e)}`));
    if (broker) await broker.close().catch((e: unknown) => log(`${name}: closing the broker: ${String(e)}`));
  }
}

async function benchAedes(): Promise<Record<string, unknown>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'estation-bench-fleet-aedes-'));
  try {
    return await runBroker(
      'aedes',
      N,
      dir,
      async (server, ids) => {
        const creds: TerminalCreds[] = [];
        for (const id of ids) creds.push({ id, password: (await server.register(id, { chain: null })) ?? undefined });
        let b: EmbeddedBroker = await startEmbeddedBroker({ authenticate: server.authenticate });
        const port = b.port;
        await server.connect(b.url);
        const broker: BrokerUnderTest = {
          url: b.url,
          brokerCpu: () => null,
          async restart() {
            const stoppedAt = Date.now();
            await b.close();
            b = await startEmbeddedBroker({ authenticate: server.authenticate, port });
            return { stoppedAt, backAt: Date.now() };
          },
          close: () => b.close(),
        };
        return { broker, creds, ca: null };
      },
      [],
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function benchMosquitto(): Promise<Record<string, unknown>> {
  if (!existsSync(MOSQUITTO_BIN)) return { broker: 'mosquitto', skipped: `${MOSQUITTO_BIN} not found (apt-get install mosquitto)` };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'estation-bench-fleet-mosquitto-'));
  try {
    const notes: string[] = [];
    // A pilot run of the PKI estimates what all the certificates will take.
    let n = process.env.BENCH_MOSQUITTO_TERMINALS ? Math.floor(envNumber('BENCH_MOSQUITTO_TERMINALS', N)) : N;
    const t = performance.now();
    await makeTestPki(path.join(dir, 'pilot'), terminalIds(Math.min(PILOT_CERTS, n)));
    const perCertMs = (performance.now() - t) / (Math.min(PILOT_CERTS, n) + 2);
    await fs.rm(path.join(dir, 'pilot'), { recursive: true, force: true });
    const estimateMs = perCertMs * (n + 3);
    if (!process.env.BENCH_MOSQUITTO_TERMINALS && estimateMs > CERT_BUDGET_MS) {
      n = Math.max(PILOT_CERTS, Math.floor(CERT_BUDGET_MS / perCertMs) - 3);
      notes.push(`certificates for ${N} terminals were estimated at ${round(estimateMs / 1000)} s (> 120 s): ${n} terminals on mosquitto`);
    } else if (n !== N) notes.push(`BENCH_MOSQUITTO_TERMINALS=${n}`);
    log(`mosquitto: ${n} client certificates (about ${round(perCertMs, 1)} ms each in the pilot)`);
    let pkiMs = 0;
    const result = await runBroker(
      'mosquitto',
      n,
      dir,
      async (server, ids, sampler) => {
        for (const id of ids) await server.register(id, { chain: null, withToken: false });
        const t0 = performance.now();
        const m: RunningMosquitto = await startMosquitto({ dir, terminals: ids.map((id) => ({ id, chain: null })) });
        pkiMs = performance.now() - t0;
        log(`mosquitto: certificates and start ${round(pkiMs / 1000, 1)} s`);
        const confFile = path.join(dir, 'mosquitto.conf');
        sampler.brokerPid = findMosquittoPid(confFile);
        if (sampler.brokerPid === null) notes.push('mosquitto process not found in /proc: no broker CPU or RSS');
        // CPU of the processes stopped by a restart, added to the running one's.
        let stoppedCpu = 0;
        const brokerCpu = () => {
          const u = sampler.brokerPid ? procUsage(sampler.brokerPid) : null;
          return u ? stoppedCpu + u.cpuSeconds : null;
        };
        await server.connect(m.url, { ca: m.ca, ...m.credentials(FLEET_SERVER_CLIENT) });
        const creds: TerminalCreds[] = ids.map((id) => {
          const c = m.credentials(id);
          return { id, cert: c.cert.toString('utf8'), key: c.key.toString('utf8') };
        });
        const broker: BrokerUnderTest = {
          url: m.url,
          brokerCpu,
          async restart() {
            // The stopped process's CPU and peak RSS, read just before it is told to stop.
            sampler.sample();
            const before = sampler.brokerPid ? procUsage(sampler.brokerPid) : null;
            if (before) stoppedCpu += before.cpuSeconds;
            const stoppedAt = Date.now();
            await m.stop();
            await m.restart();
            const backAt = Date.now();
            sampler.brokerPid = findMosquittoPid(confFile);
            return { stoppedAt, backAt };
          },
          close: () => m.stop(),
        };
        return { broker, creds, ca: m.ca.toString('utf8') };
      },
      notes,
    );
    return { ...result, certificatesAndStartMs: round(pkiMs) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function benchMain(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  let failed = false;
  for (const b of BROKERS) {
    try {
      if (b === 'aedes') results.push(await benchAedes());
      else if (b === 'mosquitto') results.push(await benchMosquitto());
      else results.push({ broker: b, skipped: 'unknown broker (aedes, mosquitto)' });
    } catch (e) {
      failed = true;
      log(`${b}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      results.push({ broker: b, error: e instanceof Error ? e.message : String(e) });
    }
  }
  process.stdout.write(
    JSON.stringify(
      {
        benchmark: 'fleet',
        cores: os.cpus().length,
        terminals: N,
        seconds: SECONDS,
        healthHzPerTerminal: HZ,
        reconnect: { backoff: 'main/fleet/backoff.ts (exponential, full jitter), a new client per attempt as the agent', ...BACKOFF },
        results,
      },
      null,
      2,
    ) + '\n',
  );
  if (failed) process.exitCode = 1;
}

if (process.env.BENCH_FLEET_ROLE === 'terminals') await terminalsMain();
else await benchMain();
