/**
 * Starts E-Station's Node host (`estation start --headless --port 0`) with a fresh data
 * directory for each test file, waits for its ready line instead of sleeping, and reads the
 * launch URL from the file the ready line names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { test as base, expect, type Page } from '@playwright/test';
import YAML from 'yaml';
import { readLaunchFile } from '../main/node-host/launch-file';

export interface RunningHost {
  url: string;
  launchUrl: string;
  token: string;
  dataDir: string;
  /** Calls the bridge directly, as a test driver would drive simulated hardware. */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  stderr(): string;
  /** The host process has not exited. */
  alive(): boolean;
}

const root = path.resolve(import.meta.dirname, '..');

export async function startHost(config: Record<string, unknown> = {}): Promise<RunningHost & { stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-e2e-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, YAML.stringify({ dataDir, ...config }));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<{ url: string; launchFile: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start in 60 s:\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; launchFile: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${err}`));
    });
  });
  // The launch URL (with the token) is never printed; the host writes it to a 0600 file for us.
  const { launchUrl, token } = readLaunchFile(ready.launchFile);
  return {
    url: ready.url,
    launchUrl,
    token,
    dataDir,
    stderr: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    async call<T>(channel: string, input: unknown): Promise<T> {
      const res = await fetch(`${ready.url}/bridge/call/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!body.ok) throw new Error(`${body.error?.code}: ${body.error?.message}`);
      return body.value as T;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

export const test = base.extend<{ host: RunningHost; hostConfig: Record<string, unknown> }>({
  hostConfig: [{}, { option: true }],
  host: async ({ hostConfig }, use) => {
    const h = await startHost(hostConfig);
    await use(h);
    await h.stop();
  },
});

export async function openTerminal(page: Page, host: RunningHost): Promise<void> {
  await page.goto(host.launchUrl);
  await expect(page.locator('.shell')).toBeVisible();
}

export { expect };
