import os from 'node:os';
import path from 'node:path';

/** The user's data directory for E-Station, following each OS's convention. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.ESTATION_DATA_DIR) return path.resolve(env.ESTATION_DATA_DIR);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'E-Station');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'E-Station');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'e-station');
}

/**
 * Which config file a terminal started without arguments uses (Electron shell, systemd unit):
 * `--config <file>`, then ESTATION_CONFIG, then /etc/estation/config.yaml (Linux), then
 * config.yaml in the data directory; null means the embedded default.
 */
export function locateConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  exists: (f: string) => boolean,
  platform = process.platform,
): string | null {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) {
    const v = argv[i]!.includes('=') ? argv[i]!.slice('--config='.length) : argv[i + 1];
    if (v) return path.resolve(v);
  }
  if (env.ESTATION_CONFIG) return path.resolve(env.ESTATION_CONFIG);
  const candidates = [...(platform === 'linux' ? ['/etc/estation/config.yaml'] : []), path.join(defaultDataDir(env, platform), 'config.yaml')];
  return candidates.find(exists) ?? null;
}
