import { useCallback, useEffect, useState } from 'react';
import type { HelpCallView } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

/** The terminal's pending call for staff (呼叫工作人员), kept by main: the same on every screen. */
export function useHelp(): { call: HelpCallView | null; request: (screen: string) => void; withdraw: () => void } {
  const [call, setCall] = useState<HelpCallView | null>(null);
  useEffect(() => {
    const bridge = getBridge();
    let alive = true;
    // An event heard before the snapshot's answer is newer than it (see useSession).
    let heard = false;
    const off = bridge.on('help.changed', (e) => {
      heard = true;
      setCall(e.call);
    });
    bridge
      .call('help.get', {})
      .then((r) => alive && !heard && setCall(r.call))
      .catch(() => undefined);
    return () => {
      alive = false;
      off();
    };
  }, []);
  const request = useCallback((screen: string) => {
    void getBridge()
      .call('help.call', { screen })
      .then((r) => setCall(r.call))
      .catch(() => undefined);
  }, []);
  const withdraw = useCallback(() => {
    void getBridge()
      .call('help.withdraw', {})
      .then(() => setCall(null))
      .catch(() => undefined);
  }, []);
  return { call, request, withdraw };
}
