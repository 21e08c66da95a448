/**
 * The Node host's front door against the real spawned host (`estation start`), tried as a
 * hostile page or a local attacker would: a malformed path, an oversized body, a foreign Host
 * (DNS rebinding, also from a real Chromium that resolves a hostile name to 127.0.0.1), and a
 * production configuration in which nothing can inject a card, a scan or a platform answer.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { rawRequest } from '../main/node-host/testing';
import { expect, test, type RunningHost } from './fixtures';

const portOf = (host: RunningHost) => Number(new URL(host.url).port);
const bearer = (host: RunningHost) => ({ authorization: `Bearer ${host.token}` });
const typed = (code: string) => ({ ok: false, error: { code, message: expect.any(String) } });

test.describe('the bridge front door', () => {
  test('a malformed path is refused: 401 without the token, a typed 400 with it, and the host keeps running', async ({ host }) => {
    const port = portOf(host);
    const without = await rawRequest(port, { path: '/bridge/call/%ZZ', body: '{}' });
    expect({ status: without.status, body: without.body }).toEqual({ status: 401, body: typed('BRIDGE_UNAUTHORIZED') });
    for (const path of ['/bridge/call/%ZZ', '/bridge/call/%E0%A4%A', '/bridge/call/a%2Fb']) {
      const withToken = await rawRequest(port, { path, headers: bearer(host), body: '{}' });
      expect({ status: withToken.status, body: withToken.body }).toEqual({ status: 400, body: typed('BRIDGE_BAD_PATH') });
    }
    expect(host.alive()).toBe(true);
    expect(await host.call('app.hello', {})).toMatchObject({ host: 'node' });
  });

  test('a body over 2 MB gets a typed 413, announced or streamed, and the next call is served', async ({ host }) => {
    const res = await fetch(`${host.url}/bridge/call/app.hello`, {
      method: 'POST',
      headers: { ...bearer(host), 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(typed('BRIDGE_PAYLOAD_TOO_LARGE'));
    const streamed = await rawRequest(portOf(host), { path: '/bridge/call/app.hello', headers: bearer(host), streamBytes: 16 * 1024 * 1024 });
    expect({ status: streamed.status, body: streamed.body }).toEqual({ status: 413, body: typed('BRIDGE_PAYLOAD_TOO_LARGE') });
    expect(host.alive()).toBe(true);
    expect(await host.call('status.get', {})).toHaveProperty('devices');
  });

  test('a foreign Host header is refused with a typed 421 for calls, events and pages', async ({ host }) => {
    const port = portOf(host);
    for (const h of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const call = await rawRequest(port, { path: '/bridge/call/app.hello', headers: { ...bearer(host), host: h }, body: '{}' });
      expect({ status: call.status, body: call.body }).toEqual({ status: 421, body: typed('BRIDGE_FORBIDDEN_HOST') });
      const events = await rawRequest(port, { method: 'GET', path: `/bridge/events?token=${host.token}`, headers: { host: h } });
      expect(events.status).toBe(421);
      const page = await rawRequest(port, { method: 'GET', path: '/', headers: { host: h } });
      expect(page.status).toBe(421);
    }
  });

  test('a page from a hostile name that resolves to 127.0.0.1 (DNS rebinding) gets no page and no bridge', async ({ host }) => {
    const port = portOf(host);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.example 127.0.0.1'],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(`http://rebind.example:${port}/`);
      expect(res?.status()).toBe(421);
      expect(await res?.json()).toEqual(typed('BRIDGE_FORBIDDEN_HOST'));
      // Even holding the token, the hostile origin's own requests carry its Host and are refused.
      const status = await page.evaluate(
        async ([token]) => (await fetch('/bridge/call/app.hello', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' })).status,
        [host.token],
      );
      expect(status).toBe(421);
    } finally {
      await browser.close();
    }
  });
});

test.describe('a production configuration', () => {
  // Hardware devices (none configured here) and a remote platform: no simulator runs at all.
  test.use({ hostConfig: { devices: { simulate: false }, platform: { kind: 'remote', url: 'http://127.0.0.1:9/fsi' }, face: { enabled: false } } });

  test('has no path that injects a card, a scan or a printer state', async ({ host }) => {
    expect(await host.call('app.hello', {})).toMatchObject({ simulate: false });
    const card = { name: '张三', idNumber: '110101199003074514', gender: '1', birthDate: '19900307' };
    for (const [channel, input] of [
      ['sim.device', { action: 'insert-id-card', card }],
      ['sim.device', { action: 'scan', code: '6901234567892' }],
      ['sim.device', { action: 'printer', condition: 'paper-out' }],
      ['sim.printed', {}],
    ] as const) {
      // No handler at all (not one that refuses): the dispatcher answers.
      await expect(host.call(channel, input)).rejects.toThrow(`BRIDGE_NOT_AVAILABLE: ${channel} is not available on this terminal`);
    }
  });
});
