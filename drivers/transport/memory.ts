import { EventEmitter } from 'node:events';
import { TransportError, type ByteTransport, type ByteTransportEvents } from './types';

class MemoryEnd extends EventEmitter<ByteTransportEvents> implements ByteTransport {
  peer: MemoryEnd | null = null;
  isOpen = true;
  constructor(readonly path: string) {
    super();
  }
  async write(data: Uint8Array): Promise<void> {
    if (!this.isOpen || !this.peer?.isOpen) throw new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`);
    const copy = Buffer.from(data);
    const peer = this.peer;
    // Deliver asynchronously, like a wire.
    setImmediate(() => peer.isOpen && peer.emit('data', copy));
  }
  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.emit('close', null);
    const peer = this.peer;
    if (peer?.isOpen) {
      peer.isOpen = false;
      peer.emit('close', new TransportError('TRANSPORT_CLOSED', `${peer.path}: the other end went away`));
    }
  }
}

/** Two connected in-memory ends: what one writes, the other receives. For unit tests. */
export function memoryPair(name = 'mem'): [ByteTransport, ByteTransport] {
  const a = new MemoryEnd(`${name}:host`);
  const b = new MemoryEnd(`${name}:device`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
