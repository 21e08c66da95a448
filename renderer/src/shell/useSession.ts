import { useEffect, useState } from 'react';
import type { SessionView } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

/** The resident session as main announces it; null when nobody is identified. */
export function useSession(): SessionView | null {
  const [session, setSession] = useState<SessionView | null>(null);
  useEffect(() => {
    const bridge = getBridge();
    // The snapshot was taken before any event that arrives ahead of its answer, so an event heard
    // first wins: a late snapshot must not put back a session that has since ended or changed.
    let heard = false;
    let alive = true;
    const off = bridge.on('session.changed', (e) => {
      heard = true;
      setSession(e.session);
    });
    void bridge
      .call('session.get', {})
      .then((r) => alive && !heard && setSession(r.session))
      .catch(() => undefined);
    return () => {
      alive = false;
      off();
    };
  }, []);
  return session;
}
