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
import { SerialTransport } from './serial';
import { RelayTransport } from './relay';

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

  it("keeps socat out of the terminal's Ctrl+C: a SIGINT to the host's process group leaves the link up until the host stops it", async () => {
    const dir = tempDir();
    const linkDir = path.join(dir, 'link');
    const script = path.join(dir, 'host.mjs');
    fs.writeFileSync(
      script,
      [
        `import { PtyLink } from ${JSON.stringify(ptyModule)};`,
        `const link = new PtyLink(${JSON.stringify(linkDir)});`,
        'await link.start();',
        `process.on('SIGINT', () => process.stdout.write('sigint\\n'));`,
        // As the host does after Ctrl+C: an orderly stop, reporting whether the link was still up.
        `process.stdin.on('data', async () => { const up = link.up; await link.stop(); process.stdout.write(up ? 'stopped-up\\n' : 'stopped-down\\n'); process.exit(0); });`,
        `process.stdout.write('up\\n');`,
      ].join('\n'),
    );
    // The host leads its own process group, as a shell started from a terminal would make it.
    const host = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    let out = '';
    host.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until('the host to bring the link up', () => (out.includes('up\n') ? true : undefined), 20_000);
    const [socat] = socatsNaming(linkDir);
    const group = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    // The terminal's foreground group is the host's; the link's processes are not in it.
    expect(group(socat!.pid)).not.toBe(host.pid);
    // What a terminal does on Ctrl+C: SIGINT to every process of the foreground group.
    process.kill(-host.pid!, 'SIGINT');
    await until('the host to get the SIGINT', () => (out.includes('sigint') ? true : undefined), 10_000);
    host.stdin.write('stop\n');
    await until('the host to stop the link', () => (out.includes('stopped-') ? true : undefined), 10_000);
    expect(out).toContain('stopped-up');
    await until('the tied socat to end', () => (naming(linkDir).length === 0 ? true : undefined)).catch(() => undefined);
    expect(naming(linkDir).map((p) => p.cmdline)).toEqual([]);
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

  it('writes racing the tty going away are typed rejections, never an uncaught error event (the simulator end has no error listener)', async () => {
    const uncaught: Error[] = [];
    const catcher = (e: Error) => uncaught.push(e);
    process.on('uncaughtException', catcher);
    const failures = new Map<string, number>();
    try {
      for (let round = 0; round < 8; round++) {
        const link = new PtyLink(path.join(tempDir(), 'link'));
        await link.start();
        const host = await SerialTransport.open({ path: link.hostPath, baudRate: 115200 });
        host.on('data', () => undefined);
        host.on('error', () => undefined);
        // No 'error' listener here, as on the simulated device's end of the pair.
        const device = await SerialTransport.open({ path: link.devicePath, baudRate: 115200 });
        const closed = new Promise((r) => device.once('close', r));
        const count = (e: { code: string }) => failures.set(e.code, (failures.get(e.code) ?? 0) + 1);
        const writer = setInterval(() => {
          for (let i = 0; i < 4; i++) device.write(Buffer.alloc(64, 0xaa)).catch(count);
        }, 1);
        await new Promise((r) => setTimeout(r, 20));
        await link.stop();
        await closed;
        clearInterval(writer);
        await device.close();
        await host.close();
      }
    } finally {
      process.off('uncaughtException', catcher);
    }
    expect(uncaught.map((e) => e.message)).toEqual([]);
    // The race was really run: some writes were in flight when the tty went (EIO), not merely refused after.
    expect([...failures.keys()].sort()).toContain('TRANSPORT_WRITE_FAILED');
    // And the relay a simulator sits on swallows a pulled cable's write.
    const relay = new RelayTransport('sim:test');
    await expect(relay.write(Buffer.from([0x01]))).resolves.toBeUndefined();
  });
});
