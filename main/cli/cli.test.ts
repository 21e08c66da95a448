import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../app/config';
import { weakSettings } from './doctor';

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
    expect(report.warnings).toEqual([]);
  });

  it('doctor warns about a production terminal with simulated devices and a data directory others can read', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-doctor-'));
    fs.writeFileSync(path.join(dataDir, 'estation.sqlite'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'estation.sqlite'), 0o644);
    const file = path.join(dataDir, 'config.yaml');
    fs.writeFileSync(file, 'mode: checkout\nplatform:\n  kind: remote\n  url: https://ybj.example.invalid/\n', { mode: 0o600 });
    const { stdout } = await estation(['doctor', '--json', '--config', file, '--data-dir', dataDir]);
    const warnings = (JSON.parse(stdout) as { warnings: { code: string; message: string }[] }).warnings;
    expect(warnings.map((w) => w.code)).toEqual(['SIMULATED_DEVICES_WITH_REMOTE_PLATFORM', 'OFFLINE_LIMITS_DEFAULT', 'DATA_DIR_NOT_PRIVATE']);
    expect(warnings[2]!.message).toContain('estation.sqlite (0644)');
  });

  it('refuses to start on an empty config file and names it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-emptycfg-')), 'config.yaml');
    fs.writeFileSync(file, '');
    const err = (await estation(['start', '--headless', '--config', file]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(`config file ${file} is empty`);
  });

  it('stops with the key and the expectation when the config is wrong', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-badcfg-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'mode: arcade\n');
    const err = (await estation(['start', '--headless', '--config', file]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('mode: Invalid option: expected one of "kiosk"|"checkout"|"service"');
  });

  it('service set-pin reads the PIN twice from stdin, refuses a weak one, and reset-pin needs --yes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-svc-cli-'));
    const withStdin = (args: string[], input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [path.join(root, 'bin/estation.js'), ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin!.end(input);
      });
    const status = async () => JSON.parse((await estation(['service', 'status', '--json', '--data-dir', dataDir])).stdout) as { pinSet: boolean };
    expect(await status()).toMatchObject({ pinSet: false });
    const weak = await withStdin(['service', 'set-pin', '--data-dir', dataDir], '123456\n123456\n');
    expect(weak.code).toBe(65);
    expect(weak.stderr).toContain('SERVICE_PIN_WEAK');
    const differ = await withStdin(['service', 'set-pin', '--data-dir', dataDir], '246810\n246811\n');
    expect(differ.stderr).toContain('SERVICE_PIN_MISMATCH');
    expect(await status()).toMatchObject({ pinSet: false });
    const ok = await withStdin(['service', 'set-pin', '--data-dir', dataDir], '246810\r\n246810\r\n');
    expect(ok).toMatchObject({ code: 0, stdout: 'service PIN set; any lockout cleared\n' });
    expect(ok.stdout + ok.stderr).not.toContain('246810');
    expect(await status()).toMatchObject({ pinSet: true });
    const unconfirmed = (await estation(['service', 'reset-pin', '--data-dir', dataDir]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(unconfirmed.code).toBe(64);
    expect(await status()).toMatchObject({ pinSet: true });
    await estation(['service', 'reset-pin', '--yes', '--data-dir', dataDir]);
    expect(await status()).toMatchObject({ pinSet: false });
  }, 120_000); // nine CLI runs one after the other, two of them scrypt: slow on a loaded 2-core machine

  it('shows the launch URL with its token only to an interactive terminal (a pty made by script(1)), and Ctrl+C there stops the host', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-tty-'));
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, `dataDir: ${path.join(dir, 'data')}\nface:\n  enabled: false\n`);
    const command = [process.execPath, path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', file]
      .map((a) => `'${a}'`)
      .join(' ');
    // `exec`: script(1) runs the command through sh, and dash stays as its parent; the SIGINT then
    // reaches dash too, which (depending on where it is when the signal lands) dies of it and makes
    // script answer 130 whatever the host did. A technician's login shell does not get the Ctrl+C of
    // its foreground job, so the host alone is what this test must see.
    const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    let seen = '';
    const opened = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{48})/.exec(seen);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`script exited with ${code}: ${seen}`)));
    });
    const launchFile = path.join(dir, 'data', 'launch-url');
    expect(fs.readFileSync(launchFile, 'utf8')).toContain(opened);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    // Ctrl+C typed on the terminal: the pty turns it into SIGINT for the host.
    child.stdin!.write('\u0003');
    // A host that does not stop is a failure that names what it printed, not a bare test timeout.
    let guard: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the host did not stop within 20 s of Ctrl+C; it printed: ${seen}`));
        }, 20_000);
      }),
    ]).finally(() => clearTimeout(guard));
    expect(code, seen).toBe(0);
    // It cleaned up after itself: the token no longer lies in the data directory.
    expect(fs.existsSync(launchFile)).toBe(false);
  }, 60_000);

  it('refuses an unknown command with usage', async () => {
    const err = (await estation(['explode']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(64);
    expect(err.stderr).toContain('usage: estation');
  });
});

describe('doctor’s weak settings', () => {
  const privateDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'estation-weak-'));
  const codes = (input: Parameters<typeof parseConfig>[0], dir = privateDir()) => weakSettings(parseConfig(input), dir).map((w) => w.code);

  it('says nothing about the embedded default in a private data directory', () => {
    expect(codes({})).toEqual([]);
  });

  it('flags the embedded platform simulator in a config that names a real institution', () => {
    expect(codes({ terminal: { institutionCode: 'P44030512345' } })).toEqual(['EMBEDDED_PLATFORM_WITH_REAL_INSTITUTION']);
    expect(
      codes({ terminal: { institutionCode: 'P44030512345' }, platform: { kind: 'remote', url: 'https://ybj.example.invalid/' }, devices: { simulate: false } }),
    ).toEqual([]);
  });

  it('flags offline limits left at their defaults at a checkout counter, naming them', () => {
    const remote = { platform: { kind: 'remote' as const, url: 'https://ybj.example.invalid/' }, devices: { simulate: false } };
    const [w] = weakSettings(parseConfig({ mode: 'checkout', ...remote, offline: { maxPerTransaction: 20_000, maxAgeHours: 24 } }), privateDir());
    expect(w).toMatchObject({ code: 'OFFLINE_LIMITS_DEFAULT' });
    expect(w!.message).toContain('offline.maxPerPersonPerDay, offline.maxTerminalExposure at the default');
    expect(codes({ mode: 'checkout', ...remote, offline: { enabled: false } })).toEqual([]);
    expect(
      codes({
        mode: 'checkout',
        ...remote,
        offline: { maxPerTransaction: 20_000, maxPerPersonPerDay: 40_000, maxTerminalExposure: 1_000_000, maxAgeHours: 24 },
      }),
    ).toEqual([]);
  });

  it('flags a data directory or files in it open to group or others, not symlinks out of it', () => {
    const dir = privateDir();
    fs.mkdirSync(path.join(dir, 'logs'), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'logs', 'estation.log'), '', { mode: 0o600 });
    fs.symlinkSync('/etc/passwd', path.join(dir, 'sim-tty'));
    expect(codes({}, dir)).toEqual([]);
    fs.chmodSync(path.join(dir, 'logs', 'estation.log'), 0o640);
    fs.chmodSync(dir, 0o755);
    const [w] = weakSettings(parseConfig({}), dir);
    expect(w!.message).toMatch(/^2 path\(s\) .*\. \(0755\), logs\/estation\.log \(0640\)/);
  });
});
