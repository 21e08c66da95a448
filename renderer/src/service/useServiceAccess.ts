import { useCallback, useEffect, useState } from 'react';
import type { ServiceAccessState } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

/**
 * Service mode's lock as main holds it: asked at mount, then followed by event, so an idle relock
 * or the end of a lockout reaches the screen without a click. `refresh` asks again at once.
 */
export function useServiceAccess(): { access: ServiceAccessState | null; refresh: () => Promise<void> } {
  const [access, setAccess] = useState<ServiceAccessState | null>(null);
  const refresh = useCallback(
    () =>
      getBridge()
        .call('service.status', {})
        .then(setAccess)
        .catch(() => undefined),
    [],
  );
  useEffect(() => {
    const off = getBridge().on('status.service', setAccess);
    void refresh();
    return off;
  }, [refresh]);
  return { access, refresh };
}

/** Whole seconds until an ISO time, counting down once a second; 0 once it has passed or when there is none. */
export function useSecondsUntil(at: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  const target = at ? Date.parse(at) : 0;
  useEffect(() => {
    setNow(Date.now());
    if (target <= Date.now()) return;
    const timer = window.setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= target) window.clearInterval(timer);
    }, 250);
    return () => window.clearInterval(timer);
  }, [target]);
  return Math.max(0, Math.ceil((target - now) / 1000));
}

/** An ISO time as the terminal's wall-clock time, e.g. 08:15:00. */
export function clockTime(at: string, locale: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour12: false, timeZone: 'Asia/Shanghai' });
}
