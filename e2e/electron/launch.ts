/**
 * Finds and launches the Electron binary for the `electron` Playwright project without ever
 * importing the electron package (which would try to download the binary). Each launch gets its
 * own user-data and data directories and a config file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');

/** The binary, or why there is none. ELECTRON_EXEC_PATH wins; else node_modules/electron/dist. */
export function electronBinary(): { path: string; reason: null } | { path: null; reason: string } {
  const override = process.env.ELECTRON_EXEC_PATH;
  if (override) return fs.existsSync(override) ? { path: override, reason: null } : { path: null, reason: `ELECTRON_EXEC_PATH=${override} does not exist` };
  const pathFile = path.join(root, 'node_modules/electron/path.txt');
  if (fs.existsSync(pathFile)) {
    const exe = path.join(root, 'node_modules/electron/dist', fs.readFileSync(pathFile, 'utf8').trim());
    if (fs.existsSync(exe)) return { path: exe, reason: null };
  }
  return {
    path: null,
    reason:
      'no Electron binary on this machine: Electron >= 42 downloads it on first use and its download host is unreachable here; ' +
      'run `npx install-electron` (or set ELECTRON_EXEC_PATH) where it is reachable, then `npm run test:electron`',
  };
}

export interface Launched {
  app: ElectronApplication;
  page: Page;
  dataDir: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  config?: Record<string, unknown>;
  /** A config file's text as it is, e.g. a broken one. */
  rawConfig?: string;
  env?: Record<string, string>;
}

export async function launchTerminal({ config = {}, rawConfig, env = {} }: LaunchOptions = {}): Promise<Launched> {
  const exe = electronBinary();
  if (!exe.path) throw new Error(exe.reason ?? 'no Electron binary');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-electron-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, rawConfig ?? YAML.stringify({ dataDir, ...config }));
  const app = await _electron.launch({
    executablePath: exe.path,
    args: ['.', `--user-data-dir=${path.join(dir, 'profile')}`, '--disable-gpu', '--no-sandbox'],
    cwd: root,
    env: { ...process.env, ESTATION_CONFIG: configFile, ESTATION_DATA_DIR: dataDir, ...env } as Record<string, string>,
    timeout: 60_000,
  });
  const page = await app.firstWindow();
  return {
    app,
    page,
    dataDir,
    async close() {
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, 10_000))]);
      app.process().kill('SIGKILL');
    },
  };
}
