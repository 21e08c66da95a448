/**
 * The device supervisor's engine: opens each configured peripheral, ticks it (its health check),
 * reopens with backoff when it goes away, and turns card reads and scans into typed events.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { ScanResult } from '../../drivers/scanner/symbology';
import { NodeHidTransport, type HidDeviceInfo } from '../../drivers/transport/hid';
import { SerialTransport } from '../../drivers/transport/serial';
import { withDeadline } from '../../drivers/transport/deadline';
import { hidPosReports } from '../../drivers/scanner/hid-pos';
import { SimulatedSsCard } from '../../drivers/ss-card/simulator';
import type { IdCardText } from '../../drivers/id-card/text-block';
import type { SimulatedSsCardData } from '../../drivers/ss-card/simulator';
import { DeviceError, type DeviceSupervisor } from './supervisor';
import { type DeviceHandle, DeviceLost, IdCardHandle, PrinterHandle, ScannerHandle, SsCardHandle, type SelfTestResult } from './handles';
import { selfTestDetailText, type SelfTestDetail } from '../bridge/contract/technician-text';
import { SimulatedHardware } from './simulated-hardware';
import type { Identity } from './identity';
import type { DevicesConfig } from './config';

export interface DeviceManagerEvents {
  identity: [Identity];
  'card-error': [{ deviceId: string; code: string; message: string }];
  'card-removed': [{ deviceId: string }];
  scan: [ScanResult];
}

const BACKOFF_MIN = 250;
const BACKOFF_MAX = 8000;
/** How long stop() waits for a device turn already running (its own I/O timeouts are shorter). */
const STOP_TURN_WAIT_MS = 5000;
/** How long a handle's close may take before it is given up (its port is then left to the OS). */
const CLOSE_DEADLINE_MS = 5000;

export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  readonly handles = new Map<string, DeviceHandle>();
  readonly sim: SimulatedHardware | null;
  private readonly loops = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Opens given up at the turn deadline and not finished yet, by device. */
  private readonly lateOpens = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly config: DevicesConfig,
    readonly supervisor: DeviceSupervisor,
    private readonly clock: Clock,
    private readonly log: Logger,
    dataDir: string,
  ) {
    super();
    this.sim = config.simulate ? new SimulatedHardware(path.join(dataDir, 'sim-devices')) : null;
  }

  async start(): Promise<void> {
    if (this.sim) {
      await this.sim.start();
      if (!this.sim.pty) this.log.warn('devices.sim_without_pty', { reason: 'socat not found; serial simulators use in-memory pairs' });
    }
    for (const h of this.buildHandles()) this.add(h);
  }

  private buildHandles(): DeviceHandle[] {
    const c = this.config;
    const sim = this.sim;
    const out: DeviceHandle[] = [];
    const serial = (port: string, baudRate: number) => () => SerialTransport.open({ path: port, baudRate });
    if (sim) {
      const testCard = testIdCard();
      out.push(
        new IdCardHandle(
          { id: 'id-card', kind: 'idCardReader', model: 'GA 467 SAM (simulated)', port: sim.idCard.port, simulated: true },
          () => sim.idCard.connect(),
          {
            before: () => sim.idCard.sim.insert({ text: testCard }),
            after: () => sim.idCard.sim.remove(),
          },
        ),
        new SsCardHandle(
          { id: 'ss-card', kind: 'ssCardReader', model: 'SSSE contact reader (simulated)', port: sim.ssCard.port, simulated: true },
          () => sim.ssCard.connect(),
          {
            before: () => sim.ssCard.sim.insert(new SimulatedSsCard(testSsCard())),
            after: () => sim.ssCard.sim.remove(),
          },
        ),
        new ScannerHandle(
          { id: 'scanner', kind: 'scanner', model: 'HID POS scanner (simulated)', port: sim.scanner.info.path, simulated: true },
          { kind: 'hid-pos', open: async () => sim.scanner, present: async () => sim.scannerPresent },
          { before: () => void setTimeout(() => hidPosReports('ESTATION-SCAN-TEST').forEach((r) => sim.scanner.push(r)), 50), after: () => undefined },
        ),
        new PrinterHandle(
          { id: 'printer', kind: 'printer', model: 'ESC/POS 80 mm (simulated)', port: sim.printer.port, simulated: true },
          () => sim.printer.connect(),
          null,
        ),
      );
      return out;
    }
    if (c.idCardReader)
      out.push(
        new IdCardHandle(
          { id: 'id-card', kind: 'idCardReader', model: c.idCardReader.model, port: c.idCardReader.port, simulated: false },
          serial(c.idCardReader.port, c.idCardReader.baudRate),
          null,
        ),
      );
    if (c.ssCardReader)
      out.push(
        new SsCardHandle(
          { id: 'ss-card', kind: 'ssCardReader', model: c.ssCardReader.model, port: c.ssCardReader.port, simulated: false },
          serial(c.ssCardReader.port, c.ssCardReader.baudRate),
          null,
        ),
      );
    if (c.scanner) {
      const s = c.scanner;
      if (s.kind === 'serial')
        out.push(
          new ScannerHandle(
            { id: 'scanner', kind: 'scanner', model: s.model, port: s.port, simulated: false },
            { kind: 'serial', connect: serial(s.port, s.baudRate) },
            null,
          ),
        );
      else {
        const find = async (): Promise<HidDeviceInfo | undefined> =>
          (await NodeHidTransport.list()).find(
            (d) => d.vendorId === s.vendorId && d.productId === s.productId && (s.kind !== 'hid-pos' || d.usagePage === undefined || d.usagePage === 0x8c),
          );
        out.push(
          new ScannerHandle(
            { id: 'scanner', kind: 'scanner', model: s.model, port: `hid:${s.vendorId.toString(16)}:${s.productId.toString(16)}`, simulated: false },
            {
              kind: s.kind,
              present: async () => (await find()) !== undefined,
              open: async () => {
                const info = await find();
                if (!info) throw new DeviceLost('DEVICE_ABSENT', 'scanner not connected');
                return NodeHidTransport.open(info);
              },
            },
            null,
          ),
        );
      }
    }
    if (c.printer)
      out.push(
        new PrinterHandle(
          { id: 'printer', kind: 'printer', model: c.printer.model, port: c.printer.port, simulated: false },
          serial(c.printer.port, c.printer.baudRate),
          null,
        ),
      );
    return out;
  }

  private add(h: DeviceHandle): void {
    const id = h.descriptor.id;
    this.handles.set(id, h);
    this.supervisor.register(h.descriptor);
    h.on('id-card', (c) =>
      this.emit('identity', {
        certType: '02',
        certNo: c.text.idNumber,
        cardSn: null,
        idNumber: c.text.idNumber,
        name: c.text.name,
        provenBy: 'id-card',
        cardKind: c.text.kind,
        at: this.clock.nowIso(),
      }),
    );
    h.on('ss-card', (c) =>
      this.emit('identity', {
        certType: '03',
        certNo: c.cardNumber,
        cardSn: c.cardSn,
        idNumber: c.idNumber,
        name: c.name,
        provenBy: 'ss-card',
        cardKind: null,
        at: this.clock.nowIso(),
      }),
    );
    h.on('card-error', (e) => this.emit('card-error', { deviceId: id, ...e }));
    h.on('card-removed', () => this.emit('card-removed', { deviceId: id }));
    h.on('scan', (s) => this.emit('scan', s));
    this.schedule(h, 0, BACKOFF_MIN, false);
  }

  /** The per-device loop: open (with backoff) then tick every pollMs. */
  private schedule(h: DeviceHandle, delay: number, backoff: number, open: boolean): void {
    if (this.stopped) return;
    const id = h.descriptor.id;
    const timer = setTimeout(() => {
      if (this.stopped) return;
      const run = this.step(h, backoff, open).catch((err: unknown) => {
        // step() catches device errors itself; anything else is a bug, logged, never a crash.
        if (!this.stopped) this.log.error('devices.loop_failed', { device: id, error: String(err) });
      });
      this.inFlight.set(id, run);
      void run.finally(() => {
        if (this.inFlight.get(id) === run) this.inFlight.delete(id);
      });
    }, delay);
    this.loops.set(id, timer);
  }

  /** One turn of a device's loop; after each await it gives up if the manager stopped meanwhile. */
  private async step(h: DeviceHandle, backoff: number, open: boolean): Promise<void> {
    const id = h.descriptor.id;
    const notResponding = (what: string) => () =>
      new DeviceLost('DEVICE_NOT_RESPONDING', `${id}: ${what} did not finish within ${this.config.turnDeadlineMs} ms`);
    if (!open) {
      // An open given up at its deadline may still finish: none starts beside it (two opens would
      // both own the port); it is closed when it finishes, and the next turn opens afresh.
      if (this.lateOpens.has(id)) {
        this.log.warn('devices.open_still_pending', { device: id });
        return this.schedule(h, backoff, Math.min(BACKOFF_MAX, backoff * 2), false);
      }
      const opening = h.open();
      let gaveUp = false;
      try {
        await withDeadline(opening, this.config.turnDeadlineMs, () => {
          gaveUp = true;
          return notResponding('opening')();
        });
        if (this.stopped) return;
        this.supervisor.report(id, 'ready', null);
        this.log.info('devices.opened', { device: id, port: h.descriptor.port });
        return this.schedule(h, 0, BACKOFF_MIN, true);
      } catch (err) {
        if (gaveUp) this.closeWhenOpened(h, opening);
        if (this.stopped) return;
        const e = err as DeviceError;
        const state = err instanceof DeviceLost ? 'absent' : 'fault';
        this.supervisor.report(id, state, e.code ?? 'DEVICE_OPEN_FAILED', { code: e.code ?? 'DEVICE_OPEN_FAILED', message: e.message });
        return this.schedule(h, backoff, Math.min(BACKOFF_MAX, backoff * 2), false);
      }
    }
    if (h.busy) return this.schedule(h, this.config.pollMs, BACKOFF_MIN, true);
    try {
      const health = await withDeadline(h.runTick(), this.config.turnDeadlineMs, notResponding('the health check'));
      if (this.stopped) return;
      this.supervisor.report(id, health.state, health.code, health.state === 'fault' && health.code ? { code: health.code, message: health.code } : undefined);
      this.schedule(h, this.config.pollMs, BACKOFF_MIN, true);
    } catch (err) {
      if (this.stopped) return;
      const e = err as DeviceError;
      this.log.warn('devices.lost', { device: id, code: e.code, error: e.message });
      this.supervisor.report(id, 'absent', e.code ?? 'DEVICE_ABSENT', { code: e.code ?? 'DEVICE_ABSENT', message: e.message });
      await this.closeHandle(h);
      if (this.stopped) return;
      this.schedule(h, BACKOFF_MIN, BACKOFF_MIN * 2, false);
    }
  }

  handle<T extends DeviceHandle>(id: string, type: new (...a: never[]) => T): T {
    const h = this.handles.get(id);
    if (!(h instanceof type)) throw new DeviceError('DEVICE_UNKNOWN', `no ${type.name} with id ${id}`);
    return h;
  }

  /**
   * Resolves once the reader `id` has noticed its card is gone (at once when it holds none), or
   * false after `ms`. A card swapped between two polls would otherwise look like the same card.
   */
  async cardNoticedGone(id: string, ms: number): Promise<boolean> {
    const h = this.handles.get(id);
    if (!h?.holdsCard()) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('card-removed', onRemoved);
        resolve(ok);
      };
      const onRemoved = (e: { deviceId: string }) => {
        if (e.deviceId === id) done(true);
      };
      const timer = setTimeout(() => done(!h.holdsCard()), ms);
      this.on('card-removed', onRemoved);
    });
  }

  get printer(): PrinterHandle | null {
    const h = this.handles.get('printer');
    return h instanceof PrinterHandle ? h : null;
  }

  async selfTestAll(): Promise<SelfTestResult[]> {
    const out: SelfTestResult[] = [];
    for (const h of this.handles.values()) {
      const status = this.supervisor.get(h.descriptor.id);
      if (status.state === 'absent' || status.state === 'opening') {
        const detail: SelfTestDetail = status.lastError
          ? { code: 'device-lost', params: { message: status.lastError.message } }
          : { code: 'device-not-connected', params: {} };
        out.push({
          deviceId: h.descriptor.id,
          kind: h.descriptor.kind,
          ok: false,
          code: status.code ?? 'DEVICE_ABSENT',
          message: selfTestDetailText(detail, 'en'),
          detail,
          durationMs: 0,
        });
        continue;
      }
      out.push(await h.selfTest());
    }
    return out;
  }

  /** Resolves once every device has left `opening` (or the timeout passes). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.supervisor.list().some((d) => d.state === 'opening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.loops.values()) clearTimeout(t);
    // A turn already past its timer finishes (bounded by the device's own I/O timeouts) before
    // the handles close, so nothing it logs or reports lands after stop() resolved.
    const turns = Promise.allSettled([...this.inFlight.values(), ...this.lateOpens.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([turns, new Promise((r) => (timer = setTimeout(r, STOP_TURN_WAIT_MS)))]);
    clearTimeout(timer);
    for (const h of this.handles.values()) await this.closeHandle(h);
    await this.sim?.stop();
  }

  /** Once an open given up at its deadline finishes (or fails), closes what it opened. */
  private closeWhenOpened(h: DeviceHandle, opening: Promise<void>): void {
    const id = h.descriptor.id;
    const done = opening
      .then(
        () => this.closeHandle(h),
        () => undefined,
      )
      .finally(() => this.lateOpens.delete(id));
    this.lateOpens.set(id, done);
  }

  /** Closes a handle within CLOSE_DEADLINE_MS; one that does not answer is logged and left. */
  private async closeHandle(h: DeviceHandle): Promise<void> {
    const id = h.descriptor.id;
    await withDeadline(
      h.close(),
      CLOSE_DEADLINE_MS,
      () => new DeviceError('DEVICE_NOT_RESPONDING', `${id}: close did not finish within ${CLOSE_DEADLINE_MS} ms`),
    ).catch((err: DeviceError) => {
      if (err.code === 'DEVICE_NOT_RESPONDING') this.log.warn('devices.close_stuck', { device: id, error: err.message });
    });
  }
}

/** The card the simulated ID reader holds during its self-test. */
export function testIdCard(): IdCardText {
  return {
    kind: 'resident',
    name: '测试卡',
    englishName: null,
    gender: '9',
    nation: '01',
    birthDate: '20000101',
    address: '设备自检',
    idNumber: '110101200001010000',
    issuer: '自检',
    validFrom: '20200101',
    validTo: '长期',
    passNumber: null,
    issueCount: null,
    nationality: null,
  };
}

export function testSsCard(): SimulatedSsCardData {
  return {
    cardSn: '110100D15600000500000000000000AA',
    cardNumber: 'T00000001',
    specVersion: '3.00',
    issueDate: '20200101',
    expiryDate: '20300101',
    idNumber: '110101200001010000',
    name: '测试卡',
    gender: '9',
    pin: '000000',
  };
}
