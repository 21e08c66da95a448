import { useCallback, useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';

/** How long the technician holds the terminal name to open service mode. */
export const holdMs = 3000;

const isActivationKey = (key: string) => key === 'Enter' || key === ' ';

/**
 * The technician's gesture: press and hold for `ms` — a finger, the mouse, or Enter/Space on
 * the focused element — and `onHold` runs once. Letting go, sliding off or losing focus earlier
 * does nothing, so a resident's tap on the terminal name opens nothing.
 */
export function useHoldGesture(onHold: () => void, ms = holdMs) {
  const timer = useRef<number | null>(null);
  const latest = useRef(onHold);
  useEffect(() => {
    latest.current = onHold;
  }, [onHold]);
  const cancel = useCallback(() => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
  }, []);
  const start = useCallback(() => {
    cancel();
    timer.current = window.setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [cancel, ms]);
  useEffect(() => cancel, [cancel]);
  return {
    onPointerDown: (e: PointerEvent) => {
      if (e.button === 0) start();
    },
    onPointerUp: cancel,
    onPointerLeave: cancel,
    onPointerCancel: cancel,
    onKeyDown: (e: KeyboardEvent) => {
      if (isActivationKey(e.key) && !e.repeat) start();
    },
    onKeyUp: (e: KeyboardEvent) => {
      if (isActivationKey(e.key)) cancel();
    },
    onBlur: cancel,
    // A long touch would otherwise open the browser's context menu.
    onContextMenu: (e: { preventDefault(): void }) => e.preventDefault(),
  };
}
