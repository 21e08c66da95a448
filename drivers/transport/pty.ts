/**
 * Real PTY pairs through socat: the app opens one end with the real serialport binding, a device
 * simulator opens the other. Used by integration tests and by the app's simulate mode, where
 * stopping the pair is the closest thing to pulling the USB cable: the tty disappears. socat is
 * tied to this process (tied-child.ts): a crashed or killed host leaves no socat behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { spawnTiedChild, stopTiedChild, tiedChildRunning } from './tied-child';

export interface PtyPair {
  /** The end the application opens, as it would open /dev/ttyUSB0. */
  hostPath: string;
  /** The end the simulator opens. */
  devicePath: string;
  close(): Promise<void>;
}

let socatChecked: boolean | null = null;
export function socatAvailable(): boolean {
  socatChecked ??= spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  return socatChecked;
}

/** A PTY pair at fixed paths that can be taken down and brought back (unplug / replug). */
export class PtyLink implements PtyPair {
  private child: ChildProcess | null = null;
  readonly hostPath: string;
  readonly devicePath: string;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.hostPath = path.join(dir, 'host');
    this.devicePath = path.join(dir, 'device');
  }

  get up(): boolean {
    return this.child !== null && tiedChildRunning(this.child);
  }

  async start(): Promise<void> {
    if (this.up) return;
    const child = spawnTiedChild('socat', [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.devicePath}`], { stderr: 'pipe' });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 5000;
    while (!(fs.existsSync(this.hostPath) && fs.existsSync(this.devicePath))) {
      if (!tiedChildRunning(child) || Date.now() > deadline) {
        this.child = null;
        await stopTiedChild(child);
        throw new Error(`socat did not create a PTY pair: ${stderr || 'timeout'}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await stopTiedChild(child);
    for (const p of [this.hostPath, this.devicePath]) fs.rmSync(p, { force: true });
  }

  async close(): Promise<void> {
    await this.stop();
  }
}

export async function createPtyPair(name = 'estation'): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-pty-`));
  const link = new PtyLink(dir);
  await link.start();
  return {
    hostPath: link.hostPath,
    devicePath: link.devicePath,
    async close() {
      await link.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
