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
    // What an event told us before the snapshot answered is newer than the snapshot's value for
    // that part (the snapshot was taken first): the snapshot fills in only the parts not yet heard.
    const heard = new Set<string>();
    const offs = [
      bridge.on('status.device', (device) => {
        heard.add(`device:${device.id}`);
        setStatus((s) => ({ ...s, devices: upsertDevice(s.devices, device) }));
      }),
      bridge.on('status.network', (network) => {
        heard.add('network');
        setStatus((s) => ({ ...s, network }));
      }),
      bridge.on('status.queue', (queue) => {
        heard.add('queue');
        setStatus((s) => ({ ...s, queue }));
      }),
    ];
    bridge
      .call('status.get', {})
      .then((snap) => {
        if (!alive) return;
        setStatus((s) => ({
          devices: snap.devices
            .map((d) => (heard.has(`device:${d.id}`) ? (s.devices.find((x) => x.id === d.id) ?? d) : d))
            .concat(s.devices.filter((x) => !snap.devices.some((d) => d.id === x.id))),
          network: heard.has('network') ? s.network : snap.network,
          queue: heard.has('queue') ? s.queue : snap.queue,
        }));
      })
      .catch(() => undefined);
    return () => {
      alive = false;
      offs.forEach((off) => off());
    };
  }, []);
  return status;
}
