/**
 * Wires the pure decisions of main/lockdown to Electron: app:// protocol with CSP and a
 * path-traversal guard, navigation/redirect/new-window/webview locks, the renderer's network
 * lock, the permission handlers (camera only), no WebHID/WebSerial/WebUSB, no screen capture,
 * kiosk keys, and crash/hang recovery. Everything here is glue; the decisions are tested in
 * main/lockdown/lockdown.test.ts and, with an Electron binary, in e2e/electron/.
 */
import { app, protocol, type Session } from 'electron';
import { KIOSK_SWITCHES } from '../lockdown/policy';
import { appResponse } from './app-protocol';
import { lockWebContents } from './locks';
export { lockSession, lockWindow } from './locks';

export const APP_SCHEME = 'app';

/** Before `ready`: the privileged scheme (secure, so getUserMedia works) and the kiosk switches. */
export function beforeReady(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
  for (const [name, value] of KIOSK_SWITCHES) app.commandLine.appendSwitch(name, value);
}

/** Serves the built renderer on app://kiosk/ (see app-protocol.ts); the service page at /__fatal. */
export function serveApp(ses: Session, rendererDir: string, fatalHtml: () => string | null): void {
  ses.protocol.handle(APP_SCHEME, (request) => appResponse(request.url, rendererDir, fatalHtml));
}

/** Every webContents ever created: no navigation away, no popups, no webviews. */
export function lockAllWebContents(log: (msg: string, f?: Record<string, unknown>) => void): void {
  app.on('web-contents-created', (_e, contents) => lockWebContents(contents, log));
}
