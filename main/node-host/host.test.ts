import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../app/config';
import { startNodeHost, type NodeHost } from './host';

let host: NodeHost;
let base: string;

beforeAll(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-host-'));
  const rendererDir = path.join(tmp, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startNodeHost(parseConfig({ dataDir: path.join(tmp, 'data'), platform: { healthIntervalMs: 60_000 } }), {
    headless: true,
    port: 0,
    rendererDir,
  });
  base = host.url;
});
afterAll(async () => {
  await host?.close();
});

const call = (channel: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/bridge/call/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const auth = () => ({ authorization: `Bearer ${host.token}` });

describe('the HTTP bridge of the Node host', () => {
  it('answers a good request', async () => {
    const res = await call('app.hello', '{}', auth());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { mode: 'kiosk', host: 'node' } });
  });

  it('gives typed errors for a missing token, a wrong token, an unknown channel, a bad payload and non-JSON', async () => {
    const cases: [Response, number, string][] = [
      [await call('app.hello', '{}'), 401, 'BRIDGE_UNAUTHORIZED'],
      [await call('app.hello', '{}', { authorization: `Bearer ${'0'.repeat(48)}` }), 401, 'BRIDGE_UNAUTHORIZED'],
      [await call('app.hello', '{}', { authorization: host.token }), 401, 'BRIDGE_UNAUTHORIZED'],
      [await call('no.such.channel', '{}', auth()), 404, 'BRIDGE_UNKNOWN_CHANNEL'],
      [await call('sim.device', '{"deviceId":"printer","action":"melt"}', auth()), 400, 'BRIDGE_BAD_PAYLOAD'],
      [await call('sim.device', '{"deviceId":', auth()), 400, 'BRIDGE_MALFORMED_MESSAGE'],
      [await call('app.hello', '{}', { ...auth(), origin: 'http://evil.example' }), 403, 'BRIDGE_FORBIDDEN_ORIGIN'],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ ok: false, error: { code } });
    }
    // Over the 2 MB default: an answer, not a reset.
    const tooBig = await call('app.hello', JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }), auth());
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ ok: false, error: { code: 'BRIDGE_PAYLOAD_TOO_LARGE' } });
    // Nothing else broke: the next good request still works.
    expect((await call('status.get', '{}', auth())).status).toBe(200);
  });

  it('the status bar has the camera: its face engine opens in its own process and reports ready', async () => {
    await expect
      .poll(
        async () => {
          const s = (await (await call('status.get', '{}', auth())).json()) as { value: { devices: { id: string; state: string }[] } };
          return s.value.devices.find((d) => d.id === 'camera')?.state;
        },
        { timeout: 30_000 },
      )
      .toBe('ready');
  });

  it('a kiosk screen cannot start a face payment, whatever it sends: the purpose is decided in main', async () => {
    const res = await call('face.start', JSON.stringify({ purpose: 'pay', factor: '1234' }), auth());
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'FACE_PURPOSE_NOT_ALLOWED' } });
  });

  it('registers only the configured mode: a kiosk has no checkout.* handlers, and service.* answers only after the unlock', async () => {
    for (const channel of ['checkout.quote', 'checkout.shift', 'checkout.sales']) {
      const input =
        channel === 'checkout.quote' ? { items: [{ listCode: 'X', quantity: 1 }], useAccount: true } : channel === 'checkout.shift' ? { action: 'status' } : {};
      const res = await call(channel, JSON.stringify(input), auth());
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'BRIDGE_NOT_AVAILABLE' } });
    }
    expect(await (await call('kiosk.person', '{}', auth())).json()).toMatchObject({ ok: false, error: { code: 'SESSION_NONE' } });
    for (const channel of ['service.overview', 'service.platform', 'service.logs']) {
      const input = channel === 'service.logs' ? { limit: 5 } : {};
      expect(await (await call(channel, JSON.stringify(input), auth())).json()).toMatchObject({ ok: false, error: { code: 'SERVICE_LOCKED' } });
    }
  });

  it('refuses the event stream without the token and streams events with it', async () => {
    expect((await fetch(`${base}/bridge/events`)).status).toBe(401);
    const ctrl = new AbortController();
    const res = await fetch(`${base}/bridge/events?token=${host.token}`, { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await call('sim.device', '{"deviceId":"printer","action":"unplug"}', auth());
    while (!text.includes('"state":"absent"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    ctrl.abort();
    expect(text).toContain('"event":"status.device"');
    expect(text).toMatch(/"id":"printer"[^}]*"state":"absent"/);
    await call('sim.device', '{"deviceId":"printer","action":"replug"}', auth());
  });

  it('serves the renderer with a CSP header and only on loopback', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(new URL(base).hostname).toBe('127.0.0.1');
  });
});
