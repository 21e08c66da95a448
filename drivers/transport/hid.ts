/**
 * The HID transport a device is written against: input reports in, feature/output reports out.
 * `NodeHidTransport` is the only file that touches node-hid; `FakeHidTransport` feeds real
 * report bytes in tests, because a virtual HID device cannot be created on this CI kernel.
 */
import { EventEmitter } from 'node:events';
import type * as NodeHid from 'node-hid';

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path: string;
  product?: string;
  usagePage?: number;
  usage?: number;
}

export interface HidTransportEvents {
  data: [Buffer];
  error: [Error];
  close: [];
}

export interface HidTransport extends EventEmitter<HidTransportEvents> {
  readonly info: HidDeviceInfo;
  sendFeatureReport(data: Uint8Array): Promise<number>;
  write(data: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

type NodeHidModule = typeof NodeHid;
type HIDAsync = Awaited<ReturnType<NodeHidModule['HIDAsync']['open']>>;

export class NodeHidTransport extends EventEmitter<HidTransportEvents> implements HidTransport {
  private constructor(
    private readonly dev: HIDAsync,
    readonly info: HidDeviceInfo,
  ) {
    super();
    dev.on('data', (d: Buffer) => this.emit('data', d));
    dev.on('error', (e: Error) => this.emit('error', e));
  }

  static async list(): Promise<HidDeviceInfo[]> {
    const hid = (await import('node-hid')) as NodeHidModule;
    const devices = await hid.devicesAsync();
    return devices
      .filter((d) => d.path)
      .map((d) => ({ vendorId: d.vendorId, productId: d.productId, path: d.path!, product: d.product, usagePage: d.usagePage, usage: d.usage }));
  }

  static async open(info: HidDeviceInfo): Promise<NodeHidTransport> {
    const hid = (await import('node-hid')) as NodeHidModule;
    const dev = await hid.HIDAsync.open(info.path);
    return new NodeHidTransport(dev, info);
  }

  sendFeatureReport(data: Uint8Array): Promise<number> {
    return this.dev.sendFeatureReport(Buffer.from(data));
  }
  write(data: Uint8Array): Promise<number> {
    return this.dev.write(Buffer.from(data));
  }
  async close(): Promise<void> {
    await this.dev.close();
    this.emit('close');
  }
}

/** A HID device in a test: the test pushes input reports; feature reports are recorded. */
export class FakeHidTransport extends EventEmitter<HidTransportEvents> implements HidTransport {
  readonly featureReports: Buffer[] = [];
  readonly written: Buffer[] = [];
  closed = false;
  constructor(readonly info: HidDeviceInfo) {
    super();
  }
  push(report: Uint8Array): void {
    if (!this.closed) this.emit('data', Buffer.from(report));
  }
  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
    void this.close();
  }
  async sendFeatureReport(data: Uint8Array): Promise<number> {
    if (this.closed) throw new Error('device closed');
    this.featureReports.push(Buffer.from(data));
    return data.length;
  }
  async write(data: Uint8Array): Promise<number> {
    if (this.closed) throw new Error('device closed');
    this.written.push(Buffer.from(data));
    return data.length;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
