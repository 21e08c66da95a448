import { describe, expect, it } from 'vitest';
import { UpdateInstaller, type TerminalFacts } from './update-installer';

function rig(opts: { now?: string; facts?: (TerminalFacts | null)[] } = {}) {
  const calls: string[] = [];
  let downloaded: (v: string) => void = () => {};
  const facts = [...(opts.facts ?? [])];
  const idle: TerminalFacts = { queueNotFinal: 0, needsAttention: 0, sessionActive: false };
  const installer = new UpdateInstaller({
    updater: {
      check: async () => void calls.push('check'),
      onDownloaded: (l) => void (downloaded = l),
      quitAndInstall: () => void calls.push('quitAndInstall'),
    },
    window: { start: '02:00', end: '04:00', timeZone: 'Asia/Shanghai' },
    facts: async () => (facts.length ? facts.shift()! : idle),
    showOutOfService: async () => void calls.push('outOfService'),
    backInService: () => void calls.push('backInService'),
    stopServices: async () => void calls.push('stopServices'),
    now: () => new Date(opts.now ?? '2026-11-24T18:30:00Z'), // 02:30 in Beijing
  });
  return { installer, calls, download: (v: string) => downloaded(v) };
}

describe('installing an update on a terminal', () => {
  it('does nothing until an update has been downloaded', async () => {
    const r = rig();
    expect(await r.installer.tryInstall()).toBe('nothing');
    expect(r.calls).toEqual([]);
  });

  it('in the window, with an empty queue and nobody there: out-of-service page, services stopped, then the installer', async () => {
    const r = rig();
    r.download('0.2.0');
    expect(await r.installer.tryInstall()).toBe('installed');
    expect(r.calls).toEqual(['outOfService', 'stopServices', 'quitAndInstall']);
  });

  it('waits outside the window, with settlements still queued, with a refused sale to collect, or with a resident at the screen', async () => {
    expect(
      await (async () => {
        const r = rig({ now: '2026-11-24T06:00:00Z' });
        r.download('0.2.0');
        return r.installer.tryInstall();
      })(),
    ).toBe('OUTSIDE_WINDOW');
    for (const [f, reason] of [
      [{ queueNotFinal: 2, needsAttention: 0, sessionActive: false }, 'QUEUE_NOT_EMPTY'],
      [{ queueNotFinal: 0, needsAttention: 1, sessionActive: false }, 'NEEDS_ATTENTION'],
      [{ queueNotFinal: 0, needsAttention: 0, sessionActive: true }, 'SESSION_ACTIVE'],
      [null, 'NO_FACTS'],
    ] as const) {
      const r = rig({ facts: [f] });
      r.download('0.2.0');
      expect(await r.installer.tryInstall()).toBe(reason);
      expect(r.calls).toEqual([]);
    }
  });

  it('calls it off and puts the terminal back in service when someone walks up while the page goes up', async () => {
    const idle = { queueNotFinal: 0, needsAttention: 0, sessionActive: false };
    const r = rig({ facts: [idle, { ...idle, sessionActive: true }] });
    r.download('0.2.0');
    expect(await r.installer.tryInstall()).toBe('SESSION_ACTIVE_WHILE_PREPARING');
    expect(r.calls).toEqual(['outOfService', 'backInService']);
    expect(r.calls).not.toContain('quitAndInstall');
    // The next attempt, with nobody there, installs.
    expect(await r.installer.tryInstall()).toBe('installed');
  });

  it('a failed check is logged, not thrown', async () => {
    const logs: string[] = [];
    const i = new UpdateInstaller({
      updater: { check: async () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:80')), onDownloaded: () => {}, quitAndInstall: () => {} },
      window: { start: '02:00', end: '04:00', timeZone: 'Asia/Shanghai' },
      facts: async () => null,
      showOutOfService: async () => {},
      backInService: () => {},
      stopServices: async () => {},
      log: (m) => void logs.push(m),
    });
    await expect(i.check()).resolves.toBeUndefined();
    expect(logs).toEqual(['update.check_failed']);
  });
});
