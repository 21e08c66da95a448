/**
 * Wires the pure decisions of main/lockdown to Electron: app:// protocol with CSP and a
 * path-traversal guard, navigation/redirect/new-window/webview locks, the renderer's network
 * lock, the permission handlers (camera only), no WebHID/WebSerial/WebUSB, no screen capture,
 * kiosk keys, and crash/hang recovery. Everything here is glue; the decisions are tested in
 * main/lockdown/lockdown.test.ts and, with an Electron binary, in e2e/electron/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, protocol, type Session } from 'electron';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, KIOSK_SWITCHES } from '../lockdown/policy';
import { lockWebContents } from './locks';
export { lockSession, lockWindow } from './locks';
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

/** Every webContents ever created: no navigation away, no popups, no webviews. */
export function lockAllWebContents(log: (msg: string, f?: Record<string, unknown>) => void): void {
  app.on('web-contents-created', (_e, contents) => lockWebContents(contents, log));
}

