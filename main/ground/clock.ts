/** The one clock. Tests inject a fixed or stepping clock; production uses the system time. */
export interface Clock {
  now(): number;
  nowIso(): string;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  nowIso: () => new Date().toISOString(),
};

export function fixedClock(start: number | string, stepMs = 0): Clock & { advance(ms: number): void } {
  let t = typeof start === 'string' ? Date.parse(start) : start;
  return {
    now() {
      const v = t;
      t += stepMs;
      return v;
    },
    nowIso() {
      return new Date(this.now()).toISOString();
    },
    advance(ms: number) {
      t += ms;
    },
  };
}
