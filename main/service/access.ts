/**
 * Who may use service mode, decided in main: the PIN (set on the terminal the first time, kept as
 * a hash), the backoff and lockout after wrong PINs (kept in SQLite, so a restart forgets
 * neither), and the relock on leaving or after the idle timeout. A restart always starts locked.
 */
import { BridgeError } from '../bridge/contract/errors';
import type { ServiceAccessState } from '../bridge/contract/status';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { migrateModule, type Db } from '../store/database';
import type { ServiceConfig } from './config';
import { serviceMigrations } from './migrations';
import { hashPin, pinMatches, weakPinReason, type PinHash } from './pin';

/** Wrong PINs in a row before the lockout. */
export const maxFailures = 5;

/** The wait after the nth wrong PIN before another is even checked: 1 s, 2 s, 4 s, 8 s. */
export function backoffMs(failures: number): number {
  return 1000 * 2 ** (failures - 1);
}

interface AccessRow {
  pin_kdf: string | null;
  pin_salt: Buffer | null;
  pin_hash: Buffer | null;
  failures: number;
  next_try_at: number | null;
  locked_until: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ServiceAccess {
  private unlocked = false;
  private lastActivity = 0;
  /** PIN attempts run one after another, so parallel requests cannot slip past the backoff. */
  private attempts: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private announced = '';
  private readonly lockoutMs: number;
  private readonly idleMs: number;
  private readonly firstPinOnScreen: boolean;

  constructor(
    private readonly db: Db,
    settings: Pick<ServiceConfig, 'lockoutMinutes' | 'idleTimeoutSeconds'> & Partial<Pick<ServiceConfig, 'firstPinOnScreen'>>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onChange: (state: ServiceAccessState) => void,
  ) {
    this.lockoutMs = settings.lockoutMinutes * 60_000;
    this.idleMs = settings.idleTimeoutSeconds * 1000;
    this.firstPinOnScreen = settings.firstPinOnScreen ?? true;
    migrateModule(db, 'service', serviceMigrations);
    this.expire();
    this.changed();
  }

  state(): ServiceAccessState {
    this.expire();
    return this.snapshot();
  }

  /** The first PIN on this terminal, or a new one while service mode is open. Opens service mode. */
  setPin(pin: string, confirm: string): Promise<void> {
    return this.serially(async () => {
      const first = this.row().pin_hash === null;
      if (first && !this.firstPinOnScreen)
        throw new BridgeError('SERVICE_PIN_NOT_SET', 'no service PIN is set: a technician sets the first one with `estation service set-pin` on this terminal');
      if (!first) this.guard();
      await this.store(pin, confirm);
      this.log.info('service.pin_set', { first, by: 'screen' });
      this.open();
    });
  }

  /**
   * From the terminal's own shell (`estation service set-pin`): whoever can write the data
   * directory owns the terminal anyway. Replaces any PIN, clears a lockout; does not open service
   * mode on any screen.
   */
  setPinLocally(pin: string, confirm: string): Promise<void> {
    return this.serially(async () => {
      const first = this.row().pin_hash === null;
      await this.store(pin, confirm);
      this.log.warn('service.pin_set', { first, by: 'local-shell' });
      this.changed();
    });
  }

  /** `estation service reset-pin`: forgets the PIN and any lockout; the next PIN is a first PIN. */
  resetPinLocally(): Promise<void> {
    return this.serially(async () => {
      this.db
        .prepare(
          'UPDATE service_access SET pin_kdf = NULL, pin_salt = NULL, pin_hash = NULL, pin_set_at = NULL, failures = 0, next_try_at = NULL, locked_until = NULL WHERE id = 1',
        )
        .run();
      this.unlocked = false;
      this.log.warn('service.pin_reset', { by: 'local-shell' });
      this.changed();
    });
  }

  private async store(pin: string, confirm: string): Promise<void> {
    if (pin !== confirm) throw new BridgeError('SERVICE_PIN_MISMATCH', 'the two entries of the new PIN differ');
    const weak = weakPinReason(pin);
    if (weak) throw new BridgeError('SERVICE_PIN_WEAK', `the new PIN is too easy to guess (${weak})`);
    const h = await hashPin(pin);
    this.db
      .prepare(
        `UPDATE service_access SET pin_kdf = ?, pin_salt = ?, pin_hash = ?, pin_set_at = ?, failures = 0, next_try_at = NULL, locked_until = NULL WHERE id = 1`,
      )
      .run(JSON.stringify(h.kdf), h.salt, h.hash, this.clock.nowIso());
  }

  unlock(pin: string): Promise<void> {
    return this.serially(async () => {
      this.expire();
      const r = this.row();
      if (r.pin_hash === null) throw new BridgeError('SERVICE_PIN_NOT_SET', 'no service PIN is set on this terminal yet: set one first');
      if (r.locked_until !== null) throw lockedOut(r.locked_until);
      const now = this.clock.now();
      if (r.next_try_at !== null && r.next_try_at > now) throw backoff(r.next_try_at - now, r.next_try_at);
      if (await pinMatches(pin, stored(r))) {
        this.db.prepare('UPDATE service_access SET failures = 0, next_try_at = NULL WHERE id = 1').run();
        this.log.info('service.unlocked');
        this.open();
        return;
      }
      const failures = r.failures + 1;
      const at = this.clock.now();
      if (failures >= maxFailures) {
        const until = at + this.lockoutMs;
        this.db.prepare('UPDATE service_access SET failures = ?, next_try_at = NULL, locked_until = ? WHERE id = 1').run(failures, until);
        this.log.warn('service.locked_out', { failures, until: iso(until) });
        this.changed();
        throw lockedOut(until);
      }
      const next = at + backoffMs(failures);
      this.db.prepare('UPDATE service_access SET failures = ?, next_try_at = ? WHERE id = 1').run(failures, next);
      this.log.warn('service.pin_wrong', { failures, nextTryAt: iso(next) });
      this.changed();
      throw new BridgeError('SERVICE_PIN_WRONG', `wrong service PIN: ${maxFailures - failures} more before the lockout`, [
        { path: 'waitMs', message: String(next - at) },
        { path: 'nextTryAt', message: iso(next) },
      ]);
    });
  }

  lock(reason: 'leave' | 'idle'): void {
    if (!this.unlocked) return;
    this.unlocked = false;
    this.log.info('service.locked', { reason });
    this.changed();
  }

  /** Service functions need an open service mode; each one counts as activity for the idle timeout. */
  guard(): void {
    this.expire();
    if (!this.unlocked) throw new BridgeError('SERVICE_LOCKED', 'enter the service PIN first');
    this.lastActivity = this.clock.now();
    this.schedule();
  }

  private open(): void {
    this.unlocked = true;
    this.lastActivity = this.clock.now();
    this.changed();
  }

  private serially<T>(attempt: () => Promise<T>): Promise<T> {
    const run = this.attempts.then(attempt, attempt);
    this.attempts = run.catch(() => undefined);
    return run;
  }

  private row(): AccessRow {
    return this.db.prepare('SELECT pin_kdf, pin_salt, pin_hash, failures, next_try_at, locked_until FROM service_access WHERE id = 1').get() as AccessRow;
  }

  private snapshot(): ServiceAccessState {
    const r = this.row();
    const now = this.clock.now();
    return {
      pinSet: r.pin_hash !== null,
      locked: !this.unlocked,
      lockedUntil: r.locked_until === null ? null : iso(r.locked_until),
      nextTryAt: r.next_try_at !== null && r.next_try_at > now ? iso(r.next_try_at) : null,
      failures: r.failures,
    };
  }

  /** Applies what time alone changes: a lockout that has ended, an idle service mode. */
  private expire(): void {
    const now = this.clock.now();
    const r = this.row();
    let changed = false;
    if (r.locked_until !== null && r.locked_until <= now) {
      this.db.prepare('UPDATE service_access SET failures = 0, next_try_at = NULL, locked_until = NULL WHERE id = 1').run();
      this.log.info('service.lockout_ended');
      changed = true;
    } else if (r.locked_until !== null && r.locked_until > now + this.lockoutMs) {
      // The clock was set back after the lockout began: never lock longer than one lockout from now.
      this.db.prepare('UPDATE service_access SET locked_until = ? WHERE id = 1').run(now + this.lockoutMs);
      changed = true;
    }
    if (this.unlocked && now - this.lastActivity >= this.idleMs) {
      this.unlocked = false;
      this.log.info('service.locked', { reason: 'idle' });
      changed = true;
    }
    if (changed) this.changed();
  }

  /** Tells the status bar, and wakes up when the lockout ends or the idle timeout falls due. */
  private changed(): void {
    const state = this.snapshot();
    const key = JSON.stringify(state);
    if (key !== this.announced) {
      this.announced = key;
      this.onChange(state);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const r = this.row();
    const due = Math.min(r.locked_until ?? Infinity, this.unlocked ? this.lastActivity + this.idleMs : Infinity);
    if (due === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (!this.db.open) return;
        this.expire();
        this.schedule();
      },
      Math.max(0, due - this.clock.now()),
    );
    this.timer.unref();
  }
}

function stored(r: AccessRow): PinHash {
  return { kdf: JSON.parse(r.pin_kdf!) as PinHash['kdf'], salt: r.pin_salt!, hash: r.pin_hash! };
}

function backoff(waitMs: number, until: number): BridgeError {
  return new BridgeError('SERVICE_PIN_BACKOFF', `wait ${Math.ceil(waitMs / 1000)} s before the next PIN`, [
    { path: 'waitMs', message: String(waitMs) },
    { path: 'nextTryAt', message: iso(until) },
  ]);
}

function lockedOut(until: number): BridgeError {
  return new BridgeError('SERVICE_LOCKED_OUT', `too many wrong PINs: service mode is locked until ${iso(until)}`, [
    { path: 'lockedUntil', message: iso(until) },
  ]);
}
