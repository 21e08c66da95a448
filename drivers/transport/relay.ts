import { EventEmitter } from 'node:events';
import type { ByteTransport, ByteTransportEvents } from './types';

/**
 * A transport that forwards to whichever transport is attached now. A device simulator sits on
 * one for its whole life, so its state (a card in the slot, paper in the printer) survives the
 * cable being pulled and put back.
 */
export class RelayTransport extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  private target: ByteTransport | null = null;
  private readonly forward = (d: Buffer) => this.emit('data', d);
  // The attached cable failing (EIO when the tty vanishes) is the cable's business; the device
  // behind the relay keeps its state and is reattached on replug.
  private readonly cableError = () => undefined;

  constructor(readonly path: string) {
    super();
  }

  attach(t: ByteTransport | null): void {
    this.target?.off('data', this.forward);
    this.target?.off('error', this.cableError);
    this.target = t;
    t?.on('data', this.forward);
    t?.on('error', this.cableError);
  }

  get isOpen(): boolean {
    return this.target?.isOpen ?? false;
  }

  async write(data: Uint8Array): Promise<void> {
    // With no cable the bytes go nowhere, as on a real unplugged device.
    if (this.target?.isOpen) await this.target.write(data).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.attach(null);
  }
}
