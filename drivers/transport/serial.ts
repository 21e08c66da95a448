import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { TransportError, type ByteTransport, type ByteTransportEvents } from './types';

export interface SerialOptions {
  path: string;
  baudRate: number;
}

/** A ByteTransport on the real `serialport` binding: a device tty, or one end of a PTY pair. */
export class SerialTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  private constructor(private readonly port: SerialPort) {
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
        else resolve(new SerialTransport(port));
      });
    });
  }

  get path(): string {
    return this.port.path;
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.port.isOpen) return reject(new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`));
      this.port.write(Buffer.from(data), (err) => {
        if (err) return reject(new TransportError('TRANSPORT_WRITE_FAILED', `${this.path}: ${err.message}`));
        this.port.drain((e) => (e ? reject(new TransportError('TRANSPORT_WRITE_FAILED', `${this.path}: ${e.message}`)) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}
