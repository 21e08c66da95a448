import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { defaultConfig, type Config } from '../app/config';
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

/** A setting that works but is unsafe or unconsidered on a production terminal. */
export interface DoctorWarning {
  code: 'SIMULATED_DEVICES_WITH_REMOTE_PLATFORM' | 'EMBEDDED_PLATFORM_WITH_REAL_INSTITUTION' | 'OFFLINE_LIMITS_DEFAULT' | 'DATA_DIR_NOT_PRIVATE';
  message: string;
}

/** Files and directories under `dataDir` that group or others may use (symlinks are not followed). */
function notPrivate(dataDir: string): { path: string; mode: string }[] {
  const found: { path: string; mode: string }[] = [];
  if (process.platform === 'win32' || !fs.existsSync(dataDir)) return found;
  const walk = (p: string, depth: number) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) found.push({ path: path.relative(dataDir, p) || '.', mode: (st.mode & 0o777).toString(8).padStart(4, '0') });
    if (st.isDirectory() && depth < 8) for (const name of fs.readdirSync(p)) walk(path.join(p, name), depth + 1);
  };
  walk(dataDir, 0);
  return found;
}

export function weakSettings(config: Config, dataDir: string): DoctorWarning[] {
  const defaults = defaultConfig();
  const warnings: DoctorWarning[] = [];
  if (config.devices.simulate && config.platform.kind === 'remote') {
    warnings.push({
      code: 'SIMULATED_DEVICES_WITH_REMOTE_PLATFORM',
      message: 'devices.simulate is true while the platform is remote: cards and scans can be injected into real transactions; set devices.simulate: false',
    });
  }
  if (config.platform.kind === 'embedded' && config.terminal.institutionCode !== defaults.terminal.institutionCode) {
    warnings.push({
      code: 'EMBEDDED_PLATFORM_WITH_REAL_INSTITUTION',
      message: `terminal.institutionCode is ${config.terminal.institutionCode} but platform.kind is embedded: this terminal settles against the simulator, not the insurance platform`,
    });
  }
  const limits = ['maxPerTransaction', 'maxPerPersonPerDay', 'maxTerminalExposure', 'maxAgeHours'] as const;
  const untouched = limits.filter((k) => config.offline[k] === defaults.offline[k]);
  if (config.mode === 'checkout' && config.offline.enabled && untouched.length) {
    warnings.push({
      code: 'OFFLINE_LIMITS_DEFAULT',
      message: `offline checkout is on with ${untouched.map((k) => `offline.${k}`).join(', ')} at the default: set what this pharmacy's agreement allows`,
    });
  }
  const open = notPrivate(dataDir);
  if (open.length) {
    const shown = open.slice(0, 10).map((f) => `${f.path} (${f.mode})`);
    warnings.push({
      code: 'DATA_DIR_NOT_PRIVATE',
      message: `${open.length} path(s) in the data directory are open to group or others: ${shown.join(', ')}${open.length > shown.length ? ', …' : ''}; chmod directories 700 and files 600`,
    });
  }
  return warnings;
}

/** Whether this terminal can be driven by injected cards, scans and platform answers. */
export interface SimulationReport {
  devices: 'simulated' | 'hardware';
  platform: 'embedded simulator' | 'remote';
  /** `production` only when neither the devices nor the platform are simulated. */
  mode: 'simulate' | 'production';
  summary: string;
}

export function simulationReport(config: Config): SimulationReport {
  const devices = config.devices.simulate ? 'simulated' : 'hardware';
  const platform = config.platform.kind === 'embedded' ? 'embedded simulator' : 'remote';
  const where = platform === 'remote' ? `remote platform ${config.platform.url ?? ''}` : 'embedded platform simulator';
  if (devices === 'hardware' && platform === 'remote') {
    return { devices, platform, mode: 'production', summary: `production: hardware devices, ${where}; nothing can inject a card, a scan or a platform answer` };
  }
  const injectable = [...(devices === 'simulated' ? ['cards', 'scans'] : []), ...(platform === 'remote' ? [] : ['platform answers'])];
  return {
    devices,
    platform,
    mode: 'simulate',
    summary: `SIMULATE MODE, not for a terminal in service: ${devices} devices, ${where}; ${injectable.join(', ')} can be injected`,
  };
}

export interface DoctorReport {
  version: string;
  config: unknown;
  simulation: SimulationReport;
  dataDir: string;
  node: { version: string; abi: string; platform: string; arch: string };
  nativeModules: { name: string; version: string | null; loads: boolean; error: string | null }[];
  electron: { version: string | null; binaryAvailable: boolean };
  chromium: { path: string; available: boolean; version: string | null };
  models: { version: string; dir: string; files: { name: string; file: string; status: string; sha256: string }[] };
  warnings: DoctorWarning[];
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
    simulation: simulationReport(config),
    dataDir: resolveDataDir(config),
    node: { version: process.version, abi: process.versions.modules, platform: process.platform, arch: process.arch },
    nativeModules: natives.map((n) => ({ name: n.name, version: pkgVersion(n.name), ...tryLoad(n.name, n.probe) })),
    electron: { version: pkgVersion('electron'), binaryAvailable },
    chromium: { path: chromiumPath, available: chromiumVersion !== null, version: chromiumVersion },
    models: { version: manifest.version, dir: modelsDir(), files: checkModels() },
    warnings: weakSettings(config, resolveDataDir(config)),
  };
}
