import { useEffect, useState } from 'react';
import type { DeviceStatus, NetworkStatus, QueueStatus } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

export interface LiveStatus {
  devices: DeviceStatus[];
  network: NetworkStatus | null;
  queue: QueueStatus | null;
}

/** The terminal's live status: a snapshot at mount, then every bridge event. */
export function useStatus(): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>({ devices: [], network: null, queue: null });
  useEffect(() => {
    const bridge = getBridge();
    let alive = true;
    const upsert = (d: DeviceStatus) =>
      setStatus((s) => {
        const i = s.devices.findIndex((x) => x.id === d.id);
        const devices = i < 0 ? [...s.devices, d] : s.devices.map((x, j) => (j === i ? d : x));
        return { ...s, devices };
      });
    const offs = [
      bridge.on('status.device', upsert),
      bridge.on('status.network', (network) => setStatus((s) => ({ ...s, network }))),
      bridge.on('status.queue', (queue) => setStatus((s) => ({ ...s, queue }))),
    ];
    bridge
      .call('status.get', {})
      .then((snap) => {
        if (alive) setStatus(snap);
      })
      .catch(() => undefined);
    return () => {
      alive = false;
      offs.forEach((off) => off());
    };
  }, []);
  return status;
}
