import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scryptSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceAccessState } from '../bridge/contract/status';
import { fixedClock } from '../ground/clock';
import { createLogger, memorySink } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import { ConfigError, defaultConfig, parseConfig } from '../app/config';
import { ServiceAccess, backoffMs, maxFailures } from './access';
import { weakPinReason } from './pin';

const PIN = '246810';
const WRONG = '975318';
const T0 = Date.parse('2025-03-01T08:00:00Z');

let dir: string;
let file: string;
let dbs: Db[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-service-'));
  file = path.join(dir, 'estation.sqlite');
  dbs = [];
});
afterEach(() => {
  for (const db of dbs) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A terminal's service access over the SQLite file in `dir`: opened again, it is a restart. */
function terminal(
  clock = fixedClock(T0),
  settings: { lockoutMinutes: number; idleTimeoutSeconds: number; firstPinOnScreen?: boolean } = { lockoutMinutes: 15, idleTimeoutSeconds: 300 },
) {
  const db = openDatabase(file);
  dbs.push(db);
  const sink = memorySink();
  const events: ServiceAccessState[] = [];
  const access = new ServiceAccess(db, settings, clock, createLogger({ sinks: [sink] }), (s) => events.push(s));
  return { db, clock, access, events, logs: () => sink.lines.map((l) => JSON.parse(l) as { msg: string; [k: string]: unknown }) };
}

/** The error a call failed with, as the bridge would send it. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; details: Record<string, string> }> {
  const err = (await p.then(
    () => expect.unreachable('the call should have been refused'),
    (e: unknown) => e,
  )) as { code: string; details?: { path: string; message: string }[] };
  return { code: err.code, details: Object.fromEntries((err.details ?? []).map((d) => [d.path, d.message])) };
}

function refusalOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'none';
}

/** `count` wrong PINs, each one once the backoff of the one before has passed. */
async function wrongPins(t: ReturnType<typeof terminal>, count: number) {
  let last = { code: '', details: {} as Record<string, string> };
  for (let n = 1; n <= count; n++) {
    last = await refusal(t.access.unlock(WRONG));
    if (n < count) t.clock.advance(Number(last.details.waitMs));
  }
  return last;
}

describe('service PIN', () => {
  it('has no default: a new terminal has no PIN, refuses every unlock, and a PIN in the config file stops start-up', async () => {
    const t = terminal();
    expect(t.access.state()).toEqual({ pinSet: false, locked: true, lockedUntil: null, nextTryAt: null, failures: 0 });
    for (const pin of ['000000', '123456', PIN]) expect((await refusal(t.access.unlock(pin))).code).toBe('SERVICE_PIN_NOT_SET');
    expect(refusalOf(() => t.access.guard())).toBe('SERVICE_LOCKED');

    expect(defaultConfig().service).toEqual({ firstPinOnScreen: true, lockoutMinutes: 15, idleTimeoutSeconds: 300 });
    try {
      parseConfig({ service: { pin: '135790' } }, 'config.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([{ key: 'service.pin', expected: expect.stringContaining('no longer set in a file') as string }]);
    }
  });

  it('refuses weak PINs and two entries that differ, and keeps none of them', async () => {
    const t = terminal();
    for (const pin of ['000000', '888888', '123456', '654321', '12345678', '0123456', '121212', '520520', '20242024', '5201314'])
      expect((await refusal(t.access.setPin(pin, pin))).code, pin).toBe('SERVICE_PIN_WEAK');
    expect((await refusal(t.access.setPin(PIN, '246811'))).code).toBe('SERVICE_PIN_MISMATCH');
    expect(t.access.state().pinSet).toBe(false);
    expect(['246810', '135790', '80421795', '1357924'].map(weakPinReason)).toEqual([null, null, null, null]);
  });

  it('stores a salted scrypt hash with its parameters, never the digits', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    const row = t.db.prepare('SELECT pin_kdf, pin_salt, pin_hash FROM service_access').get() as { pin_kdf: string; pin_salt: Buffer; pin_hash: Buffer };
    const kdf = JSON.parse(row.pin_kdf) as { alg: string; N: number; r: number; p: number; keyLen: number };
    expect(kdf).toEqual({ alg: 'scrypt', N: 32768, r: 8, p: 1, keyLen: 32 });
    expect(row.pin_salt).toHaveLength(16);
    expect(scryptSync(PIN, row.pin_salt, kdf.keyLen, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 64 * 2 ** 20 }).equals(row.pin_hash)).toBe(true);
    // A second terminal with the same PIN gets another salt, so another hash.
    const other = openDatabase(path.join(dir, 'other.sqlite'));
    dbs.push(other);
    await new ServiceAccess(other, { lockoutMinutes: 15, idleTimeoutSeconds: 300 }, fixedClock(T0), createLogger({ sinks: [] }), () => undefined).setPin(
      PIN,
      PIN,
    );
    expect((other.prepare('SELECT pin_hash FROM service_access').get() as { pin_hash: Buffer }).pin_hash.equals(row.pin_hash)).toBe(false);

    // The database file and its write-ahead log, while open and after the checkpoint at close.
    const grep = () => {
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('estation.sqlite'));
      expect(files).toContain('estation.sqlite');
      for (const f of files) expect(fs.readFileSync(path.join(dir, f)).includes(PIN), f).toBe(false);
    };
    grep();
    t.db.close();
    grep();
    expect(t.logs().some((l) => JSON.stringify(l).includes(PIN))).toBe(false);
  });

  it('the first PIN opens service mode; after leaving, the right PIN opens it again', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    expect(t.access.state()).toMatchObject({ pinSet: true, locked: false });
    t.access.lock('leave');
    expect(refusalOf(() => t.access.guard())).toBe('SERVICE_LOCKED');
    await t.access.unlock(PIN);
    expect(refusalOf(() => t.access.guard())).toBe('none');
    expect(t.events.at(-1)).toEqual({ pinSet: true, locked: false, lockedUntil: null, nextTryAt: null, failures: 0 });
    // With a PIN set, a new one needs an open service mode.
    t.access.lock('leave');
    expect((await refusal(t.access.setPin('135790', '135790'))).code).toBe('SERVICE_LOCKED');
    await t.access.unlock(PIN);
    await t.access.setPin('135790', '135790');
    t.access.lock('leave');
    expect((await refusal(t.access.unlock(PIN))).code).toBe('SERVICE_PIN_WRONG');
  });

  it('backs off after each wrong PIN: the next one is not even checked before the wait, which doubles', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    t.access.lock('leave');
    expect(await refusal(t.access.unlock(WRONG))).toEqual({
      code: 'SERVICE_PIN_WRONG',
      details: { waitMs: '1000', nextTryAt: new Date(T0 + 1000).toISOString() },
    });
    expect(t.access.state()).toMatchObject({ failures: 1, nextTryAt: new Date(T0 + 1000).toISOString() });
    t.clock.advance(400);
    expect(await refusal(t.access.unlock(PIN))).toEqual({
      code: 'SERVICE_PIN_BACKOFF',
      details: { waitMs: '600', nextTryAt: new Date(T0 + 1000).toISOString() },
    });
    t.clock.advance(600);
    expect((await refusal(t.access.unlock(WRONG))).details.waitMs).toBe('2000');
    t.clock.advance(1999);
    expect((await refusal(t.access.unlock(PIN))).code).toBe('SERVICE_PIN_BACKOFF');
    t.clock.advance(1);
    expect((await refusal(t.access.unlock(WRONG))).details.waitMs).toBe('4000');
    t.clock.advance(4000);
    await t.access.unlock(PIN);
    expect(t.access.state()).toMatchObject({ locked: false, failures: 0, nextTryAt: null });
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('parallel guesses are checked one at a time: only the first is counted, the rest wait out the backoff', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    t.access.lock('leave');
    const codes = await Promise.all([WRONG, '864200', PIN].map(async (pin) => (await refusal(t.access.unlock(pin))).code));
    expect(codes).toEqual(['SERVICE_PIN_WRONG', 'SERVICE_PIN_BACKOFF', 'SERVICE_PIN_BACKOFF']);
    expect(t.access.state()).toMatchObject({ locked: true, failures: 1 });
  });

  it('locks out after 5 wrong PINs, refuses even the right PIN until the lockout ends, and logs it without the PIN', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    t.access.lock('leave');
    const start = t.clock.now();
    const last = await wrongPins(t, maxFailures);
    const until = new Date(start + (1000 + 2000 + 4000 + 8000) + 15 * 60_000).toISOString();
    expect(last).toEqual({ code: 'SERVICE_LOCKED_OUT', details: { lockedUntil: until } });
    expect(t.access.state()).toEqual({ pinSet: true, locked: true, lockedUntil: until, nextTryAt: null, failures: 5 });
    expect(t.events.at(-1)).toMatchObject({ lockedUntil: until });

    t.clock.advance(15 * 60_000 - 1);
    expect(await refusal(t.access.unlock(PIN))).toEqual({ code: 'SERVICE_LOCKED_OUT', details: { lockedUntil: until } });
    t.clock.advance(1);
    expect(t.access.state()).toMatchObject({ lockedUntil: null, failures: 0 });
    await t.access.unlock(PIN);
    expect(t.access.state().locked).toBe(false);

    const logs = t.logs();
    expect(logs.filter((l) => l.msg === 'service.pin_wrong').map((l) => l.failures)).toEqual([1, 2, 3, 4]);
    expect(logs.filter((l) => l.msg === 'service.locked_out')).toEqual([expect.objectContaining({ level: 'warn', failures: 5, until })]);
    expect(logs.map((l) => l.msg)).toContain('service.lockout_ended');
    for (const pin of [PIN, WRONG]) expect(logs.some((l) => JSON.stringify(l).includes(pin))).toBe(false);
  });

  it('a lockout and a backoff survive a restart, and a restart always starts locked', async () => {
    const clock = fixedClock(T0);
    const settings = { lockoutMinutes: 30, idleTimeoutSeconds: 300 };
    const first = terminal(clock, settings);
    await first.access.setPin(PIN, PIN);
    first.access.lock('leave');
    await wrongPins(first, 2);
    first.db.close();

    const second = terminal(clock, settings);
    expect(second.access.state()).toMatchObject({ pinSet: true, locked: true, failures: 2, nextTryAt: new Date(clock.now() + 2000).toISOString() });
    expect((await refusal(second.access.unlock(PIN))).code).toBe('SERVICE_PIN_BACKOFF');
    clock.advance(2000);
    const last = await wrongPins(second, 3);
    expect(last.code).toBe('SERVICE_LOCKED_OUT');
    const until = last.details.lockedUntil!;
    expect(Date.parse(until)).toBe(clock.now() + 30 * 60_000);
    second.db.close();

    const third = terminal(clock, settings);
    expect(third.events[0]).toEqual({ pinSet: true, locked: true, lockedUntil: until, nextTryAt: null, failures: 5 });
    expect((await refusal(third.access.unlock(PIN))).code).toBe('SERVICE_LOCKED_OUT');
    clock.advance(30 * 60_000);
    await third.access.unlock(PIN);
    third.db.close();

    expect(terminal(clock, settings).access.state()).toMatchObject({ locked: true, failures: 0 });
  });

  it('with firstPinOnScreen false the screen cannot set the first PIN; the local shell can, and the screen then unlocks with it', async () => {
    const t = terminal(fixedClock(T0), { lockoutMinutes: 15, idleTimeoutSeconds: 300, firstPinOnScreen: false });
    expect((await refusal(t.access.setPin(PIN, PIN))).code).toBe('SERVICE_PIN_NOT_SET');
    expect(t.access.state()).toMatchObject({ pinSet: false, locked: true });
    await t.access.setPinLocally(PIN, PIN);
    // Setting it from the shell opens nothing on any screen.
    expect(t.access.state()).toMatchObject({ pinSet: true, locked: true });
    await t.access.unlock(PIN);
    expect(t.access.state().locked).toBe(false);
    // Once a PIN exists, changing it on screen needs the open service mode (as before).
    t.access.lock('leave');
    expect((await refusal(t.access.setPin('13572468', '13572468'))).code).toBe('SERVICE_LOCKED');
    expect(t.logs().filter((l) => l.msg === 'service.pin_set')).toEqual([expect.objectContaining({ level: 'warn', first: true, by: 'local-shell' })]);
  });

  it('a forgotten PIN under lockout: the local reset forgets PIN and lockout at once, also for a terminal already running', async () => {
    const running = terminal();
    await running.access.setPin(PIN, PIN);
    running.access.lock('leave');
    expect((await wrongPins(running, maxFailures)).code).toBe('SERVICE_LOCKED_OUT');
    // The technician's shell opens the same file while the terminal runs.
    const shell = terminal(running.clock);
    await shell.access.resetPinLocally();
    expect(running.access.state()).toEqual({ pinSet: false, locked: true, lockedUntil: null, nextTryAt: null, failures: 0 });
    expect((await refusal(running.access.unlock(PIN))).code).toBe('SERVICE_PIN_NOT_SET');
    await running.access.setPin('13572468', '13572468');
    expect(running.access.state().locked).toBe(false);
    expect(shell.logs().map((l) => l.msg)).toContain('service.pin_reset');
  });

  it('never locks out longer than one lockout from now when the clock is set back', async () => {
    const clock = fixedClock(T0);
    const t = terminal(clock);
    await t.access.setPin(PIN, PIN);
    t.access.lock('leave');
    await wrongPins(t, maxFailures);
    t.db.close();
    const back = fixedClock(T0 - 365 * 86_400_000);
    expect(terminal(back).access.state().lockedUntil).toBe(new Date(back.now() + 15 * 60_000).toISOString());
  });

  it('relocks after the idle timeout without a service request; each request restarts the timeout', async () => {
    const t = terminal();
    await t.access.setPin(PIN, PIN);
    t.clock.advance(299_000);
    t.access.guard();
    t.clock.advance(299_000);
    t.access.guard();
    expect(t.access.state().locked).toBe(false);
    t.clock.advance(300_000);
    expect(refusalOf(() => t.access.guard())).toBe('SERVICE_LOCKED');
    expect(t.events.at(-1)).toMatchObject({ locked: true });
    expect(t.logs().filter((l) => l.msg === 'service.locked')).toEqual([expect.objectContaining({ reason: 'idle' })]);
  });
});
