import { useEffect, useState } from 'react';
import type { SessionView } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

/** The resident session as main announces it; null when nobody is identified. */
export function useSession(): SessionView | null {
  const [session, setSession] = useState<SessionView | null>(null);
  useEffect(() => {
    const bridge = getBridge();
    const off = bridge.on('session.changed', (e) => setSession(e.session));
    void bridge
      .call('session.get', {})
      .then((r) => setSession(r.session))
      .catch(() => undefined);
    return off;
  }, []);
  return session;
}
