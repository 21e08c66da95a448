/**
 * Main's side of the services host: starts it, forwards bridge calls to it, relays its events,
 * and restarts it with backoff when it dies. Transport-agnostic (an Electron utility process or a
 * forked Node child), so everything here is tested under plain Node with a real child process.
 */
import { EventEmitter } from 'node:events';
import type { BridgeResult as Result } from '../bridge/contract';
import type { EventEnvelope } from '../bridge/event-bus';
import { fromHostSchema, type ToHost } from './protocol';

export interface ChildLike {
  postMessage(message: ToHost): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface RestartPolicyOptions {
  /** First delay; each further restart in the window doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** More restarts than this within `windowMs` is a crash loop: give up and show the service page. */
  maxRestarts: number;
  windowMs: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = { baseDelayMs: 500, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 5 * 60_000 };

/** Exponential backoff over a sliding window of recent restarts. */
export class RestartPolicy {
  private readonly recent: number[] = [];
  constructor(private readonly o: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Called when the host died at `now`: how long to wait, or null to give up. */
  next(now: number): number | null {
    while (this.recent.length && now - this.recent[0]! > this.o.windowMs) this.recent.shift();
    if (this.recent.length >= this.o.maxRestarts) return null;
    this.recent.push(now);
    return Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (this.recent.length - 1));
  }
}

export interface SupervisorOptions {
  spawn: () => ChildLike;
  init: Extract<ToHost, { type: 'init' }>;
  policy?: RestartPolicy;
  /** A call with no answer within this time fails with SERVICES_TIMEOUT (the call may still complete). */
  callTimeoutMs?: number;
  now?: () => number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

type BridgeResult = Result<unknown>;
type Pending = { resolve: (r: BridgeResult) => void; timer: NodeJS.Timeout };

const failure = (code: string, message: string): BridgeResult => ({ ok: false, error: { code, message } });

/**
 * Events: 'ready' (mode), 'event' (envelope), 'restarting' ({ attempt, delayMs, exitCode }),
 * 'fatal' ({ code, message }): start-up failed or the host crash-loops; it is not restarted.
 */
export class ServicesSupervisor extends EventEmitter {
  private child: ChildLike | null = null;
  private ready = false;
  private stopping = false;
  private gaveUp = false;
  private nextId = 1;
  private restarts = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly policy: RestartPolicy;
  private restartTimer: NodeJS.Timeout | null = null;
  private stoppedWaiter: (() => void) | null = null;

  constructor(private readonly o: SupervisorOptions) {
    super();
    this.policy = o.policy ?? new RestartPolicy();
  }

  get isReady(): boolean {
    return this.ready;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Starts the host; resolves when it is ready, rejects when it fails to start. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onReady = () => (this.off('fatal', onFatal), resolve());
      const onFatal = (f: { code: string; message: string }) => (this.off('ready', onReady), reject(Object.assign(new Error(f.message), { code: f.code })));
      this.once('ready', onReady);
      this.once('fatal', onFatal);
      this.launch();
    });
  }

  private launch(): void {
    const child = this.o.spawn();
    this.child = child;
    this.ready = false;
    child.onMessage((raw) => this.onMessage(child, raw));
    child.onExit((code) => this.onExit(child, code));
    child.postMessage(this.o.init);
  }

  private onMessage(child: ChildLike, raw: unknown): void {
    if (child !== this.child) return;
    const parsed = fromHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.o.log?.('services.malformed_message', { issues: parsed.error.issues.slice(0, 3).map((i) => i.message) });
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.emit('ready', m.mode);
        break;
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m.result as BridgeResult);
        break;
      }
      case 'event':
        this.emit('event', m.envelope as EventEnvelope);
        break;
      case 'fatal':
        // A host that cannot start (a bad config, a tampered database) will not start on retry.
        this.gaveUp = true;
        this.emit('fatal', { code: m.code, message: m.message });
        child.kill();
        break;
      case 'stopped':
        break;
    }
  }

  private onExit(child: ChildLike, code: number | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.ready = false;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      // The outbox wrote any money-moving request before network I/O: the restarted host settles it.
      p.resolve(failure('SERVICES_CRASHED', 'the terminal restarted its services; check the result before trying again'));
      this.pending.delete(id);
    }
    if (this.stopping) {
      this.stoppedWaiter?.();
      return;
    }
    if (this.gaveUp) return;
    const delayMs = this.policy.next((this.o.now ?? Date.now)());
    if (delayMs === null) {
      this.gaveUp = true;
      this.o.log?.('services.crash_loop', { exitCode: code, restarts: this.restarts });
      this.emit('fatal', { code: 'SERVICES_CRASH_LOOP', message: `the services host keeps stopping (last exit code ${code})` });
      return;
    }
    this.restarts++;
    this.o.log?.('services.restarting', { exitCode: code, attempt: this.restarts, delayMs });
    this.emit('restarting', { attempt: this.restarts, delayMs, exitCode: code });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.launch();
    }, delayMs);
  }

  /** Forwards one bridge call. Never rejects: every failure is a typed BridgeResult. */
  call(channel: string, payload: unknown): Promise<BridgeResult> {
    if (this.gaveUp) return Promise.resolve(failure('SERVICES_DOWN', 'the terminal services have stopped; call a technician'));
    if (!this.child || !this.ready) return Promise.resolve(failure('SERVICES_RESTARTING', 'the terminal is starting its services; try again in a moment'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(failure('SERVICES_TIMEOUT', `${channel.slice(0, 64)} did not answer in time`));
      }, this.o.callTimeoutMs ?? 60_000);
      this.pending.set(id, { resolve, timer });
      this.child!.postMessage({ type: 'call', id, channel, payload });
    });
  }

  /** Asks the host to close its services (drainer, devices, database) and waits for it to exit. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (child.kill(), resolve()), graceMs);
      this.stoppedWaiter = () => (clearTimeout(timer), resolve());
      child.postMessage({ type: 'shutdown' });
    });
  }
}
