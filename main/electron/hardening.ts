/**
 * Wires the pure decisions of main/lockdown to Electron: app:// protocol with CSP and a
 * path-traversal guard, navigation/redirect/new-window/webview locks, the renderer's network
 * lock, the permission handlers (camera only), no WebHID/WebSerial/WebUSB, no screen capture,
 * kiosk keys, and crash/hang recovery. Everything here is glue; the decisions are tested in
 * main/lockdown/lockdown.test.ts and, with an Electron binary, in e2e/electron/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, protocol, type BrowserWindow, type Session, type WebContents } from 'electron';
import { APP_ORIGIN, blockKey, CONTENT_SECURITY_POLICY, grantDevice, grantPermission, KIOSK_SWITCHES, mayNavigate, mayRendererRequest, permissionCheck } from '../lockdown/policy';
import { resolveInside } from '../node-host/static';

export const APP_SCHEME = 'app';

/** Before `ready`: the privileged scheme (secure, so getUserMedia works) and the kiosk switches. */
export function beforeReady(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
  for (const [name, value] of KIOSK_SWITCHES) app.commandLine.appendSwitch(name, value);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/**
 * Serves the built renderer on app://kiosk/ with the CSP header. `fatalHtml()` returns the
 * service page when start-up failed, served at app://kiosk/__fatal.
 */
export function serveApp(ses: Session, rendererDir: string, fatalHtml: () => string | null): void {
  ses.protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('not found', { status: 404, headers });
    if (url.pathname === '/__fatal') return new Response(fatalHtml() ?? 'no error', { headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
    const file = resolveInside(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return new Response('not found', { status: 404, headers });
    return new Response(fs.readFileSync(file), { headers: { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' } });
  });
}

/** Session-wide locks: permissions, devices, screen capture, and the renderer's network. */
export function lockSession(ses: Session, opts: { devTools: boolean; log: (msg: string, f?: Record<string, unknown>) => void }): void {
  // Drop any grant a previous handler made before installing ours.
  ses.setPermissionRequestHandler(null);
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const granted = grantPermission({
      permission,
      requestingUrl: details.requestingUrl,
      isMainFrame: details.isMainFrame,
      mediaTypes: 'mediaTypes' in details ? details.mediaTypes : undefined,
    });
    if (!granted) opts.log('lockdown.permission_denied', { permission });
    callback(granted);
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permissionCheck(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => grantDevice());
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  ses.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    const allowed = mayRendererRequest(details.url, APP_ORIGIN, opts.devTools);
    if (!allowed) opts.log('lockdown.request_blocked', { scheme: details.url.split(':')[0], resourceType: details.resourceType });
    callback({ cancel: !allowed });
  });
  ses.on('will-download', (event) => event.preventDefault());
}

/** Every webContents ever created: no navigation away, no popups, no webviews. */
export function lockAllWebContents(log: (msg: string, f?: Record<string, unknown>) => void): void {
  app.on('web-contents-created', (_e, contents) => {
    const guard = (event: { url: string; preventDefault(): void }) => {
      if (!mayNavigate(event.url)) {
        event.preventDefault();
        log('lockdown.navigation_blocked', { scheme: event.url.split(':')[0] });
      }
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-frame-navigate', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => {
      log('lockdown.window_open_denied');
      return { action: 'deny' };
    });
  });
}

/** The kiosk window's own locks and recovery. */
export function lockWindow(win: BrowserWindow, opts: { kiosk: boolean; reload: () => void; log: (msg: string, f?: Record<string, unknown>) => void }): void {
  const wc: WebContents = win.webContents;
  wc.on('did-finish-load', () => void wc.setVisualZoomLevelLimits(1, 1));
  if (opts.kiosk) {
    wc.on('before-input-event', (event, input) => {
      if (blockKey(input)) event.preventDefault();
    });
  }
  wc.on('render-process-gone', (_e, details) => {
    opts.log('shell.renderer_gone', { reason: details.reason, exitCode: details.exitCode });
    if (details.reason !== 'clean-exit') setTimeout(opts.reload, 1000);
  });
  let hangTimer: NodeJS.Timeout | null = null;
  wc.on('unresponsive', () => {
    opts.log('shell.renderer_unresponsive');
    // Give it a moment to recover by itself, then crash it; render-process-gone reloads.
    hangTimer = setTimeout(() => wc.forcefullyCrashRenderer(), 5000);
  });
  wc.on('responsive', () => {
    if (hangTimer) clearTimeout(hangTimer);
    hangTimer = null;
  });
}
