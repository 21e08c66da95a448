/**
 * The simulated peripheral set of the embedded default: a GA 467 ID-card module, a
 * social-security card reader and an ESC/POS printer, each on a real PTY pair (socat) so the
 * real serialport binding is exercised, and a HID POS scanner fed through a fake HID transport.
 * Where socat is missing, serial devices fall back to in-memory pairs and say so. The socat
 * children are tied to this process (drivers/transport/tied-child.ts): they end when it ends,
 * even when it is SIGKILLed, so a crashed terminal leaves no stale ttys behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IdCardSimulator } from '../../drivers/id-card/simulator';
import { SsCardReaderSimulator } from '../../drivers/ss-card/simulator';
import { PrinterSimulator } from '../../drivers/printer/simulator';
import { PtyLink, socatAvailable } from '../../drivers/transport/pty';
import { SerialTransport } from '../../drivers/transport/serial';
import { memoryPair } from '../../drivers/transport/memory';
import { FakeHidTransport } from '../../drivers/transport/hid';
import type { ByteTransport } from '../../drivers/transport/types';
import { TransportError } from '../../drivers/transport/types';
import { RelayTransport } from '../../drivers/transport/relay';

type SerialSim = IdCardSimulator | SsCardReaderSimulator | PrinterSimulator;

/** One simulated serial device: its link, and the simulator on the device end. */
export class SimulatedSerialDevice<S extends SerialSim> {
  readonly sim: S;
  private readonly relay: RelayTransport;
  private deviceEnd: ByteTransport | null = null;
  private readonly link: PtyLink | null;
  private plugged = true;

  constructor(
    readonly id: string,
    make: (t: ByteTransport) => S,
    dir: string | null,
  ) {
    this.link = dir ? new PtyLink(dir) : null;
    this.relay = new RelayTransport(`sim:${id}`);
    this.sim = make(this.relay);
  }

  get port(): string {
    return this.link ? this.link.hostPath : `memory:${this.id}`;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  async start(): Promise<void> {
    if (!this.link) return;
    await this.link.start();
    this.deviceEnd = await SerialTransport.open({ path: this.link.devicePath, baudRate: 115200 });
    this.relay.attach(this.deviceEnd);
  }

  /** Opens the host end, as the driver would open /dev/ttyUSB0. */
  async connect(): Promise<ByteTransport> {
    if (!this.plugged) throw new TransportError('TRANSPORT_OPEN_FAILED', `${this.port}: no such device`);
    if (this.link) return SerialTransport.open({ path: this.link.hostPath, baudRate: 115200 });
    const [host, device] = memoryPair(this.id);
    await this.deviceEnd?.close();
    this.deviceEnd = device;
    this.relay.attach(device);
    return host;
  }

  /** Pulls the cable: the tty disappears and the host's open port errors out. */
  async unplug(): Promise<void> {
    this.plugged = false;
    this.relay.attach(null);
    await this.deviceEnd?.close();
    this.deviceEnd = null;
    await this.link?.stop();
  }

  async replug(): Promise<void> {
    this.plugged = true;
    await this.start();
  }

  async stop(): Promise<void> {
    this.sim.close();
    this.relay.attach(null);
    await this.deviceEnd?.close().catch(() => undefined);
    await this.link?.stop();
  }
}

export class SimulatedHardware {
  readonly idCard: SimulatedSerialDevice<IdCardSimulator>;
  readonly ssCard: SimulatedSerialDevice<SsCardReaderSimulator>;
  readonly printer: SimulatedSerialDevice<PrinterSimulator>;
  scanner = SimulatedHardware.newScanner();
  scannerPresent = true;
  readonly pty: boolean;

  constructor(root: string) {
    this.pty = socatAvailable();
    const dir = (name: string) => (this.pty ? path.join(root, name) : null);
    if (this.pty) fs.mkdirSync(root, { recursive: true });
    this.idCard = new SimulatedSerialDevice('id-card', (t) => new IdCardSimulator(t), dir('id-card'));
    this.ssCard = new SimulatedSerialDevice('ss-card', (t) => new SsCardReaderSimulator(t), dir('ss-card'));
    this.printer = new SimulatedSerialDevice('printer', (t) => new PrinterSimulator(t), dir('printer'));
  }

  private static newScanner(): FakeHidTransport {
    return new FakeHidTransport({
      vendorId: 0x0c2e,
      productId: 0x0b87,
      path: 'sim:hid-pos',
      product: 'Simulated HID POS scanner',
      usagePage: 0x8c,
      usage: 0x02,
    });
  }

  unplugScanner(): void {
    this.scannerPresent = false;
    this.scanner.unplug();
  }

  /** A replugged USB device is a new handle, as with node-hid. */
  replugScanner(): void {
    this.scanner = SimulatedHardware.newScanner();
    this.scannerPresent = true;
  }

  async start(): Promise<void> {
    await Promise.all([this.idCard.start(), this.ssCard.start(), this.printer.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.idCard.stop(), this.ssCard.stop(), this.printer.stop()]);
  }
}
