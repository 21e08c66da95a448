/**
 * The session's and the window's locks, wired to the decisions of main/lockdown. Only types come
 * from electron here (erased at build), so main/electron/locks.test.ts drives this exact code with
 * recording fakes of Session and WebContents under plain Node.
 */
import type { BrowserWindow, Session, WebContents } from 'electron';
import { APP_ORIGIN, blockKey, grantDevice, grantPermission, mayNavigate, mayRendererRequest, permissionCheck } from '../lockdown/policy';

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

/** One webContents: no navigation away from the app origin, no popups, no webviews. */
export function lockWebContents(contents: WebContents, log: (msg: string, f?: Record<string, unknown>) => void): void {
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
}
