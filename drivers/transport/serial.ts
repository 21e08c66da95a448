import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { TransportError, type ByteTransport, type ByteTransportEvents } from './types';
import { withDeadline } from './deadline';

export interface SerialOptions {
  path: string;
  baudRate: number;
  /**
   * The slack a write gets on top of its time on the wire (ten bit times a byte, tripled) before
   * it is given up as TRANSPORT_WRITE_TIMEOUT. Default 2000 ms.
   */
  writeSlackMs?: number;
}

const CLOSE_DEADLINE_MS = 3000;

/** How long a write of `bytes` may take at `baudRate` before the port counts as stuck. */
export function writeDeadlineMs(bytes: number, baudRate: number, slackMs = 2000): number {
  return slackMs + Math.ceil(((bytes * 10) / baudRate) * 1000 * 3);
}

/** A ByteTransport on the real `serialport` binding: a device tty, or one end of a PTY pair. */
export class SerialTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  private constructor(
    private readonly port: SerialPort,
    private readonly opts: SerialOptions,
  ) {
    super();
    port.on('data', (d: Buffer) => this.emit('data', d));
    // An error nobody listens for (a write racing the other end's close) must not end the
    // process: the port closes right after it, and 'close' is what owners act on.
    port.on('error', (e: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
    port.on('close', (e: Error | null) => this.emit('close', e ?? null));
  }

  static open(opts: SerialOptions): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false, lock: false });
      port.open((err) => {
        if (err) reject(new TransportError('TRANSPORT_OPEN_FAILED', `cannot open ${opts.path}: ${err.message}`));
        else resolve(new SerialTransport(port, opts));
      });
    });
  }

  get path(): string {
    return this.port.path;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  /**
   * Writes and drains, within a deadline: a port whose other end stops reading (a cable pulled
   * mid-write, a PTY whose reader died) can leave the binding waiting for "writable" forever, and
   * a device loop awaiting that write would never report the device gone, nor let it close.
   */
  write(data: Uint8Array): Promise<void> {
    const ms = writeDeadlineMs(data.length, this.opts.baudRate, this.opts.writeSlackMs);
    return withDeadline(
      this.writeAndDrain(data),
      ms,
      () => new TransportError('TRANSPORT_WRITE_TIMEOUT', `${this.path}: ${data.length} bytes not written within ${ms} ms (the other end does not read)`),
    );
  }

  private writeAndDrain(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.port.isOpen) return reject(new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`));
      this.port.write(Buffer.from(data), (err) => {
        if (err) return reject(new TransportError('TRANSPORT_WRITE_FAILED', `${this.path}: ${err.message}`));
        this.port.drain((e) => (e ? reject(new TransportError('TRANSPORT_WRITE_FAILED', `${this.path}: ${e.message}`)) : resolve()));
      });
    });
  }

  /** Closes; a close the binding never answers (its worker pool taken by stuck calls) is given up after 3 s. */
  close(): Promise<void> {
    const closing = new Promise<void>((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
    return withDeadline(
      closing,
      CLOSE_DEADLINE_MS,
      () => new TransportError('TRANSPORT_TIMEOUT', `${this.path}: close not answered within ${CLOSE_DEADLINE_MS} ms`),
    );
  }
}
