import { useCallback, useState } from 'react';
import type { Mode } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

/**
 * Service mode opened on a running kiosk or counter by the technician's gesture. Before any
 * service screen shows, a kiosk ends the resident's session, so nothing personal stays behind;
 * leaving locks service mode in main and returns to the screen it came from (a kiosk to its
 * attract screen, ending any session a card test began meanwhile).
 */
export function useServiceOverlay(mode: Mode): { open: boolean; enter: () => Promise<void>; leave: () => Promise<void> } {
  const [open, setOpen] = useState(false);
  const endResidentSession = useCallback(async () => {
    if (mode === 'kiosk') await getBridge().call('session.end', { reason: 'logout' });
  }, [mode]);
  const enter = useCallback(async () => {
    if (mode === 'service') return;
    try {
      await endResidentSession();
    } catch {
      // The session is still there: no service screen over it.
      return;
    }
    setOpen(true);
  }, [mode, endResidentSession]);
  const leave = useCallback(async () => {
    await getBridge()
      .call('service.lock', {})
      .catch(() => undefined);
    await endResidentSession().catch(() => undefined);
    setOpen(false);
  }, [endResidentSession]);
  return { open, enter, leave };
}
