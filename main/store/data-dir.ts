/**
 * The terminal's data directory holds money (the outbox), identities (sealed), keys and logs:
 * readable by the terminal's user only — the directory and every directory below it 0700,
 * every file 0600 — whatever state an earlier version or a copied backup left it in.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Makes the data directory private, and everything the process creates from now on too. */
export function securePrivateDir(dir: string): { fixed: string[] } {
  // Files and directories this process creates later (SQLite's -wal and -shm, logs, reports) are private too.
  process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fixed: string[] = [];
  if (process.platform === 'win32') return { fixed };
  const walk = (p: string, depth: number) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want && (st.mode & 0o077) !== 0) {
      fs.chmodSync(p, want);
      fixed.push(path.relative(dir, p) || '.');
    }
    // Bounded: the data directory is a few levels deep (keys/, logs/, reports/, a browser profile).
    if (st.isDirectory() && depth < 8) for (const name of fs.readdirSync(p)) walk(path.join(p, name), depth + 1);
  };
  walk(dir, 0);
  return { fixed };
}
