/**
 * The byte transport every serial-style device is written against. The real implementation sits
 * on `serialport` (over a real tty, or a socat PTY in tests and simulate mode); a memory pair
 * serves unit tests. Protocol code never knows which one it has.
 */
import type { EventEmitter } from 'node:events';

export interface ByteTransportEvents {
  data: [Buffer];
  close: [Error | null];
  error: [Error];
}

export interface ByteTransport extends EventEmitter<ByteTransportEvents> {
  readonly path: string;
  readonly isOpen: boolean;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class TransportError extends Error {
  constructor(
    readonly code: 'TRANSPORT_CLOSED' | 'TRANSPORT_OPEN_FAILED' | 'TRANSPORT_WRITE_FAILED' | 'TRANSPORT_WRITE_TIMEOUT' | 'TRANSPORT_TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
