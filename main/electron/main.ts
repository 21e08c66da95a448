/**
 * The Electron shell: one window, the app:// origin, the preload, and sender-checked IPC in front
 * of the shared dispatcher. Complete hardening (permissions, navigation and network locks,
 * utility process, crash recovery) is issue #9.
 */
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol } from 'electron';
import { createApp } from '../app/compose';
import { defaultConfig, loadConfigFile } from '../app/config';
import { isTrustedSender, APP_ORIGIN } from '../bridge/sender-policy';
import { CONTENT_SECURITY_POLICY, resolveInside } from '../node-host/static';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

app.whenReady().then(async () => {
  const config = process.env.ESTATION_CONFIG ? loadConfigFile(process.env.ESTATION_CONFIG) : defaultConfig();
  const services = await createApp(config, { host: 'electron' });

  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const file = resolveInside(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!file || !fs.existsSync(file)) return new Response('not found', { status: 404 });
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream';
    return new Response(fs.readFileSync(file), { headers: { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY } });
  });

  const win = new BrowserWindow({
    kiosk: config.mode !== 'service',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });

  ipcMain.handle('estation:call', (event, channel: unknown, payload: unknown) => {
    const trusted = isTrustedSender({
      fromAppWindow: event.sender === win.webContents,
      isMainFrame: event.senderFrame !== null && event.senderFrame === win.webContents.mainFrame,
      frameUrl: event.senderFrame?.url,
    });
    if (!trusted) return { ok: false, error: { code: 'BRIDGE_UNAUTHORIZED', message: 'untrusted sender' } };
    return services.dispatcher.dispatch(channel, payload, { transport: 'ipc' });
  });
  services.bus.subscribe((envelope) => {
    if (!win.isDestroyed()) win.webContents.send('estation:event', envelope);
  });

  win.once('ready-to-show', () => win.show());
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  app.on('window-all-closed', () => {
    void services.close().then(() => app.quit());
  });
});
