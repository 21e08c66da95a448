import { describe, expect, it } from 'vitest';
import { frontDoor } from './ipc';

describe('the IPC front door', () => {
  const ok = { fromAppWindow: true, isMainFrame: true, frameUrl: 'app://kiosk/index.html' };
  const run = async (sender: typeof ok | { fromAppWindow: boolean; isMainFrame: boolean; frameUrl: string | null }, channel: unknown) => {
    const forwarded: unknown[] = [];
    const logs: string[] = [];
    const r = await frontDoor(
      sender,
      channel,
      { x: 1 },
      async (c, p) => (forwarded.push([c, p]), { ok: true, value: 'done' }),
      (m) => void logs.push(m),
    );
    return { r, forwarded, logs };
  };

  it("forwards a call from the app window's main frame", async () => {
    expect(await run(ok, 'app.hello')).toMatchObject({ r: { ok: true, value: 'done' }, forwarded: [['app.hello', { x: 1 }]] });
  });

  it('refuses other windows, subframes, foreign origins and non-string channels, without forwarding', async () => {
    for (const sender of [
      { ...ok, fromAppWindow: false },
      { ...ok, isMainFrame: false },
      { ...ok, frameUrl: 'https://example.com/?token=x' },
      { ...ok, frameUrl: null },
    ]) {
      const x = await run(sender, 'app.hello');
      expect(x.r).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNAUTHORIZED' } });
      expect(x.forwarded).toEqual([]);
      expect(x.logs).toEqual(['bridge.untrusted_sender']);
    }
    expect((await run(ok, 42)).r).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
  });
});
