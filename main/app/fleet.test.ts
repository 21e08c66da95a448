/**
 * The update lock's bookkeeping: a call that moves money, consents, files or prints holds the
 * lock while it runs (also when it fails), and says what holds it; other calls do not.
 */
import { describe, expect, it } from 'vitest';
import { UPDATE_LOCK, updateLockTracker } from './fleet';

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
