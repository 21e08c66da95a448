/**
 * A write into a real PTY whose far end nobody reads: the kernel buffers fill, the binding waits
 * for "writable" that never comes. The transport gives the write up at its deadline, so a device
 * loop awaiting it goes on (and reports the device) instead of waiting forever.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PtyLink, socatAvailable } from './pty';
import { SerialTransport, writeDeadlineMs } from './serial';
import { TransportError } from './types';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the write deadline', () => {
  it('grows with the time the bytes take on the wire', () => {
    expect(writeDeadlineMs(0, 115200)).toBe(2000);
    // 9,600 baud: 4,096 bytes are 4.27 s on the wire, tripled.
    expect(writeDeadlineMs(4096, 9600)).toBe(2000 + 12800);
    expect(writeDeadlineMs(4096, 9600, 500)).toBe(500 + 12800);
  });
});

describe.skipIf(!socatAvailable())('a serial write into a PTY nobody reads (needs socat)', () => {
  it('is given up as TRANSPORT_WRITE_TIMEOUT at its deadline, and the port still closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-serial-'));
    const link = new PtyLink(dir);
    await link.start();
    cleanups.push(async () => {
      await link.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    // A PTY ignores the rate; a fast one keeps the wire-time part of the deadline short.
    const baudRate = 4_000_000;
    const host = await SerialTransport.open({ path: link.hostPath, baudRate, writeSlackMs: 300 });
    // Far more than the two tty buffers and socat's own hold: the device end is never opened.
    const bytes = Buffer.alloc(512 * 1024, 0x41);
    const ms = writeDeadlineMs(bytes.length, baudRate, 300);
    const started = Date.now();
    const err = await host.write(bytes).then(
      () => null,
      (e: unknown) => e,
    );
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TRANSPORT_WRITE_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(ms - 50);
    await host.close().catch(() => undefined);
    expect(host.isOpen).toBe(false);
  });
});
