/**
 * Real PTY pairs through socat: the app opens one end with the real serialport binding, a device
 * simulator opens the other. Used by integration tests and by the app's simulate mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The end the application opens, as it would open /dev/ttyUSB0. */
  hostPath: string;
  /** The end the simulator opens. */
  devicePath: string;
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function createPtyPair(name = 'estation'): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-pty-`));
  const hostPath = path.join(dir, 'host');
  const devicePath = path.join(dir, 'device');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(hostPath) && fs.existsSync(devicePath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`socat did not create a PTY pair: ${stderr || 'timeout'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hostPath,
    devicePath,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
