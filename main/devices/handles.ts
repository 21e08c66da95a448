/**
 * One handle per peripheral: how to open it, what to do on each supervisor tick (which is also
 * its health check, since neither serialport nor node-hid reports an unplug), and its self-test.
 */
import { EventEmitter } from 'node:events';
import { withDeadline } from '../../drivers/transport/deadline';
import type { DeviceState } from '../bridge/contract';
import type { ByteTransport } from '../../drivers/transport/types';
import type { HidTransport } from '../../drivers/transport/hid';
import { IdCardReader, type IdCardError, type IdCardRead } from '../../drivers/id-card/reader';
import { SocialSecurityCardReader, type SocialSecurityCard } from '../../drivers/ss-card/reader';
import { SerialApduTransport } from '../../drivers/ss-card/transport';
import type { SsCardError } from '../../drivers/ss-card/apdu';
import { HidPosScanner } from '../../drivers/scanner/hid-pos';
import { KeyboardWedgeDecoder } from '../../drivers/scanner/keyboard-wedge';
import { SerialLineDecoder } from '../../drivers/scanner/serial-line';
import type { ScanResult } from '../../drivers/scanner/symbology';
import { ReceiptPrinter, type PrintJob } from '../../drivers/printer/printer';
import { CONDITION_CODES } from '../../drivers/printer/status';
import { ReceiptBuilder } from '../../drivers/printer/encoder';
import { DeviceError, type DeviceDescriptor } from './supervisor';
import { selfTestDetailText, type SelfTestDetail } from '../bridge/contract/technician-text';

export interface DeviceHealth {
  state: DeviceState;
  code: string | null;
}

export interface SelfTestResult {
  deviceId: string;
  kind: string;
  ok: boolean;
  code: string | null;
  /** What the test found, in English: `detail` in words (the log, the command line, the PDF). */
  message: string;
  detail: SelfTestDetail;
  durationMs: number;
}

/** What a test found: a detail code and its values. */
const found = (code: SelfTestDetail['code'], params: SelfTestDetail['params'] = {}): SelfTestDetail => ({ code, params });

/** A self-test that found the device unable to pass: its failure code, and what it found. */
class SelfTestFailure extends DeviceError {
  constructor(
    code: string,
    readonly detail: SelfTestDetail,
  ) {
    super(code, selfTestDetailText(detail, 'en'));
  }
}

/** What a test that threw found: its own detail, or the driver's words as they are. */
function failureDetail(err: unknown): SelfTestDetail {
  if (err instanceof SelfTestFailure) return err.detail;
  return found('device-fault', { message: (err as Error).message ?? String(err) });
}

/** Thrown by open() or tick() when the device is not there: the supervisor reopens with backoff. */
export class DeviceLost extends DeviceError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'DeviceLost';
  }
}

export interface HandleEvents {
  'id-card': [IdCardRead];
  'ss-card': [SocialSecurityCard];
  'card-error': [{ code: string; message: string }];
  'card-removed': [];
  scan: [ScanResult];
}

/** Test hooks a simulated device offers its self-test (insert a test card, scan a test code). */
export interface SelfTestStimulus {
  before(): Promise<void> | void;
  after(): Promise<void> | void;
}

/** How long a self-test waits for the health check under way before it takes the device. */
const SELF_TEST_TICK_WAIT_MS = 15_000;

export abstract class DeviceHandle extends EventEmitter<HandleEvents> {
  /** While true the supervisor skips ticks (a self-test owns the device). */
  busy = false;
  /** Set when the device's transport closes or errors: the next tick reports it absent. */
  protected lost = false;
  private inflight: Promise<unknown> = Promise.resolve();
  constructor(
    readonly descriptor: DeviceDescriptor,
    protected readonly stimulus: SelfTestStimulus | null,
  ) {
    super();
  }
  abstract open(): Promise<void>;
  abstract tick(): Promise<DeviceHealth>;
  /** Whether the terminal believes a card is in this reader (it only learns a removal at the next poll). */
  holdsCard(): boolean {
    return false;
  }
  abstract close(): Promise<void>;
  protected abstract test(): Promise<SelfTestDetail>;

  /** Connects a serial transport: a failure is DEVICE_ABSENT, and a close or error marks the device lost. */
  protected async attachSerial(connect: () => Promise<ByteTransport>): Promise<ByteTransport> {
    this.lost = false;
    const t = await connect().catch((e: Error) => {
      throw new DeviceLost('DEVICE_ABSENT', e.message);
    });
    t.on('close', () => (this.lost = true));
    t.on('error', () => (this.lost = true));
    return t;
  }

  /** Throws DEVICE_ABSENT when the transport went away or the driver is not open. */
  protected assertPresent<T>(open: T | null): asserts open is T {
    if (this.lost || !open) throw new DeviceLost('DEVICE_ABSENT', `${this.descriptor.port} went away`);
  }

  /** The supervisor's tick; remembered so a self-test can wait for it to finish. */
  runTick(): Promise<DeviceHealth> {
    const p = this.tick();
    this.inflight = p.catch(() => undefined);
    return p;
  }

  async selfTest(): Promise<SelfTestResult> {
    const started = Date.now();
    this.busy = true;
    // A health check that never ends (the supervisor has given it up already) does not hold the test.
    await withDeadline(this.inflight, SELF_TEST_TICK_WAIT_MS, () => new Error('tick still running')).catch(() => undefined);
    const base = { deviceId: this.descriptor.id, kind: this.descriptor.kind };
    try {
      await this.stimulus?.before();
      const detail = await this.test();
      return { ...base, ok: true, code: null, message: selfTestDetailText(detail, 'en'), detail, durationMs: Date.now() - started };
    } catch (err) {
      const e = err as Error & { code?: string };
      const detail = failureDetail(err);
      return {
        ...base,
        ok: false,
        code: e.code ?? 'DEVICE_SELF_TEST_FAILED',
        message: selfTestDetailText(detail, 'en'),
        detail,
        durationMs: Date.now() - started,
      };
    } finally {
      await Promise.resolve(this.stimulus?.after()).catch(() => undefined);
      this.busy = false;
    }
  }
}

function watchClose(t: { on(e: 'close', l: () => void): unknown }, onClose: () => void): void {
  t.on('close', onClose);
}

export class IdCardHandle extends DeviceHandle {
  private transport: ByteTransport | null = null;
  private reader: IdCardReader | null = null;
  private healthy = true;

  constructor(
    d: DeviceDescriptor,
    private readonly connect: () => Promise<ByteTransport>,
    stimulus: SelfTestStimulus | null,
  ) {
    super(d, stimulus);
  }

  async open(): Promise<void> {
    const t = await this.attachSerial(this.connect);
    this.transport = t;
    const reader = new IdCardReader(t, { timeoutMs: 1000 });
    reader.on('card', (c) => this.emit('id-card', c));
    reader.on('read-error', (e: IdCardError) => this.emit('card-error', { code: e.code, message: e.message }));
    reader.on('removed', () => this.emit('card-removed'));
    reader.on('health', (h) => (this.healthy = h.ok));
    this.reader = reader;
    await reader.samStatus().catch(async (e: IdCardError) => {
      await this.close();
      throw e.code === 'ID_READER_TIMEOUT' ? new DeviceLost('DEVICE_NOT_RESPONDING', e.message) : e;
    });
  }

  override holdsCard(): boolean {
    return this.reader?.holdsCard ?? false;
  }

  async tick(): Promise<DeviceHealth> {
    this.assertPresent(this.reader);
    await this.reader.pollOnce();
    this.assertPresent(this.reader);
    if (!this.healthy) throw new DeviceLost('DEVICE_NOT_RESPONDING', 'the ID-card module stopped answering');
    return { state: 'ready', code: null };
  }

  protected async test(): Promise<SelfTestDetail> {
    if (!this.reader) throw new SelfTestFailure('DEVICE_ABSENT', found('device-not-open'));
    await this.reader.samStatus();
    if (!(await this.reader.findCard())) return found('id-card-no-card');
    const card = await this.reader.readCard();
    return found('id-card-read', { kind: card.text.kind });
  }

  async close(): Promise<void> {
    await this.reader?.close();
    await this.transport?.close().catch(() => undefined);
    this.reader = null;
    this.transport = null;
  }
}

export class SsCardHandle extends DeviceHandle {
  private transport: ByteTransport | null = null;
  private apdu: SerialApduTransport | null = null;
  private present = false;

  constructor(
    d: DeviceDescriptor,
    private readonly connect: () => Promise<ByteTransport>,
    stimulus: SelfTestStimulus | null,
  ) {
    super(d, stimulus);
  }

  async open(): Promise<void> {
    const t = await this.attachSerial(this.connect);
    this.transport = t;
    this.apdu = new SerialApduTransport(t, 1000);
    await this.apdu.cardPresent().catch(async (e: SsCardError) => {
      await this.close();
      throw new DeviceLost('DEVICE_NOT_RESPONDING', e.message);
    });
  }

  override holdsCard(): boolean {
    return this.present;
  }

  async tick(): Promise<DeviceHealth> {
    this.assertPresent(this.apdu);
    let present: boolean;
    try {
      present = await this.apdu.cardPresent();
    } catch (e) {
      throw new DeviceLost('DEVICE_NOT_RESPONDING', (e as Error).message);
    }
    if (present && !this.present) {
      this.present = true;
      try {
        this.emit('ss-card', await new SocialSecurityCardReader(this.apdu).read());
      } catch (e) {
        const err = e as SsCardError;
        this.emit('card-error', { code: err.code ?? 'SS_CARD_READ_FAILED', message: err.message });
      }
    } else if (!present && this.present) {
      this.present = false;
      this.emit('card-removed');
    }
    return { state: 'ready', code: null };
  }

  /** Verifies the PIN of the card in the slot (the service asks for it on screen). */
  async verifyPin(pin: string): Promise<void> {
    if (!this.apdu) throw new DeviceLost('DEVICE_ABSENT', 'not open');
    const reader = new SocialSecurityCardReader(this.apdu);
    await reader.read();
    await reader.verifyPin(pin);
  }

  protected async test(): Promise<SelfTestDetail> {
    if (!this.apdu) throw new SelfTestFailure('DEVICE_ABSENT', found('device-not-open'));
    if (!(await this.apdu.cardPresent())) return found('ss-card-no-card');
    const card = await new SocialSecurityCardReader(this.apdu).read();
    return found('ss-card-read', { region: card.issuingRegion });
  }

  async close(): Promise<void> {
    this.apdu?.close();
    await this.transport?.close().catch(() => undefined);
    this.apdu = null;
    this.transport = null;
    this.present = false;
  }
}

export type ScannerSource =
  | { kind: 'hid-pos' | 'keyboard-wedge'; open: () => Promise<HidTransport>; present: () => Promise<boolean> }
  | { kind: 'serial'; connect: () => Promise<ByteTransport> };

export class ScannerHandle extends DeviceHandle {
  private hid: HidTransport | null = null;
  private serial: ByteTransport | null = null;
  private detach: (() => void) | null = null;
  private lastScan: ScanResult | null = null;

  constructor(
    d: DeviceDescriptor,
    private readonly source: ScannerSource,
    stimulus: SelfTestStimulus | null,
  ) {
    super(d, stimulus);
  }

  private onScan(s: ScanResult): void {
    this.lastScan = s;
    this.emit('scan', s);
  }

  async open(): Promise<void> {
    this.lost = false;
    const src = this.source;
    if (src.kind === 'serial') {
      const t = await src.connect().catch((e: Error) => {
        throw new DeviceLost('DEVICE_ABSENT', e.message);
      });
      this.serial = t;
      watchClose(t, () => (this.lost = true));
      const lines = new SerialLineDecoder();
      const onData = (d: Buffer) => lines.push(d).forEach((s) => this.onScan(s));
      t.on('data', onData);
      this.detach = () => t.off('data', onData);
      return;
    }
    if (!(await src.present())) throw new DeviceLost('DEVICE_ABSENT', 'scanner not connected');
    const hid = await src.open();
    this.hid = hid;
    hid.on('close', () => (this.lost = true));
    hid.on('error', () => (this.lost = true));
    if (src.kind === 'hid-pos') {
      const scanner = new HidPosScanner(hid);
      scanner.on('scan', (s) => this.onScan(s));
      this.detach = () => scanner.removeAllListeners();
      await scanner.enable();
    } else {
      const wedge = new KeyboardWedgeDecoder();
      const onReport = (r: Buffer) => {
        const s = wedge.push(r);
        if (s) this.onScan(s);
      };
      hid.on('data', onReport);
      this.detach = () => hid.off('data', onReport);
    }
  }

  async tick(): Promise<DeviceHealth> {
    if (this.lost) throw new DeviceLost('DEVICE_ABSENT', 'scanner went away');
    if (this.source.kind !== 'serial' && !(await this.source.present())) throw new DeviceLost('DEVICE_ABSENT', 'scanner not connected');
    return { state: 'ready', code: null };
  }

  protected async test(): Promise<SelfTestDetail> {
    if (!this.hid && !this.serial) throw new SelfTestFailure('DEVICE_ABSENT', found('device-not-open'));
    const before = this.lastScan;
    const deadline = Date.now() + 3000;
    while (this.lastScan === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.lastScan === before) return found('scanner-no-scan');
    const { symbology, code } = this.lastScan!;
    return symbology ? found('scanner-scanned', { symbology, length: code.length }) : found('scanner-scanned-unnamed', { length: code.length });
  }

  async close(): Promise<void> {
    this.detach?.();
    this.detach = null;
    await this.hid?.close().catch(() => undefined);
    await this.serial?.close().catch(() => undefined);
    this.hid = null;
    this.serial = null;
  }
}

export class PrinterHandle extends DeviceHandle {
  private transport: ByteTransport | null = null;
  printer: ReceiptPrinter | null = null;

  constructor(
    d: DeviceDescriptor,
    private readonly connect: () => Promise<ByteTransport>,
    stimulus: SelfTestStimulus | null,
  ) {
    super(d, stimulus);
  }

  async open(): Promise<void> {
    const t = await this.attachSerial(this.connect);
    this.transport = t;
    this.printer = new ReceiptPrinter(t, { statusTimeoutMs: 500, pollMs: 300 });
    await this.printer.status().catch(async (e: Error) => {
      await this.close();
      throw new DeviceLost('DEVICE_NOT_RESPONDING', e.message);
    });
  }

  async tick(): Promise<DeviceHealth> {
    this.assertPresent(this.printer);
    let condition;
    try {
      condition = (await this.printer.status()).condition;
    } catch (e) {
      throw new DeviceLost('DEVICE_NOT_RESPONDING', (e as Error).message);
    }
    if (condition === 'ready') return { state: 'ready', code: null };
    if (condition === 'paper-near-end') return { state: 'warning', code: CONDITION_CODES[condition] };
    return { state: 'fault', code: CONDITION_CODES[condition] };
  }

  print(id: string, bytes: Buffer): PrintJob {
    if (!this.printer) throw new DeviceLost('PRINTER_ABSENT', 'the printer is not connected');
    return this.printer.submit(id, bytes);
  }

  protected async test(): Promise<SelfTestDetail> {
    if (!this.printer) throw new SelfTestFailure('DEVICE_ABSENT', found('device-not-open'));
    const { condition } = await this.printer.status();
    if (condition !== 'ready' && condition !== 'paper-near-end')
      throw new SelfTestFailure(CONDITION_CODES[condition]!, found('printer-not-ready', { condition }));
    const id = `self-test-${Date.now()}`;
    const bytes = testReceipt(this.descriptor.model);
    this.printer.submit(id, bytes);
    const job = await this.printer.waitFor(id, 15_000);
    if (job.state !== 'done')
      throw new SelfTestFailure(job.reason?.split(':')[0] ?? 'PRINTER_JOB_FAILED', found('printer-test-page-failed', { state: job.state }));
    return found('printer-test-page');
  }

  async close(): Promise<void> {
    await this.printer?.close();
    await this.transport?.close().catch(() => undefined);
    this.printer = null;
    this.transport = null;
  }
}

export function testReceipt(model: string, when = new Date()): Buffer {
  return new ReceiptBuilder()
    .init()
    .chinese()
    .align('center')
    .size(2, 2)
    .line('打印测试')
    .size(1, 1)
    .line('E-Station 设备自检 / self-test')
    .align('left')
    .rule()
    .pair('型号 Model', model.slice(0, 28))
    .pair('时间 Time', when.toISOString().slice(0, 19).replace('T', ' '))
    .line('中文：医保结算 ￥12.34')
    .align('center')
    .qr('ESTATION-PRINT-TEST')
    .cut()
    .bytes();
}
