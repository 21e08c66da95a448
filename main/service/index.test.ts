import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { requests, type Channel } from '../bridge/contract';
import { Dispatcher } from '../bridge/dispatcher';
import { EventBus } from '../bridge/event-bus';
import { fixedClock } from '../ground/clock';
import { createLogger } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import type { DeviceManager } from '../devices/manager';
import type { PlatformClient } from '../platform/client';
import type { Outbox } from '../outbox/outbox';
import { createService } from '.';

const PIN = '246810';
let dir: string;
let db: Db;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-service-'));
  db = openDatabase(path.join(dir, 'estation.sqlite'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A valid input for each guarded channel, so a refusal can only come from the lock. */
const inputs: Record<string, unknown> = {
  'service.selfTest': {},
  'service.platform': {},
  'service.overview': {},
  'service.readiness': { print: false },
  'service.restart': {},
  'service.logs': { limit: 5 },
  'service.analyzeFrame': { jpeg: 'A'.repeat(200) },
  'service.lock': {},
};
const open = new Set(['service.status', 'service.setPin', 'service.unlock']);
const guardedChannels = (Object.keys(requests) as Channel[]).filter((c) => c.startsWith('service.') && !open.has(c));

function serviceMode() {
  const log = createLogger({ sinks: [] });
  const bus = new EventBus(log);
  // The guarded handlers must refuse before they touch any of these.
  const unused = {} as never;
  const service = createService({
    settings: { terminalId: 'ZZJ001', institutionCode: 'P44030300001', config: {} },
    access: { firstPinOnScreen: true, lockoutMinutes: 15, idleTimeoutSeconds: 300 },
    dataDir: dir,
    db,
    devices: unused as DeviceManager,
    client: unused as PlatformClient,
    outbox: unused as Outbox,
    face: null,
    bus,
    host: 'node',
    clock: fixedClock('2025-03-01T08:00:00Z'),
    log,
  });
  const dispatcher = new Dispatcher(service.handlers, log);
  const call = (channel: string, input: unknown = {}) => dispatcher.dispatch(channel, input, { transport: 'local' });
  return { call, bus };
}

it('every service handler but status, unlock and setting the PIN refuses while service mode is locked', async () => {
  const { call } = serviceMode();
  expect(guardedChannels).toEqual(expect.arrayContaining(Object.keys(inputs)));
  expect(guardedChannels).toHaveLength(Object.keys(inputs).length);
  const refusedWhileLocked = async () => {
    for (const channel of guardedChannels)
      expect(await call(channel, inputs[channel]), channel).toMatchObject({ ok: false, error: { code: 'SERVICE_LOCKED' } });
  };
  await refusedWhileLocked();
  expect(await call('service.status')).toEqual({ ok: true, value: { pinSet: false, locked: true, lockedUntil: null, nextTryAt: null, failures: 0 } });

  expect(await call('service.setPin', { pin: PIN, confirm: PIN })).toEqual({ ok: true, value: { ok: true } });
  expect(await call('service.logs', inputs['service.logs'])).toMatchObject({ ok: true });
  expect(await call('service.lock')).toEqual({ ok: true, value: { ok: true } });
  await refusedWhileLocked();

  expect(await call('service.unlock', { pin: '975318' })).toMatchObject({ ok: false, error: { code: 'SERVICE_PIN_WRONG' } });
  await refusedWhileLocked();
});

it('service.lock relocks at once and the status bar hears of it', async () => {
  const { call, bus } = serviceMode();
  await call('service.setPin', { pin: PIN, confirm: PIN });
  const latest = () => bus.snapshot().find((e) => e.event === 'status.service')?.payload;
  expect(latest()).toMatchObject({ pinSet: true, locked: false });
  expect(await call('service.lock')).toMatchObject({ ok: true });
  expect(latest()).toMatchObject({ locked: true });
  expect(await call('service.logs', inputs['service.logs'])).toMatchObject({ ok: false, error: { code: 'SERVICE_LOCKED' } });
  expect(await call('service.unlock', { pin: PIN })).toMatchObject({ ok: true });
  expect(await call('service.logs', inputs['service.logs'])).toMatchObject({ ok: true });
});
