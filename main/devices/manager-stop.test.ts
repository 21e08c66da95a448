/**
 * Stopping the device manager while a device's turn is running: the turn that was already past
 * its timer must not log, report or reschedule after stop() resolved. (Found by CI: a printer
 * turn that ended after an e2e host had stopped wrote to its deleted log directory and the
 * exception killed the Playwright worker.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';
import { devicesConfigSchema } from './config';
import { DeviceManager } from './manager';
import { DeviceSupervisor } from './supervisor';
import { PrinterHandle } from './handles';
import { DeviceError } from './supervisor';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

it('a device turn that ends after stop() began logs nothing, reports nothing and schedules nothing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-devices-stop-'));
  dirs.push(dataDir);
  const sink = memorySink();
  const supervisor = new DeviceSupervisor(systemClock);
  const devices = new DeviceManager(
    devicesConfigSchema.parse({ simulate: true, pollMs: 50 }),
    supervisor,
    systemClock,
    createLogger({ sinks: [sink] }),
    dataDir,
  );
  await devices.start();
  await devices.settled();
  expect(supervisor.get('printer').state).toBe('ready');

  // The printer's next turn hangs until the test lets it fail as a lost device would.
  const printer = devices.handle('printer', PrinterHandle);
  let entered!: () => void;
  const turnEntered = new Promise<void>((r) => (entered = r));
  let fail!: (e: Error) => void;
  printer.runTick = () => {
    entered();
    return new Promise((_, reject) => (fail = reject));
  };
  await turnEntered;

  let stopped = false;
  const stopping = devices.stop().then(() => (stopped = true));
  // stop() waits for the running turn rather than closing its handle under it.
  await new Promise((r) => setImmediate(r));
  expect(stopped).toBe(false);
  const linesAtStop = sink.lines.length;
  const stateAtStop = supervisor.get('printer').state;
  fail(new DeviceError('DEVICE_ABSENT', 'printer gone'));
  await stopping;

  expect(sink.lines.slice(linesAtStop).filter((l) => l.includes('devices.lost'))).toEqual([]);
  expect(supervisor.get('printer').state).toBe(stateAtStop);
});

it('a health check that never ends is given up at the turn deadline: the device is reported absent, closed and opened again', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-devices-stuck-'));
  dirs.push(dataDir);
  const sink = memorySink();
  const supervisor = new DeviceSupervisor(systemClock);
  const devices = new DeviceManager(
    devicesConfigSchema.parse({ simulate: true, pollMs: 50, turnDeadlineMs: 300 }),
    supervisor,
    systemClock,
    createLogger({ sinks: [sink] }),
    dataDir,
  );
  try {
    await devices.start();
    await devices.settled();
    expect(supervisor.get('printer').state).toBe('ready');
    const printer = devices.handle('printer', PrinterHandle);
    const original = printer.runTick.bind(printer);
    // One check hangs for good, as a write into a port whose far end stopped reading did.
    let hung = false;
    printer.runTick = () => {
      if (hung) return original();
      hung = true;
      return new Promise(() => undefined);
    };
    const seen: string[] = [];
    const watching = new Promise<void>((resolve) =>
      supervisor.on('status', (s) => {
        if (s.id !== 'printer') return;
        seen.push(s.state);
        if (seen.includes('absent') && s.state === 'ready') resolve();
      }),
    );
    await watching;
    expect(seen[0]).toBe('absent');
    expect(sink.lines.some((l) => l.includes('devices.lost') && l.includes('DEVICE_NOT_RESPONDING') && l.includes('300 ms'))).toBe(true);
  } finally {
    await devices.stop();
  }
});

it('an open given up at the turn deadline is not doubled: no second open while it is pending, and what it opened late is closed before the next', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-devices-late-open-'));
  dirs.push(dataDir);
  const sink = memorySink();
  const supervisor = new DeviceSupervisor(systemClock);
  const devices = new DeviceManager(
    devicesConfigSchema.parse({ simulate: true, pollMs: 50, turnDeadlineMs: 300 }),
    supervisor,
    systemClock,
    createLogger({ sinks: [sink] }),
    dataDir,
  );
  const until = async (what: string, probe: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await devices.start();
    await devices.settled();
    const printer = devices.handle('printer', PrinterHandle);
    const calls: string[] = [];
    const open = printer.open.bind(printer);
    const close = printer.close.bind(printer);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let opens = 0;
    printer.open = async () => {
      calls.push('open');
      // The first reopen hangs (a port whose open the OS does not answer) until the test lets it finish.
      if (++opens === 1) await released;
      return open();
    };
    printer.close = async () => {
      calls.push('close');
      return close();
    };
    // The check fails once, so the manager closes the printer and opens it again.
    const tick = printer.runTick.bind(printer);
    let failed = false;
    printer.runTick = () => {
      if (failed) return tick();
      failed = true;
      return Promise.reject(new DeviceError('DEVICE_ABSENT', 'cable pulled'));
    };
    await until('the open given up', () => supervisor.get('printer').lastError?.message.includes('opening did not finish within 300 ms') === true);
    expect(supervisor.get('printer')).toMatchObject({ state: 'absent', code: 'DEVICE_NOT_RESPONDING' });
    await until('two turns finding it still pending', () => sink.lines.filter((l) => l.includes('devices.open_still_pending')).length >= 2);
    expect(calls).toEqual(['close', 'open']);
    release();
    await until('ready again', () => supervisor.get('printer').state === 'ready' && calls.length >= 4);
    // The hung open finished, was closed, and only then did a fresh open run.
    expect(calls).toEqual(['close', 'open', 'close', 'open']);
  } finally {
    await devices.stop();
  }
});
