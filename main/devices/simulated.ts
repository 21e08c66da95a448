import type { DeviceStatus } from '../bridge/contract';
import { DeviceError, type DeviceDescriptor, type DeviceSupervisor } from './supervisor';

/** The simulated peripheral set used by the embedded default configuration. */
export const simulatedDevices: DeviceDescriptor[] = [
  { id: 'id-card', kind: 'idCardReader', model: 'GA 467 SAM (simulated)', port: 'sim:id-card', simulated: true },
  { id: 'ss-card', kind: 'ssCardReader', model: 'SSSE APDU reader (simulated)', port: 'sim:ss-card', simulated: true },
  { id: 'scanner', kind: 'scanner', model: 'HID POS scanner (simulated)', port: 'sim:scanner', simulated: true },
  { id: 'printer', kind: 'printer', model: 'ESC/POS 80 mm (simulated)', port: 'sim:printer', simulated: true },
];

export function registerSimulatedDevices(sup: DeviceSupervisor): void {
  for (const d of simulatedDevices) {
    sup.register(d);
    sup.report(d.id, 'ready');
  }
}

export function simulateDeviceAction(sup: DeviceSupervisor, id: string, action: 'unplug' | 'replug'): DeviceStatus {
  const d = sup.get(id);
  if (!d.simulated) throw new DeviceError('DEVICE_NOT_SIMULATED', `${id} is a real device`);
  return action === 'unplug'
    ? sup.report(id, 'absent', 'DEVICE_ABSENT', { code: 'DEVICE_ABSENT', message: `${id} unplugged` })
    : sup.report(id, 'ready', null);
}
