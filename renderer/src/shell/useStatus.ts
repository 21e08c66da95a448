import { useEffect, useState } from 'react';
import type { DeviceStatus, NetworkStatus, QueueStatus } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

export interface LiveStatus {
  devices: DeviceStatus[];
  network: NetworkStatus | null;
  queue: QueueStatus | null;
}

/** A device's new status replaces its old one in place; a device not seen before is added at the end. */
export function upsertDevice(devices: DeviceStatus[], device: DeviceStatus): DeviceStatus[] {
  const i = devices.findIndex((x) => x.id === device.id);
  return i < 0 ? [...devices, device] : devices.map((x, j) => (j === i ? device : x));
}

/** The terminal's live status: a snapshot at mount, then every bridge event. */
export function useStatus(): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>({ devices: [], network: null, queue: null });
  useEffect(() => {
    const bridge = getBridge();
    let alive = true;
    const offs = [
      bridge.on('status.device', (device) => setStatus((s) => ({ ...s, devices: upsertDevice(s.devices, device) }))),
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
