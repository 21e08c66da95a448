import { useCallback, useEffect, useRef, useState } from 'react';

const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

/**
 * Counts down from `timeoutSeconds` of inactivity while `active`. Returns the seconds left once
 * the warning window is reached (null before), and calls `onTimeout` at zero.
 */
export function useIdle(active: boolean, timeoutSeconds: number, warnSeconds: number, onTimeout: () => void): { secondsLeft: number | null; reset: () => void } {
  const lastActivity = useRef(Date.now());
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const timeoutRef = useRef(onTimeout);
  timeoutRef.current = onTimeout;

  const reset = useCallback(() => {
    lastActivity.current = Date.now();
    setSecondsLeft(null);
  }, []);

  useEffect(() => {
    if (!active) {
      setSecondsLeft(null);
      return;
    }
    reset();
    for (const e of ACTIVITY) window.addEventListener(e, reset, { passive: true });
    const timer = window.setInterval(() => {
      const left = Math.ceil(timeoutSeconds - (Date.now() - lastActivity.current) / 1000);
      if (left <= 0) {
        setSecondsLeft(null);
        timeoutRef.current();
      } else setSecondsLeft(left <= warnSeconds ? left : null);
    }, 250);
    return () => {
      window.clearInterval(timer);
      for (const e of ACTIVITY) window.removeEventListener(e, reset);
    };
  }, [active, timeoutSeconds, warnSeconds, reset]);

  return { secondsLeft, reset };
}
