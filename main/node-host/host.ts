/**
 * The Node host: the same services as the Electron shell, with the built renderer and the
 * bridge served on 127.0.0.1. Debian's Chromium opens it in app/kiosk mode when there is a
 * display; otherwise (or with --headless) `estation start` hands the launch URL to whoever
 * started it (see main/ground/launch-file.ts).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Config } from '../app/config';
import { createApp, type App, type AppOptions } from '../app/compose';
import { BridgeError } from '../bridge/contract';
import { clientErrorReply, hostAllowed, HttpBridge, refuse } from './http-bridge';
import { guardHttpServer } from '../ground/http-guard';
import { serveStatic } from './static';
import { spawnTiedChild, stopTiedChild } from '../../drivers/transport/tied-child';

/** How long a refused connection keeps draining before it is closed. */
const LINGER_MS = 2000;

export const rendererRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/renderer');

export interface NodeHost {
  app: App;
  url: string;
  /** The URL to open, carrying the per-launch token in its fragment (never sent to the server). */
  launchUrl: string;
  token: string;
  close(): Promise<void>;
}

export interface NodeHostOptions extends Partial<AppOptions> {
  port?: number;
  headless?: boolean;
  rendererDir?: string;
}

export async function startNodeHost(config: Config, opts: NodeHostOptions = {}): Promise<NodeHost> {
  const root = opts.rendererDir ?? rendererRoot;
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw Object.assign(new Error(`the renderer is not built (${root}/index.html missing): run npm run build`), { code: 'RENDERER_NOT_BUILT' });
  }
  const app = await createApp(config, { host: 'node', ...opts });
  const token = randomBytes(24).toString('hex');
  let port = 0;
  const { maxBodyBytes, rateLimit } = config.host;
  const bridge = new HttpBridge({ token, port: () => port, dispatcher: app.dispatcher, bus: app.bus, limits: { maxBodyBytes, ...rateLimit } });
  // Node's own check would answer a missing Host with an untyped 400; ours answers every request.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    if (!hostAllowed(req.headers.host, port)) return refuse(req, res, new BridgeError('BRIDGE_FORBIDDEN_HOST', 'the Host header must name this terminal'));
    if (bridge.handle(req, res)) return;
    serveStatic(root, req, res);
  });
  // Timeouts, and a typed answer to what the parser cannot read (main/ground/http-guard.ts).
  guardHttpServer(server, clientErrorReply, LINGER_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? config.host.port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const launchUrl = `${origin}/#token=${token}`;

  let browser: ChildProcess | null = null;
  const hasDisplay = !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const wantBrowser = !opts.headless && (config.host.openBrowser === 'always' || (config.host.openBrowser === 'auto' && hasDisplay));
  if (wantBrowser) browser = openChromium(config.host.chromiumPath, launchUrl, path.join(app.dataDir, 'chromium-profile'), app);

  return {
    app,
    url: origin,
    launchUrl,
    token,
    async close() {
      if (browser) await stopTiedChild(browser);
      fs.rmSync(path.join(app.dataDir, 'launch.html'), { force: true });
      bridge.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close();
    },
  };
}

/**
 * Opens Debian's Chromium in kiosk mode on the launch URL. The token stays off the command line
 * (which every local user can read with ps): Chromium opens a 0600 page in the data directory that
 * forwards to the launch URL. Chromium is tied to the host: it ends when the host ends, however.
 */
function openChromium(bin: string, url: string, profile: string, app: App): ChildProcess | null {
  if (!fs.existsSync(bin)) {
    app.log.warn('host.chromium_missing', { bin });
    return null;
  }
  const forward = path.join(app.dataDir, 'launch.html');
  fs.writeFileSync(forward, `<!doctype html><meta charset="utf-8"><script>location.replace(${JSON.stringify(url)})</script>\n`, { mode: 0o600 });
  const child = spawnTiedChild(bin, [
    `--app=file://${forward}`,
    '--kiosk',
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--incognito',
  ]);
  child.on('error', (err) => app.log.warn('host.chromium_failed', { error: err.message }));
  return child;
}
