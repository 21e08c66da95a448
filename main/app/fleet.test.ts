/**
 * The update lock's bookkeeping: a call that moves money, consents, files or prints holds the
 * lock while it runs (also when it fails), and says what holds it; other calls do not. And the
 * chain's face-sharing key file: what it may hold, and the typed refusal of anything else.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChainKey, UPDATE_LOCK, updateLockTracker } from './fleet';

describe('update lock', () => {
  it('is held by a payment while it runs, by what it is, and released when it ends or fails', async () => {
    const lock = updateLockTracker();
    let finish!: () => void;
    const pay = lock.run('checkout.pay', () => new Promise<void>((r) => (finish = r)));
    const query = lock.run('kiosk.person', async () => 'read');
    expect(lock.holder()).toBe('a payment');
    await query;
    expect(lock.holder()).toBe('a payment');
    finish();
    await pay;
    expect(lock.holder()).toBeNull();
    await expect(lock.run('kiosk.printJob', () => Promise.reject(new Error('paper out')))).rejects.toThrow('paper out');
    expect(lock.holder()).toBeNull();
  });

  it('two payments at once hold it until the second ends', async () => {
    const lock = updateLockTracker();
    const ends: (() => void)[] = [];
    const a = lock.run('checkout.quote', () => new Promise<void>((r) => ends.push(r)));
    const b = lock.run('checkout.pay', () => new Promise<void>((r) => ends.push(r)));
    ends[0]!();
    await a;
    expect(lock.holder()).toBe('a payment');
    ends[1]!();
    await b;
    expect(lock.holder()).toBeNull();
  });

  it('names payments, enrolment, filings and prints, and no query', () => {
    const what = (channel: string) => UPDATE_LOCK.find((l) => l.pattern.test(channel))?.what ?? null;
    expect(['checkout.pay', 'face.consent', 'kiosk.file', 'kiosk.printCertificate', 'kiosk.authorise'].map(what)).toEqual([
      'a payment',
      'a face session or enrolment',
      'a filing or consent',
      'a print',
      'a filing or consent',
    ]);
    expect(['kiosk.person', 'checkout.sales', 'status.get', 'face.status'].map(what)).toEqual([null, null, null, null]);
  });
});

describe('chain key file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-chain-key-'));
  const key = randomBytes(32);
  const write = (name: string, content: string | Buffer) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('takes 32 raw bytes, 64 hex digits or base64, with a trailing newline', () => {
    expect(readChainKey(write('raw', key))).toEqual(key);
    expect(readChainKey(write('hex', key.toString('hex') + '\n'))).toEqual(key);
    expect(readChainKey(write('b64', key.toString('base64') + '\n'))).toEqual(key);
  });

  it('refuses anything else, and a missing file, with FLEET_CHAIN_KEY_INVALID', () => {
    for (const f of [write('short', randomBytes(16)), write('hex-short', 'abcd\n'), write('text', 'not a key at all\n'), path.join(dir, 'absent')])
      expect(() => readChainKey(f)).toThrow(expect.objectContaining({ code: 'FLEET_CHAIN_KEY_INVALID' }));
  });
});
