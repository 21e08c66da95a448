/**
 * The kiosk shell's security properties, proven against the real Electron binary: the same
 * navigation, popup, permission, device and network-lock scenarios whose decisions are unit-tested
 * in main/lockdown. Where no binary exists these are reported skipped, by name, with the reason.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { electronBinary, launchTerminal, type Launched } from './launch';
import { CLIPS } from '../global-setup';
import { facesAvailable } from '../../fixtures/faces';

const binary = electronBinary();
test.skip(!binary.path, binary.reason ?? '');
test.describe.configure({ mode: 'serial' });

let t: Launched;
let server: http.Server;
let hits = 0;
let url = '';

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/redirect') return void res.writeHead(302, { location: 'https://example.invalid/' }).end();
    res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' }).end('<h1>outside</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await launchTerminal({ env: facesAvailable ? { ESTATION_FAKE_CAMERA: CLIPS.enrol } : {} });
  await expect(t.page.locator('.shell')).toBeVisible({ timeout: 60_000 });
});
test.afterAll(async () => {
  await t?.close();
  server?.close();
});

test('the page runs on app://kiosk with the CSP, no Node, and exactly the bridge', async () => {
  expect(t.page.url()).toBe('app://kiosk/index.html');
  const g = await t.page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    bridge: Object.keys((window as unknown as { estation: object }).estation).sort(),
  }));
  expect(g).toEqual({ require: 'undefined', process: 'undefined', bridge: ['call', 'on'] });
  const hello = await t.page.evaluate(() =>
    (window as unknown as { estation: { call(c: string, i: unknown): Promise<{ host: string }> } }).estation.call('app.hello', {}),
  );
  expect(hello.host).toBe('electron');
  const refused = await t.page.evaluate(() =>
    (window as unknown as { estation: { call(c: string, i: unknown): Promise<unknown> } }).estation.call('fs.read', {}).catch((e: Error) => e.message),
  );
  expect(refused).toMatch(/^BRIDGE_UNKNOWN_CHANNEL/);
  const inline = await t.page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.body.appendChild(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan ?? false;
  });
  expect(inline).toBe(false);
});

test('navigation away, a redirect and a link are blocked; the page stays', async () => {
  await t.page.evaluate((u) => void (location.href = u), url);
  await t.page.evaluate((u) => void (location.href = `${u}/redirect`), url);
  await t.page.evaluate(() => void (location.href = 'file:///etc/passwd'));
  await t.page.evaluate((u) => {
    const a = document.createElement('a');
    a.href = u;
    document.body.appendChild(a);
    a.click();
  }, url);
  await t.page.waitForTimeout(1000);
  expect(t.page.url()).toBe('app://kiosk/index.html');
  await expect(t.page.locator('.shell')).toBeVisible();
  expect(hits).toBe(0);
});

test('window.open and target=_blank open nothing', async () => {
  const opened = await t.page.evaluate((u) => window.open(u) === null, url);
  expect(opened).toBe(true);
  await t.page.evaluate((u) => {
    const a = document.createElement('a');
    a.href = u;
    a.target = '_blank';
    document.body.appendChild(a);
    a.click();
  }, url);
  await t.page.waitForTimeout(500);
  expect(t.app.windows()).toHaveLength(1);
});

test('the renderer cannot reach the network, not even loopback', async () => {
  const before = hits;
  const r = await t.page.evaluate(async (u) => {
    const out: string[] = [];
    await fetch(u).then(
      () => out.push('fetch ok'),
      () => out.push('fetch blocked'),
    );
    await new Promise<void>((res) => {
      const ws = new WebSocket(u.replace('http', 'ws'));
      ws.onopen = () => (out.push('ws open'), res());
      ws.onerror = () => (out.push('ws blocked'), res());
    });
    const img = new Image();
    await new Promise<void>(
      (res) => ((img.onload = () => (out.push('img ok'), res())), (img.onerror = () => (out.push('img blocked'), res())), (img.src = `${u}/x.png`)),
    );
    return out;
  }, url);
  expect(r).toEqual(['fetch blocked', 'ws blocked', 'img blocked']);
  expect(hits).toBe(before);
});

test('the camera is granted (video only); microphone, location, notifications, HID, serial, USB and screen capture are not', async () => {
  const r = await t.page.evaluate(async () => {
    const nav = navigator as Navigator & {
      hid?: { requestDevice(o: unknown): Promise<unknown[]> };
      serial?: { requestPort(): Promise<unknown> };
      usb?: { requestDevice(o: unknown): Promise<unknown> };
    };
    const settle = (p: Promise<unknown> | undefined) =>
      p
        ? p.then(
            (v) => (Array.isArray(v) && v.length === 0 ? 'denied' : 'granted'),
            () => 'denied',
          )
        : Promise.resolve('absent');
    return {
      // The permission itself, whether or not this machine has a camera to open.
      camera: (await navigator.permissions.query({ name: 'camera' as PermissionName })).state,
      audio: await settle(navigator.mediaDevices.getUserMedia({ audio: true })),
      geolocation: await new Promise((res) =>
        navigator.geolocation.getCurrentPosition(
          () => res('granted'),
          () => res('denied'),
          { timeout: 3000 },
        ),
      ),
      notifications: await Notification.requestPermission(),
      hid: await settle(nav.hid?.requestDevice({ filters: [] })),
      serial: await settle(nav.serial?.requestPort()),
      usb: await settle(nav.usb?.requestDevice({ filters: [] })),
      screen: await settle(navigator.mediaDevices.getDisplayMedia?.({ video: true })),
    };
  });
  expect(r.camera).toBe('granted');
  expect(r.audio).toBe('denied');
  expect(r.geolocation).toBe('denied');
  expect(r.notifications).toBe('denied');
  for (const k of ['hid', 'serial', 'usb', 'screen'] as const) expect(['denied', 'absent']).toContain(r[k]);
});

test('kiosk keys: reload, devtools and zoom keys do nothing', async () => {
  await t.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
  for (const k of ['F5', 'Control+R', 'Control+Shift+I', 'F12', 'Control+=', 'Alt+ArrowLeft']) await t.page.keyboard.press(k);
  await t.page.waitForTimeout(500);
  expect(await t.page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
  expect(await t.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.isDevToolsOpened())).toBe(false);
  expect(await t.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getZoomFactor())).toBe(1);
});

test('a crashed renderer comes back by itself', async () => {
  await t.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.forcefullyCrashRenderer());
  await expect(t.page.locator('.shell')).toBeVisible({ timeout: 30_000 });
});

test('a killed services process is restarted and the terminal answers again', async () => {
  const pid = await t.app.evaluate(({ app }) => app.getAppMetrics().find((m) => m.type === 'Utility' && m.serviceName === 'E-Station services')?.pid ?? null);
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGKILL');
  await expect
    .poll(
      async () =>
        t.page.evaluate(() =>
          (window as unknown as { estation: { call(c: string, i: unknown): Promise<{ host: string }> } }).estation.call('app.hello', {}).then(
            (h) => h.host,
            (e: Error) => e.message.split(':')[0],
          ),
        ),
      { timeout: 30_000 },
    )
    .toBe('electron');
});
