import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import type { Config } from '../app/config';
import { resolveDataDir } from '../app/compose';
import { appVersion } from '../ground/version';
import { checkModels, manifest, modelsDir } from '../../models/manifest';

const require = createRequire(import.meta.url);

function pkgVersion(name: string): string | null {
  try {
    const dir = path.dirname(require.resolve(`${name}/package.json`));
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function tryLoad(name: string, probe: (m: unknown) => void): { loads: boolean; error: string | null } {
  try {
    probe(require(name));
    return { loads: true, error: null };
  } catch (err) {
    return { loads: false, error: (err as Error).message.split('\n')[0] ?? 'failed' };
  }
}

function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /secret|key|password|token/i.test(k) ? '[hidden]' : hideSecrets(v)]));
  }
  return value;
}

export interface DoctorReport {
  version: string;
  config: unknown;
  dataDir: string;
  node: { version: string; abi: string; platform: string; arch: string };
  nativeModules: { name: string; version: string | null; loads: boolean; error: string | null }[];
  electron: { version: string | null; binaryAvailable: boolean };
  chromium: { path: string; available: boolean; version: string | null };
  models: { version: string; dir: string; files: { name: string; file: string; status: string; sha256: string }[] };
}

export async function runDoctor(config: Config): Promise<DoctorReport> {
  const natives = [
    { name: 'better-sqlite3', probe: (m: unknown) => new (m as new (f: string) => { close(): void })(':memory:').close() },
    { name: 'serialport', probe: (m: unknown) => void (m as { SerialPort: unknown }).SerialPort },
    { name: 'node-hid', probe: (m: unknown) => void (m as { devices: () => unknown }).devices() },
    { name: 'onnxruntime-node', probe: (m: unknown) => void (m as { InferenceSession: unknown }).InferenceSession },
  ];
  const electronDir = (() => {
    try {
      return path.dirname(require.resolve('electron/package.json'));
    } catch {
      return null;
    }
  })();
  let binaryAvailable = false;
  if (electronDir) {
    const pathTxt = path.join(electronDir, 'path.txt');
    if (fs.existsSync(pathTxt)) binaryAvailable = fs.existsSync(path.join(electronDir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim()));
  }
  if (process.env.ELECTRON_EXEC_PATH) binaryAvailable = fs.existsSync(process.env.ELECTRON_EXEC_PATH);

  const chromiumPath = config.host.chromiumPath;
  let chromiumVersion: string | null = null;
  if (fs.existsSync(chromiumPath)) {
    try {
      chromiumVersion = execFileSync(chromiumPath, ['--version'], { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      chromiumVersion = null;
    }
  }

  return {
    version: appVersion,
    config: hideSecrets(config),
    dataDir: resolveDataDir(config),
    node: { version: process.version, abi: process.versions.modules, platform: process.platform, arch: process.arch },
    nativeModules: natives.map((n) => ({ name: n.name, version: pkgVersion(n.name), ...tryLoad(n.name, n.probe) })),
    electron: { version: pkgVersion('electron'), binaryAvailable },
    chromium: { path: chromiumPath, available: chromiumVersion !== null, version: chromiumVersion },
    models: { version: manifest.version, dir: modelsDir(), files: checkModels() },
  };
}
