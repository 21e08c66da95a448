/**
 * The Electron glue of main/electron/locks.ts, driven with recording fakes of Session,
 * WebContents and BrowserWindow (it imports only electron's types): the handlers it installs
 * answer as main/lockdown decides, with the callback shapes Electron expects.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, Session, WebContents } from 'electron';
import { lockSession, lockWebContents, lockWindow } from './locks';

type Fn = (...a: never[]) => unknown;

function fakeEmitter() {
  const on = new Map<string, Fn>();
  return { on, api: { on: (name: string, f: Fn) => (on.set(name, f), undefined) } };
}

function fakeSession() {
  const e = fakeEmitter();
  const set: Record<string, Fn | null> = {};
  const ses = {
    ...e.api,
    setPermissionRequestHandler: (f: Fn | null) => void (set.request = f),
    setPermissionCheckHandler: (f: Fn) => void (set.check = f),
    setDevicePermissionHandler: (f: Fn) => void (set.device = f),
    setDisplayMediaRequestHandler: (f: Fn) => void (set.display = f),
    webRequest: { onBeforeRequest: (_filter: unknown, f: Fn) => void (set.beforeRequest = f) },
  };
  return { ses: ses as unknown as Session, set, on: e.on };
}

const event = () => ({ preventDefault: vi.fn() });

describe('session locks', () => {
  const logs: string[] = [];
  const s = fakeSession();
  lockSession(s.ses, { devTools: false, log: (m) => void logs.push(m) });
  const ask = (permission: string, details: Record<string, unknown>) => {
    let granted: boolean | undefined;
    (s.set.request as (wc: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void)(null, permission, (g) => (granted = g), details);
    return granted;
  };

  it('grants the camera to the app main frame and nothing else, answering every request', () => {
    expect(ask('media', { requestingUrl: 'app://kiosk/index.html', isMainFrame: true, mediaTypes: ['video'] })).toBe(true);
    expect(ask('media', { requestingUrl: 'app://kiosk/index.html', isMainFrame: true, mediaTypes: ['audio'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'https://example.com/', isMainFrame: true, mediaTypes: ['video'] })).toBe(false);
    expect(ask('geolocation', { requestingUrl: 'app://kiosk/index.html', isMainFrame: true })).toBe(false);
    expect(logs.filter((l) => l === 'lockdown.permission_denied')).toHaveLength(3);
    const check = s.set.check as (wc: unknown, p: string, origin: string) => boolean;
    expect(check(null, 'media', 'app://kiosk')).toBe(true);
    expect(check(null, 'hid', 'app://kiosk')).toBe(false);
  });

  it('cancels every device chooser and denies device permissions and screen capture', () => {
    expect((s.set.device as () => boolean)()).toBe(false);
    const hid = event();
    const hidCb = vi.fn();
    (s.on.get('select-hid-device') as (e: unknown, d: unknown, cb: Fn) => void)(hid, { deviceList: [{ deviceId: 'x' }] }, hidCb);
    expect(hid.preventDefault).toHaveBeenCalled();
    expect(hidCb).toHaveBeenCalledWith();
    const serial = event();
    const serialCb = vi.fn();
    (s.on.get('select-serial-port') as (e: unknown, p: unknown, wc: unknown, cb: Fn) => void)(serial, [{ portId: '1' }], null, serialCb);
    expect(serial.preventDefault).toHaveBeenCalled();
    expect(serialCb).toHaveBeenCalledWith('');
    const usb = event();
    const usbCb = vi.fn();
    (s.on.get('select-usb-device') as (e: unknown, d: unknown, cb: Fn) => void)(usb, {}, usbCb);
    expect(usbCb).toHaveBeenCalledWith();
    const display = vi.fn();
    (s.set.display as (r: unknown, cb: Fn) => void)({}, display);
    expect(display).toHaveBeenCalledWith({});
    const dl = event();
    (s.on.get('will-download') as (e: unknown) => void)(dl);
    expect(dl.preventDefault).toHaveBeenCalled();
  });

  it("cancels the renderer's network requests and lets its own files through", () => {
    const decide = (url: string) => {
      let r: { cancel: boolean } | undefined;
      (s.set.beforeRequest as (d: unknown, cb: (r: { cancel: boolean }) => void) => void)({ url, resourceType: 'xhr' }, (x) => (r = x));
      return r;
    };
    expect(decide('app://kiosk/assets/index.js')).toEqual({ cancel: false });
    expect(decide('http://127.0.0.1:8080/')).toEqual({ cancel: true });
    expect(decide('wss://example.com/')).toEqual({ cancel: true });
  });
});

describe('webContents locks', () => {
  it('prevents navigation and redirects away from the app, refuses webviews and every popup', () => {
    const e = fakeEmitter();
    let openHandler: Fn = () => null;
    const wc = { ...e.api, setWindowOpenHandler: (f: Fn) => void (openHandler = f) } as unknown as WebContents;
    lockWebContents(wc, () => {});
    for (const name of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const away = { url: 'https://example.com/', ...event() };
      (e.on.get(name) as (ev: unknown) => void)(away);
      expect(away.preventDefault, name).toHaveBeenCalled();
      const home = { url: 'app://kiosk/index.html', ...event() };
      (e.on.get(name) as (ev: unknown) => void)(home);
      expect(home.preventDefault, name).not.toHaveBeenCalled();
    }
    const wv = event();
    (e.on.get('will-attach-webview') as (ev: unknown) => void)(wv);
    expect(wv.preventDefault).toHaveBeenCalled();
    expect((openHandler as (d: unknown) => unknown)({ url: 'app://kiosk/index.html' })).toEqual({ action: 'deny' });
  });
});

describe('window locks and recovery', () => {
  afterEach(() => void vi.useRealTimers());

  function fakeWindow() {
    const e = fakeEmitter();
    const wc = { ...e.api, setVisualZoomLevelLimits: vi.fn(async () => {}), forcefullyCrashRenderer: vi.fn() };
    return { win: { webContents: wc } as unknown as BrowserWindow, wc, on: e.on };
  }

  it('swallows kiosk escape keys and keeps typing; fixes zoom at 1 on every load', () => {
    const w = fakeWindow();
    lockWindow(w.win, { kiosk: true, reload: () => {}, log: () => {} });
    const key = (input: Record<string, unknown>) => {
      const ev = event();
      (w.on.get('before-input-event') as (e: unknown, i: unknown) => void)(ev, { type: 'keyDown', ...input });
      return ev.preventDefault.mock.calls.length > 0;
    };
    expect(key({ key: 'F5' })).toBe(true);
    expect(key({ key: 'w', control: true })).toBe(true);
    expect(key({ key: '7' })).toBe(false);
    (w.on.get('did-finish-load') as () => void)();
    expect(w.wc.setVisualZoomLevelLimits).toHaveBeenCalledWith(1, 1);
  });

  it('reloads after a renderer crash (not after a clean exit) and crashes a renderer hung for 5 s', () => {
    vi.useFakeTimers();
    const w = fakeWindow();
    const reload = vi.fn();
    lockWindow(w.win, { kiosk: false, reload, log: () => {} });
    expect(w.on.has('before-input-event')).toBe(false);
    const gone = w.on.get('render-process-gone') as (e: unknown, d: unknown) => void;
    gone({}, { reason: 'clean-exit', exitCode: 0 });
    vi.advanceTimersByTime(2000);
    expect(reload).not.toHaveBeenCalled();
    gone({}, { reason: 'crashed', exitCode: 139 });
    vi.advanceTimersByTime(1000);
    expect(reload).toHaveBeenCalledTimes(1);

    (w.on.get('unresponsive') as () => void)();
    vi.advanceTimersByTime(4000);
    (w.on.get('responsive') as () => void)();
    vi.advanceTimersByTime(5000);
    expect(w.wc.forcefullyCrashRenderer).not.toHaveBeenCalled();
    (w.on.get('unresponsive') as () => void)();
    vi.advanceTimersByTime(5000);
    expect(w.wc.forcefullyCrashRenderer).toHaveBeenCalledTimes(1);
  });
});
