import { EventEmitter } from 'node:events';
import type { NetworkStatus } from '../bridge/contract';
import type { Clock } from '../ground/clock';

/**
 * Watches whether the platform answers at all. Any HTTP reply counts as reachable; a refused
 * connection or a timeout counts as offline. Runs on an interval and on demand.
 */
export class PlatformHealth extends EventEmitter<{ status: [NetworkStatus] }> {
  private status: NetworkStatus = { platform: 'unknown', latencyMs: null, checkedAt: null, lastError: null };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: () => string,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  current(): NetworkStatus {
    return this.status;
  }

  async check(): Promise<NetworkStatus> {
    const started = this.clock.now();
    let next: NetworkStatus;
    try {
      const res = await fetch(this.url(), { method: 'GET', signal: AbortSignal.timeout(this.timeoutMs) });
      await res.arrayBuffer();
      next = { platform: 'online', latencyMs: Math.max(0, this.clock.now() - started), checkedAt: this.clock.nowIso(), lastError: null };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      next = { platform: 'offline', latencyMs: null, checkedAt: this.clock.nowIso(), lastError: e.cause?.code ?? e.name };
    }
    const changed = next.platform !== this.status.platform;
    this.status = next;
    if (changed) this.emit('status', next);
    return next;
  }

  start(intervalMs: number): void {
    this.stop();
    void this.check();
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
