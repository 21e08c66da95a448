import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const estation = (args: string[]) => run(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root, timeout: 60_000 });

describe('the estation command', () => {
  it('doctor --json prints config, data directory, versions and availability', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-doctor-'));
    const { stdout } = await estation(['doctor', '--json', '--data-dir', dataDir]);
    const report = JSON.parse(stdout);
    expect(report.dataDir).toBe(dataDir);
    expect(report.config.mode).toBe('kiosk');
    expect(report.node.version).toBe(process.version);
    expect(report.nativeModules.map((m: { name: string }) => m.name)).toEqual(['better-sqlite3', 'serialport', 'node-hid', 'onnxruntime-node']);
    for (const m of report.nativeModules) expect(m).toMatchObject({ loads: true });
    expect(typeof report.electron.binaryAvailable).toBe('boolean');
    expect(report.chromium).toHaveProperty('available');
    expect(report.models.files.map((m: { name: string; status: string }) => [m.name, m.status])).toEqual([
      ['detector', 'verified'],
      ['landmarks', 'verified'],
      ['embedding', 'verified'],
      ['liveness', 'verified'],
      ['eye', 'verified'],
      ['pose', 'verified'],
    ]);
  });

  it('stops with the key and the expectation when the config is wrong', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-badcfg-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'mode: arcade\n');
    const err = (await estation(['start', '--headless', '--config', file]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('mode: Invalid option: expected one of "kiosk"|"checkout"|"service"');
  });

  it('refuses an unknown command with usage', async () => {
    const err = (await estation(['explode']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(64);
    expect(err.stderr).toContain('usage: estation');
  });
});
