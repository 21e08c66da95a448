import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  blockKey,
  CONTENT_SECURITY_POLICY,
  grantDevice,
  grantPermission,
  isAppUrl,
  mayNavigate,
  mayRendererRequest,
  permissionCheck,
} from './policy';
import { inWindow, localMinutes, mayInstallUpdate, type InstallFacts } from './maintenance';
import { fatalPageHtml } from './fatal-page';
import { openSealedKey, type OsKeyring } from '../face/keys';
import { isTrustedSender } from '../bridge/sender-policy';

describe('navigation and network locks', () => {
  it('stays on the app origin', () => {
    expect(mayNavigate(`${APP_ORIGIN}/index.html#/kiosk`)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://kiosk.evil/index.html',
      'app://other/index.html',
      'javascript:alert(1)',
      'data:text/html,<h1>x</h1>',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
    ])
      expect(mayNavigate(url), url).toBe(false);
  });

  it('lets the renderer load only its own files, data: and blob:, never the network', () => {
    expect(mayRendererRequest('app://kiosk/assets/index.js')).toBe(true);
    expect(mayRendererRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(mayRendererRequest('blob:app://kiosk/123')).toBe(true);
    for (const url of ['http://127.0.0.1:1/', 'https://fsi.nhsa.gov.cn/', 'ws://127.0.0.1/x', 'wss://example.com', 'ftp://x/y', 'file:///tmp/x'])
      expect(mayRendererRequest(url), url).toBe(false);
    expect(mayRendererRequest('devtools://devtools/x')).toBe(false);
    expect(mayRendererRequest('devtools://devtools/x', APP_ORIGIN, true)).toBe(true);
  });

  it('a CSP that allows no remote origin, no inline script, no framing and no plugins', () => {
    const d = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((x) => x.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('is not fooled by look-alike origins', () => {
    expect(isAppUrl('app://kiosk:80/')).toBe(false);
    expect(isAppUrl('app://KIOSK/')).toBe(false); // Chromium lower-cases genuine ones; deny the rest
    expect(isAppUrl('app://user@kiosk/')).toBe(false);
    expect(isAppUrl('app://kiosk/index.html?x=1#y')).toBe(true);
  });
});

describe('permissions', () => {
  const cam = { permission: 'media', requestingUrl: `${APP_ORIGIN}/index.html`, isMainFrame: true, mediaTypes: ['video'] };
  it('grants the camera to the app main frame, video only', () => {
    expect(grantPermission(cam)).toBe(true);
    expect(grantPermission({ ...cam, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(grantPermission({ ...cam, mediaTypes: ['audio'] })).toBe(false);
    expect(grantPermission({ ...cam, mediaTypes: [] })).toBe(false);
    expect(grantPermission({ ...cam, isMainFrame: false })).toBe(false);
    expect(grantPermission({ ...cam, requestingUrl: 'https://example.com/' })).toBe(false);
    expect(grantPermission({ ...cam, requestingUrl: undefined })).toBe(false);
  });

  it('denies everything else, including the device APIs and screen capture', () => {
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'clipboard-sanitized-write',
      'hid',
      'serial',
      'usb',
      'midi',
      'midiSysex',
      'display-capture',
      'fullscreen',
      'openExternal',
      'pointerLock',
      'idle-detection',
      'speaker-selection',
      'unknown',
    ])
      expect(grantPermission({ ...cam, permission }), permission).toBe(false);
    expect(grantDevice()).toBe(false);
    expect(permissionCheck('media', APP_ORIGIN)).toBe(true);
    expect(permissionCheck('media', 'https://example.com')).toBe(false);
    expect(permissionCheck('hid', APP_ORIGIN)).toBe(false);
    expect(permissionCheck('serial', APP_ORIGIN)).toBe(false);
  });
});

describe('IPC sender checks', () => {
  const ok = { fromAppWindow: true, isMainFrame: true, frameUrl: `${APP_ORIGIN}/index.html` };
  it('accepts only the app window, its main frame, on the app origin', () => {
    expect(isTrustedSender(ok)).toBe(true);
    expect(isTrustedSender({ ...ok, fromAppWindow: false })).toBe(false);
    expect(isTrustedSender({ ...ok, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'https://example.com/' })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: null })).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: 'about:blank' })).toBe(false);
  });
});

describe('kiosk keys', () => {
  const k = (key: string, mods: Partial<Record<'control' | 'alt' | 'meta' | 'shift', boolean>> = {}) => blockKey({ type: 'keyDown', key, ...mods });
  it('swallows reload, devtools, fullscreen, close, print, zoom and escape', () => {
    expect(k('F5')).toBe(true);
    expect(k('F11')).toBe(true);
    expect(k('F12')).toBe(true);
    expect(k('Escape')).toBe(true);
    expect(k('r', { control: true })).toBe(true);
    expect(k('w', { control: true })).toBe(true);
    expect(k('I', { control: true, shift: true })).toBe(true);
    expect(k('F4', { alt: true })).toBe(true);
    expect(k('ArrowLeft', { alt: true })).toBe(true);
    expect(k('+', { control: true })).toBe(true);
    expect(k('p', { control: true })).toBe(true);
    expect(k('Meta', { meta: true })).toBe(true);
    expect(k('BrowserBack')).toBe(true);
  });
  it('lets residents type: digits, letters, capitals, Enter, Backspace, arrows', () => {
    for (const key of ['1', 'a', 'X', 'Enter', 'Backspace', 'Tab', 'ArrowUp', ' ', 'Process']) expect(k(key), key).toBe(false);
    expect(k('A', { shift: true })).toBe(false);
  });
});

describe('maintenance window for updates', () => {
  const win = { start: '02:00', end: '04:00', timeZone: 'Asia/Shanghai' };
  const at = (iso: string) => new Date(iso);
  const facts = (o: Partial<InstallFacts> = {}): InstallFacts => ({
    now: at('2026-11-24T18:30:00Z'),
    window: win,
    queueNotFinal: 0,
    needsAttention: 0,
    sessionActive: false,
    updateReady: true,
    ...o,
  });

  it("uses the terminal's local time, across midnight too", () => {
    expect(localMinutes(at('2026-11-24T18:30:00Z'), 'Asia/Shanghai')).toBe(2 * 60 + 30);
    expect(inWindow(at('2026-11-24T18:30:00Z'), win)).toBe(true);
    expect(inWindow(at('2026-11-24T20:00:00Z'), win)).toBe(false); // 04:00 is the end, exclusive
    expect(inWindow(at('2026-11-24T02:30:00Z'), win)).toBe(false); // 10:30 in Beijing
    const night = { start: '23:30', end: '01:00', timeZone: 'Asia/Shanghai' };
    expect(inWindow(at('2026-11-24T15:45:00Z'), night)).toBe(true); // 23:45
    expect(inWindow(at('2026-11-24T16:30:00Z'), night)).toBe(true); // 00:30
    expect(inWindow(at('2026-11-24T17:30:00Z'), night)).toBe(false); // 01:30
  });

  it('installs only with an update ready, in the window, with an empty queue and nobody at the terminal', () => {
    expect(mayInstallUpdate(facts())).toEqual({ install: true });
    expect(mayInstallUpdate(facts({ updateReady: false }))).toMatchObject({ reason: 'NO_UPDATE' });
    expect(mayInstallUpdate(facts({ now: at('2026-11-24T06:00:00Z') }))).toMatchObject({ reason: 'OUTSIDE_WINDOW' });
    expect(mayInstallUpdate(facts({ queueNotFinal: 1 }))).toMatchObject({ reason: 'QUEUE_NOT_EMPTY' });
    expect(mayInstallUpdate(facts({ needsAttention: 2 }))).toMatchObject({ reason: 'NEEDS_ATTENTION' });
    expect(mayInstallUpdate(facts({ sessionActive: true }))).toMatchObject({ reason: 'SESSION_ACTIVE' });
  });
});

describe('fatal start-up page', () => {
  it('explains in Chinese and English, names the code, escapes everything and masks ID numbers', () => {
    const html = fatalPageHtml(
      {
        code: 'CONFIG_INVALID',
        detail: 'terminal.institutionCode: <script>alert(1)</script> for 320102199001011234',
        at: new Date('2026-11-24T01:02:03Z'),
        terminalId: 'ZZJ001',
        logDir: '/var/lib/estation/logs',
        version: '0.1.0',
      },
      CONTENT_SECURITY_POLICY,
    );
    expect(html).toContain('暂停服务');
    expect(html).toContain('终端配置有误');
    expect(html).toContain('data-fatal-code="CONFIG_INVALID"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('320102199001011234');
    expect(html).toContain('320***********1234');
    expect(html).toContain('script-src &#39;self&#39;');
  });
});

describe('face key sealed by the OS keyring', () => {
  const keyring = (backend = 'gnome_libsecret'): OsKeyring & { sealed: number } => {
    const k = {
      sealed: 0,
      available: () => true,
      backend: () => backend,
      encrypt: (s: string) => (k.sealed++, Buffer.from(`sealed:${Buffer.from(s).toString('hex')}`)),
      decrypt: (b: Buffer) => {
        const t = b.toString();
        if (!t.startsWith('sealed:')) throw new Error('not sealed by this keyring');
        return Buffer.from(t.slice(7), 'hex').toString();
      },
    };
    return k;
  };
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'estation-keys-'));

  it('creates a sealed key, and opens the same key next time', () => {
    const d = dir();
    const a = openSealedKey(d, keyring());
    expect(a.key?.length).toBe(32);
    expect(a).toMatchObject({ source: 'sealed-new' });
    const onDisk = fs.readFileSync(path.join(d, 'face.key.sealed'));
    expect(onDisk.includes(a.key!.toString('base64'))).toBe(false);
    const b = openSealedKey(d, keyring());
    expect(b).toMatchObject({ source: 'sealed' });
    expect(b.key!.equals(a.key!)).toBe(true);
  });

  it('seals an existing 0600 key file and removes the plain copy, keeping the same key', () => {
    const d = dir();
    const plain = Buffer.alloc(32, 7);
    fs.writeFileSync(path.join(d, 'face.key'), plain.toString('base64') + '\n', { mode: 0o600 });
    const r = openSealedKey(d, keyring());
    expect(r).toMatchObject({ source: 'sealed-migrated' });
    expect(r.key!.equals(plain)).toBe(true);
    expect(fs.existsSync(path.join(d, 'face.key'))).toBe(false);
  });

  it('refuses basic_text (not protection) and an unavailable keyring, so the caller keeps the 0600 file', () => {
    expect(openSealedKey(dir(), keyring('basic_text'))).toEqual({ key: null, reason: 'KEYRING_UNAVAILABLE' });
    expect(openSealedKey(dir(), { ...keyring(), available: () => false })).toEqual({ key: null, reason: 'KEYRING_UNAVAILABLE' });
  });

  it('says so by code when the keyring can no longer open the sealed key', () => {
    const d = dir();
    openSealedKey(d, keyring());
    expect(() =>
      openSealedKey(d, {
        ...keyring(),
        decrypt: () => {
          throw new Error('keyring reset');
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'FACE_KEY_INVALID' }));
  });
});
