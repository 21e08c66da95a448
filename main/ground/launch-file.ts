/**
 * The launch URL carries the bridge token, so it never goes to stdout or stderr (a service
 * journal keeps both). The process that spawned the host reads it from this file instead,
 * readable by the terminal's own user only.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LAUNCH_FILE_NAME = 'launch-url';

/** Replaces whatever is at `file` (never following a link planted there) with a 0600 file. */
export function writeLaunchFile(file: string, launchUrl: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.rmSync(file, { force: true });
  // 'wx' is O_CREAT|O_EXCL: it fails rather than write through a link created in between.
  fs.writeFileSync(file, launchUrl + '\n', { mode: 0o600, flag: 'wx' });
}

/** The launch URL and the token in its fragment, for the spawning process. */
export function readLaunchFile(file: string): { launchUrl: string; token: string } {
  const launchUrl = fs.readFileSync(file, 'utf8').trim();
  return { launchUrl, token: new URL(launchUrl).hash.replace('#token=', '') };
}

export function removeLaunchFile(file: string): void {
  fs.rmSync(file, { force: true });
}
