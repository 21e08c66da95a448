/**
 * When an update may be installed: only inside the terminal's maintenance window (local time of
 * the terminal's time zone, e.g. 02:00–04:00, possibly across midnight), only when the outbox has
 * nothing waiting (no settlement may be interrupted or stranded by a restart), and only when no
 * resident or customer is at the terminal.
 */
export interface MaintenanceWindow {
  /** 'HH:MM' */
  start: string;
  /** 'HH:MM'; earlier than start means the window crosses midnight. */
  end: string;
  timeZone: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes since local midnight in `timeZone` at instant `now`. */
export function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const h = Number(parts.find((p) => p.type === 'hour')!.value);
  const m = Number(parts.find((p) => p.type === 'minute')!.value);
  return h * 60 + m;
}

export function inWindow(now: Date, w: MaintenanceWindow): boolean {
  const t = localMinutes(now, w.timeZone);
  const s = minutesOf(w.start);
  const e = minutesOf(w.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

export interface InstallFacts {
  now: Date;
  window: MaintenanceWindow;
  /** Outbox items not yet final: pending, sending, unknown. */
  queueNotFinal: number;
  /** Items needing a person (a refused deferred settlement): a restart must not hide them. */
  needsAttention: number;
  sessionActive: boolean;
  /** An update has been downloaded and verified. */
  updateReady: boolean;
}

export type InstallDecision =
  { install: true } | { install: false; reason: 'NO_UPDATE' | 'OUTSIDE_WINDOW' | 'QUEUE_NOT_EMPTY' | 'NEEDS_ATTENTION' | 'SESSION_ACTIVE' };

export function mayInstallUpdate(f: InstallFacts): InstallDecision {
  if (!f.updateReady) return { install: false, reason: 'NO_UPDATE' };
  if (!inWindow(f.now, f.window)) return { install: false, reason: 'OUTSIDE_WINDOW' };
  if (f.queueNotFinal > 0) return { install: false, reason: 'QUEUE_NOT_EMPTY' };
  if (f.needsAttention > 0) return { install: false, reason: 'NEEDS_ATTENTION' };
  if (f.sessionActive) return { install: false, reason: 'SESSION_ACTIVE' };
  return { install: true };
}
