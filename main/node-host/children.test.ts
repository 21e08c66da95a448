/**
 * A host killed with SIGKILL leaves nothing behind: every process it started (the socat pairs
 * behind the simulated serial ports, and whatever else) ends with it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');

/** Every live descendant of `pid`, from /proc (zombies, already dead, left out). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parentOf.set(Number(name), Number(ppid));
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

describe('a host killed with SIGKILL', () => {
  it.skipIf(process.platform !== 'linux')(
    'leaves no child process running (needs /proc: Linux only)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-children-'));
      const configFile = path.join(dir, 'config.yaml');
      fs.writeFileSync(configFile, YAML.stringify({ mode: 'checkout', dataDir: path.join(dir, 'data'), face: { enabled: false } }));
      const host = spawn(process.execPath, [path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      host.stderr.resume();
      await new Promise<void>((resolve, reject) => {
        let out = '';
        host.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('"event":"ready"')) resolve();
        });
        host.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
      });
      const children = descendants(host.pid!);
      // Three simulated serial devices, each a socat pair under its watcher.
      const socats = children.filter((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('socat'));
      expect(socats.length).toBeGreaterThanOrEqual(3);
      host.kill('SIGKILL');
      await expect.poll(() => children.filter(alive), { timeout: 15_000 }).toEqual([]);
    },
    60_000,
  );
});
