/**
 * The Electron kiosk shell. Main holds the window, the locks and the IPC front door; every
 * service (devices, face, platform, outbox) runs in a utility process supervised from here and
 * restarted with backoff. A start-up failure shows the out-of-service page, never a blank window.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, crashReporter, ipcMain, Menu, powerSaveBlocker, session } from 'electron';
import { defaultConfig, loadConfigFile, type Config } from '../app/config';
import { defaultDataDir, locateConfig } from '../app/paths';
import { appVersion } from '../ground/version';
import { openSealedKey } from '../face/keys';
import { createLogger, fileSink, stderrSink } from '../ground/logger';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY } from '../lockdown/policy';
import { fatalPageHtml } from '../lockdown/fatal-page';
import { RestartPolicy, ServicesSupervisor } from '../services-host/supervisor';
import { beforeReady, lockAllWebContents, lockSession, lockWindow, serveApp } from './hardening';
import { electronKeyring } from './keyring';
import { forkUtilityServices } from './services';
import { frontDoor } from './ipc';
import { startUpdater } from './updater';
import { RESTART_EXIT_CODE } from '../fleet/launcher';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');

beforeReady();
// Tests of the packaged shell feed the camera from a clip; never in a packaged build.
if (!app.isPackaged && process.env.ESTATION_FAKE_CAMERA) {
  app.commandLine.appendSwitch('use-fake-device-for-media-stream');
  app.commandLine.appendSwitch('use-fake-ui-for-media-stream');
  app.commandLine.appendSwitch('use-file-for-fake-video-capture', path.resolve(process.env.ESTATION_FAKE_CAMERA));
}

let win: BrowserWindow | null = null;
/** Started by `estation launch` (a release with "runtime": "exec"): restarts are exits it answers. */
const launched = process.env.ESTATION_LAUNCHED === '1';
let exitCode = 0;
let fatal: { code: string; detail: string; at: Date } | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  crashReporter.start({ uploadToServer: false });
  app
    .whenReady()
    .then(start)
    .catch((err: Error & { code?: string }) => {
      // Anything unforeseen in start-up: the service page if there is a window, else exit and
      // let systemd (Restart=always) or the Windows service wrapper start us again.
      process.stderr.write(`E-Station failed to start: ${err.stack ?? err.message}\n`);
      fatal = { code: err.code ?? 'SHELL_START_FAILED', detail: err.message, at: new Date() };
      if (win && !win.isDestroyed()) void win.loadURL(`${APP_ORIGIN}/__fatal`).then(() => win?.show());
      else app.exit(1);
    });
}

async function start(): Promise<void> {
  const configPath = locateConfig(process.argv, process.env, (f) => fs.existsSync(f));
  let config: Config = defaultConfig();
  try {
    if (configPath) config = loadConfigFile(configPath);
  } catch (err) {
    const e = err as Error & { code?: string };
    fatal = { code: e.code ?? 'CONFIG_INVALID', detail: e.message, at: new Date() };
  }
  const dataDir = config.dataDir ? path.resolve(config.dataDir) : defaultDataDir();
  const logger = createLogger({
    level: config.log.level,
    sinks: [fileSink(path.join(dataDir, 'logs', 'shell')), stderrSink],
    fields: { terminal: config.terminal.id, component: 'shell' },
  });
  const log = (msg: string, f?: Record<string, unknown>) => logger.info(msg, f);
  const devTools = config.electron.devTools && !app.isPackaged;
  const kiosk = config.electron.kiosk;

  Menu.setApplicationMenu(null);
  lockAllWebContents(log);
  lockSession(session.defaultSession, { devTools, log });
  serveApp(session.defaultSession, rendererDir, () =>
    fatal
      ? fatalPageHtml({ ...fatal, terminalId: config.terminal.id, logDir: path.join(dataDir, 'logs'), version: appVersion }, CONTENT_SECURITY_POLICY)
      : null,
  );
  powerSaveBlocker.start('prevent-display-sleep');

  const w = new BrowserWindow({
    kiosk,
    fullscreen: kiosk,
    frame: !kiosk,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#f3f6fb',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      devTools,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  });
  win = w;
  w.removeMenu();
  w.once('ready-to-show', () => w.show());
  const showApp = () => void w.loadURL(`${APP_ORIGIN}/index.html`);
  const showFatal = async (code: string, detail: string) => {
    fatal = { code, detail, at: new Date() };
    logger.error('shell.out_of_service', { code, detail });
    await w.loadURL(`${APP_ORIGIN}/__fatal`);
  };
  lockWindow(w, { kiosk, reload: () => (fatal ? void w.loadURL(`${APP_ORIGIN}/__fatal`) : showApp()), log });

  if (fatal) return void showFatal(fatal.code, fatal.detail);

  // The face key is sealed by the OS keyring here (safeStorage exists only in main) and handed to
  // the services host; without a real keyring the host keeps its 0600 key file.
  let faceKey: string | null = null;
  try {
    const sealed = openSealedKey(path.join(dataDir, 'keys'), electronKeyring);
    faceKey = sealed.key ? sealed.key.toString('base64') : null;
    log('face.key', sealed.key ? { protection: 'os-keyring', source: sealed.source } : { protection: 'key-file-0600', reason: sealed.reason });
  } catch (err) {
    logger.error('face.key_unavailable', { message: (err as Error).message });
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  // The bundle does not sit next to models/: say where the verified model files are.
  env.ESTATION_MODELS_DIR ??= app.isPackaged ? path.join(process.resourcesPath, 'models', 'files') : path.join(app.getAppPath(), 'models', 'files');
  const services = new ServicesSupervisor({
    spawn: () => forkUtilityServices(path.join(here, 'services.js'), env),
    init: { type: 'init', configPath, faceKey, faceWorkerPath: path.join(here, 'face-worker.js') },
    policy: new RestartPolicy({
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxRestarts: config.electron.restart.maxRestarts,
      windowMs: config.electron.restart.windowSeconds * 1000,
    }),
    log,
  });
  services.on('event', (envelope: { event: string; payload: unknown }) => {
    if (envelope.event === 'shell.request') {
      // A restart (a technician's from service mode, or an update's switch): close the services
      // cleanly, then either exit for `estation launch`, which starts `current` again (the new
      // release after a switch), or relaunch ourselves.
      log('shell.restart_requested', { launched });
      if (launched) exitCode = RESTART_EXIT_CODE;
      else app.relaunch();
      app.quit();
      return;
    }
    if (!w.isDestroyed() && !fatal) w.webContents.send('estation:event', envelope);
  });
  services.on('ready', () => {
    // After a restart the page starts over from the services' present state.
    if (services.restartCount > 0 && !fatal) showApp();
  });
  services.on('fatal', (f: { code: string; message: string }) => void showFatal(f.code, f.message));

  ipcMain.handle('estation:call', (event, channel: unknown, payload: unknown) =>
    frontDoor(
      {
        fromAppWindow: event.sender === w.webContents,
        isMainFrame: event.senderFrame !== null && event.senderFrame === w.webContents.mainFrame,
        frameUrl: event.senderFrame?.url,
      },
      channel,
      payload,
      (c, p) => services.call(c, p),
      log,
    ),
  );

  try {
    await services.start();
  } catch (err) {
    const e = err as Error & { code?: string };
    return void showFatal(e.code ?? 'SERVICES_START_FAILED', e.message);
  }
  showApp();
  // Under the launcher, the fleet's staged updates switch releases: electron-updater stays off.
  const stopUpdater = launched
    ? () => undefined
    : startUpdater(
        config,
        services,
        {
          outOfService: (code) => showFatal(code, 'maintenance window'),
          backInService: () => {
            fatal = null;
            showApp();
          },
        },
        log,
      );

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    stopUpdater();
    // app.exit after the services stopped: the launcher reads the exit code (75: start me again).
    void services.stop().finally(() => (exitCode === 0 ? app.quit() : app.exit(exitCode)));
  });
  app.on('window-all-closed', () => app.quit());
}
