import { EventEmitter } from 'node:events';
import type { DeviceKind, DeviceStatus } from '../bridge/contract';
import type { Clock } from '../ground/clock';

export interface DeviceDescriptor {
  id: string;
  kind: DeviceKind;
  model: string;
  port: string | null;
  simulated: boolean;
}

export class DeviceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceError';
  }
}

/**
 * Holds the live state of every peripheral and publishes each change. Drivers report into it;
 * the bridge, the status bar and the service screens read from it.
 */
export class DeviceSupervisor extends EventEmitter<{ status: [DeviceStatus] }> {
  private readonly devices = new Map<string, DeviceStatus>();

  constructor(private readonly clock: Clock) {
    super();
  }

  register(d: DeviceDescriptor): DeviceStatus {
    const status: DeviceStatus = {
      ...d,
      state: 'opening',
      code: null,
      lastError: null,
      updatedAt: this.clock.nowIso(),
    };
    this.devices.set(d.id, status);
    this.emit('status', status);
    return status;
  }

  list(): DeviceStatus[] {
    return [...this.devices.values()];
  }

  get(id: string): DeviceStatus {
    const d = this.devices.get(id);
    if (!d) throw new DeviceError('DEVICE_UNKNOWN', `no device with id ${id}`);
    return d;
  }

  report(id: string, state: DeviceStatus['state'], code: string | null = null, error?: { code: string; message: string }): DeviceStatus {
    const prev = this.get(id);
    const next: DeviceStatus = {
      ...prev,
      state,
      code,
      lastError: error ? { ...error, at: this.clock.nowIso() } : prev.lastError,
      updatedAt: this.clock.nowIso(),
    };
    this.devices.set(id, next);
    if (prev.state !== next.state || prev.code !== next.code || error) this.emit('status', next);
    return next;
  }
}
