/**
 * socat children die with the host: a host that is SIGKILLed, or stops normally, leaves no socat,
 * no wrapper shell and no zombie behind; a socat that dies on its own takes the link down.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PtyLink, socatAvailable } from './pty';

interface ProcessEntry {
  pid: number;
  ppid: number;
  state: string;
  cmdline: string;
}

function processes(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may hold spaces: the fields after it are fixed.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(name), ppid: Number(ppid), state: state!, cmdline });
    } catch {
      // The process ended between readdir and read.
    }
  }
  return out;
}

const naming = (dir: string) => processes().filter((p) => p.cmdline.includes(dir));
const socatsNaming = (dir: string) => naming(dir).filter((p) => p.cmdline.startsWith('socat '));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ptyModule = fileURLToPath(new URL('./pty.ts', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-tied-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!socatAvailable() || !fs.existsSync('/proc/self/stat'))('socat children are tied to the host (needs socat and /proc)', () => {
  it('leaves no socat naming the link after the host is SIGKILLed', async () => {
    const dir = tempDir();
    const linkDir = path.join(dir, 'link');
    const script = path.join(dir, 'host.mjs');
    fs.writeFileSync(
      script,
      [
        `import { PtyLink } from ${JSON.stringify(ptyModule)};`,
        `await new PtyLink(${JSON.stringify(linkDir)}).start();`,
        `process.stdout.write('up\\n');`,
        'setInterval(() => undefined, 60_000);',
      ].join('\n'),
    );
    const host = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => host.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      host.stdout.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
      host.once('exit', (code) => reject(new Error(`host exited with ${code} before the link was up`)));
    });
    expect(socatsNaming(linkDir)).toHaveLength(1);

    host.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = await until('the tied socat to end', () => {
      const found = naming(linkDir);
      return found.length === 0 ? found : undefined;
    }).catch(() => naming(linkDir));
    expect(left.map((p) => p.cmdline)).toEqual([]);
  });

  it('stops normally with nothing left running and no zombie child', async () => {
    const link = new PtyLink(path.join(tempDir(), 'link'));
    await link.start();
    expect(link.up).toBe(true);
    expect(socatsNaming(link.dir)).toHaveLength(1);

    await link.stop();
    expect(link.up).toBe(false);
    expect(naming(link.dir)).toEqual([]);
    expect(processes().filter((p) => p.ppid === process.pid && p.state === 'Z')).toEqual([]);
    expect(fs.existsSync(link.hostPath)).toBe(false);
  });

  it('takes the link down when socat dies on its own, and can start it again', async () => {
    const link = new PtyLink(path.join(tempDir(), 'link'));
    await link.start();
    const [socat] = socatsNaming(link.dir);
    process.kill(socat!.pid, 'SIGTERM');
    await until('the link to go down', () => (link.up ? undefined : true));
    expect(naming(link.dir)).toEqual([]);

    await link.start();
    expect(link.up).toBe(true);
    await link.stop();
    expect(naming(link.dir)).toEqual([]);
  });
});
