import os from 'node:os';
import path from 'node:path';

/** The user's data directory for E-Station, following each OS's convention. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.ESTATION_DATA_DIR) return path.resolve(env.ESTATION_DATA_DIR);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'E-Station');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'E-Station');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'e-station');
}
