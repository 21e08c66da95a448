import { useEffect, useSyncExternalStore } from 'react';

/**
 * Device work in progress on this page: a card being read, a face being captured, a paper being
 * printed, an answer awaited from the platform. While anything holds the terminal busy the idle
 * countdown does not run — a resident is never timed out while the machine is working for them.
 */
const holds = new Map<number, string>();
const listeners = new Set<() => void>();
let next = 1;

const changed = () => listeners.forEach((l) => l());

/** Holds the terminal busy for `reason` until the returned release is called (twice is harmless). */
export function holdBusy(reason: string): () => void {
  const id = next++;
  holds.set(id, reason);
  changed();
  return () => {
    if (holds.delete(id)) changed();
  };
}

export function busyReasons(): string[] {
  return [...holds.values()];
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Whether anything holds the terminal busy now. */
export function useIsBusy(): boolean {
  return useSyncExternalStore(subscribe, () => holds.size > 0);
}

/** Holds the terminal busy while `active`. */
export function useBusy(active: boolean, reason: string): void {
  useEffect(() => (active ? holdBusy(reason) : undefined), [active, reason]);
}
