/**
 * The technician's service mode as one module. Every service.* handler except the status, the
 * unlock and setting the PIN checks the unlock in main, whatever the screen believes.
 */
import { BridgeError } from '../bridge/contract/errors';
import type { Handlers } from '../bridge/dispatcher';
import type { EventBus } from '../bridge/event-bus';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { Db } from '../store/database';
import type { DeviceManager } from '../devices/manager';
import type { FaceService } from '../face/service';
import type { Outbox } from '../outbox/outbox';
import type { PlatformClient } from '../platform/client';
import { Diagnostics, type DiagnosticsSettings } from './diagnostics';
import { ServiceAccess } from './access';
import type { ServiceConfig } from './config';

type ServiceHandlers = Pick<Handlers, `service.${string}` & keyof Handlers>;

export interface ServiceDeps {
  settings: DiagnosticsSettings;
  access: ServiceConfig;
  dataDir: string;
  db: Db;
  devices: DeviceManager;
  client: PlatformClient;
  outbox: Outbox;
  face: FaceService | null;
  bus: EventBus;
  host: 'electron' | 'node';
  clock: Clock;
  log: Logger;
}

export interface ServiceModule {
  access: ServiceAccess;
  diagnostics: Diagnostics;
  handlers: ServiceHandlers;
}

export function createService(d: ServiceDeps): ServiceModule {
  const access = new ServiceAccess(d.db, d.access, d.clock, d.log.child({ component: 'service' }), (s) => d.bus.emit('status.service', s));
  const diagnostics = new Diagnostics(d.settings, d.dataDir, d.db, d.devices, d.client, d.outbox, d.clock);
  const open: Omit<ServiceHandlers, 'service.status' | 'service.setPin' | 'service.unlock'> = {
    'service.lock': () => (access.lock('leave'), { ok: true as const }),
    'service.selfTest': async (i) => ({ results: await diagnostics.selfTest(i.deviceId) }),
    'service.platform': () => diagnostics.platformCheck(),
    'service.overview': () => ({ storage: diagnostics.storage(), queue: diagnostics.queue(), models: diagnostics.models(), config: diagnostics.configView() }),
    'service.readiness': async (i) => {
      const r = await diagnostics.readiness(i.print, i.locale);
      return { ok: r.ok, at: r.at, htmlPath: r.htmlPath, pdfPath: r.pdfPath, receiptJobId: r.receiptJobId, printCode: r.printCode };
    },
    'service.logs': (i) => diagnostics.logs(i),
    'service.restart': () => {
      if (d.host !== 'electron')
        throw new BridgeError('BRIDGE_NOT_AVAILABLE', 'the Node host cannot restart itself; restart it from its terminal or service manager');
      d.log.info('service.restart_requested');
      d.bus.emit('shell.request', { action: 'restart' });
      return { ok: true as const };
    },
    'service.analyzeFrame': async (i) => {
      if (!d.face) throw new BridgeError('FACE_UNAVAILABLE', 'face recognition is not available on this terminal');
      const a = await d.face.analyze({ jpeg: Buffer.from(i.jpeg, 'base64') });
      return {
        boxes: a.boxes.map((b) => ({ x1: b.x1 / a.width, y1: b.y1 / a.height, x2: b.x2 / a.width, y2: b.y2 / a.height, score: b.score })),
        ms: a.timings.total ?? 0,
      };
    },
  };
  // Every other handler runs only after the PIN, checked here and not in each handler.
  const guarded = Object.fromEntries(
    Object.entries(open).map(([channel, h]) => [
      channel,
      (input: never, ctx: never) => {
        access.guard();
        return (h as (i: never, c: never) => unknown)(input, ctx);
      },
    ]),
  ) as ServiceHandlers;
  return {
    access,
    diagnostics,
    handlers: {
      ...guarded,
      'service.status': () => access.state(),
      'service.setPin': async (i) => (await access.setPin(i.pin, i.confirm), { ok: true as const }),
      'service.unlock': async (i) => (await access.unlock(i.pin), { ok: true as const }),
    },
  };
}
