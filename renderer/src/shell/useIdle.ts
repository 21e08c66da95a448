import { useCallback, useEffect, useRef, useState } from 'react';
import { useIsBusy } from './busy';

const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

/**
 * Where the countdown stands after `idleMs` without a touch: 'timeout' once the time is up, the
 * whole seconds left inside the last `warnSeconds`, null before the warning.
 */
export function idleCountdown(idleMs: number, timeoutSeconds: number, warnSeconds: number): number | null | 'timeout' {
  const left = Math.ceil(timeoutSeconds - idleMs / 1000);
  if (left <= 0) return 'timeout';
  return left <= warnSeconds ? left : null;
}

/**
 * Counts down from `timeoutSeconds` of inactivity while `active`. Returns the seconds left once
 * the warning window is reached (null before), and calls `onTimeout` at zero. While the terminal
 * is busy (a device reading, a print, an answer awaited: see busy.ts) the clock stands still and
 * starts from the full time again afterwards.
 */
export function useIdle(
  active: boolean,
  timeoutSeconds: number,
  warnSeconds: number,
  onTimeout: () => void,
): { secondsLeft: number | null; reset: () => void } {
  const lastActivity = useRef(Date.now());
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const timeoutRef = useRef(onTimeout);
  timeoutRef.current = onTimeout;
  const busy = useIsBusy();

  const reset = useCallback(() => {
    lastActivity.current = Date.now();
    setSecondsLeft(null);
  }, []);

  useEffect(() => {
    if (!active || busy) {
      setSecondsLeft(null);
      // The full time again once the device is done.
      lastActivity.current = Date.now();
      return;
    }
    reset();
    for (const e of ACTIVITY) window.addEventListener(e, reset, { passive: true });
    const timer = window.setInterval(() => {
      const left = idleCountdown(Date.now() - lastActivity.current, timeoutSeconds, warnSeconds);
      if (left === 'timeout') {
        setSecondsLeft(null);
        timeoutRef.current();
      } else setSecondsLeft(left);
    }, 250);
    return () => {
      window.clearInterval(timer);
      for (const e of ACTIVITY) window.removeEventListener(e, reset);
    };
  }, [active, busy, timeoutSeconds, warnSeconds, reset]);

  return { secondsLeft, reset };
}
