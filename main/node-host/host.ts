/**
 * The Node host: the same services as the Electron shell, with the built renderer and the
 * bridge served on 127.0.0.1. Debian's Chromium opens it in app/kiosk mode when there is a
 * display; otherwise (or with --headless) the URL is printed.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Config } from '../app/config';
import { createApp, type App, type AppOptions } from '../app/compose';
import { HttpBridge } from './http-bridge';
import { serveStatic } from './static';

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
  let origin = '';
  const bridge = new HttpBridge({ token, origin: () => origin, dispatcher: app.dispatcher, bus: app.bus });
  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (bridge.handle(req, res, url)) return;
    serveStatic(root, req, res, url);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? config.host.port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
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
      browser?.kill();
      bridge.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close();
    },
  };
}

function openChromium(bin: string, url: string, profile: string, app: App): ChildProcess | null {
  if (!fs.existsSync(bin)) {
    app.log.warn('host.chromium_missing', { bin });
    return null;
  }
  const child = spawn(
    bin,
    [
      `--app=${url}`,
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
    ],
    { stdio: 'ignore', detached: false },
  );
  child.on('error', (err) => app.log.warn('host.chromium_failed', { error: err.message }));
  return child;
}
