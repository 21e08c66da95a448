/**
 * Packaging and deployment files, checked where CI can check them: electron-builder's own schema
 * validation of electron-builder.yml, the security settings in it, systemd's own verifier on the
 * unit, a grammar check of the udev rules, bash -n on the install scripts, and the example config
 * through the terminal's config parser.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfigFile } from '../main/app/config';
import { manifest } from '../models/manifest';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const builderYml = path.join(root, 'electron-builder.yml');
const linux = path.join(root, 'deploy/linux');

interface BuilderConfig {
  productName: string;
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  electronFuses: Record<string, boolean>;
  linux: { target: { target: string }[]; executableName: string };
  win: { target: { target: string }[] };
  nsis: Record<string, unknown>;
  deb: Record<string, string>;
  publish: { provider: string }[];
}

async function validate(config: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, l: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(config, new DebugLogger(false));
}

describe('electron-builder.yml', () => {
  const config = YAML.parse(fs.readFileSync(builderYml, 'utf8')) as BuilderConfig;

  it('passes electron-builder 26 schema validation, and a wrong key does not', async () => {
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, nsis: { ...config.nsis, oneClik: true } })).rejects.toThrow(/configuration\.nsis/);
  });

  it('builds deb, AppImage and NSIS, and sets the Electron fuses', () => {
    expect(config.linux.target.map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    expect(config.publish[0]).toMatchObject({ provider: 'generic' });
  });

  it('unpacks native modules and their shared libraries from asar, and ships every model file', () => {
    for (const g of ['**/*.node', '**/*.{so,so.*,dll,dylib}', 'node_modules/onnxruntime-node/bin/**', 'node_modules/better-sqlite3/build/Release/**'])
      expect(config.asarUnpack).toContain(g);
    const models = config.extraResources.find((r) => r.from === 'models/files');
    expect(models).toMatchObject({ to: 'models/files', filter: ['*.onnx'] });
    for (const m of manifest.models) expect(m.file).toMatch(/\.onnx$/);
    expect(config.files).toContain('out/**');
  });

  it('points at install scripts that exist, are executable and parse', () => {
    for (const key of ['afterInstall', 'afterRemove']) {
      const file = path.join(root, config.deb[key]!);
      expect(fs.statSync(file).mode & 0o111, file).not.toBe(0);
      expect(spawnSync('bash', ['-n', file]).status, file).toBe(0);
    }
  });

  it('takes the update feed and every runtime dependency from the npm registry only (no download in the normal install)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    // Pinned to one version from the registry, not a URL, a git reference or a range.
    expect(pkg.dependencies['electron-updater']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.scripts.postinstall ?? '').not.toMatch(/install-app-deps|electron-rebuild|install-electron/);
  });
});

describe('deploy/linux', () => {
  const unit = fs.readFileSync(path.join(linux, 'e-station.service'), 'utf8');
  const directives = (section: string) =>
    Object.fromEntries(
      (unit.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '')
        .split('\n')
        .filter((l) => /^[A-Za-z]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('the unit runs the app under cage as the estation user, restarting always', () => {
    const s = directives('Service');
    expect(s.Restart).toBe('always');
    expect(s.User).toBe('estation');
    expect(s.ExecStart).toMatch(/^\/usr\/bin\/cage -d -- \/opt\/E-Station\/e-station\b/);
    expect(s.ExecStart).not.toMatch(/ -s\b/); // no VT switching out of the kiosk
    const builder = YAML.parse(fs.readFileSync(builderYml, 'utf8')) as { productName: string; linux: { executableName: string } };
    expect(s.ExecStart).toContain(`/opt/${builder.productName}/${builder.linux.executableName}`);
    expect(directives('Unit').StartLimitIntervalSec).toBe('0');
    expect(directives('Install').WantedBy).toBe('graphical.target');
  });

  it('systemd-analyze verify finds nothing wrong with the unit itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-unit-'));
    const copy = path.join(dir, 'e-station.service');
    // Verify the unit's syntax and directives; the binaries it names exist only on a terminal.
    fs.writeFileSync(copy, unit.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8' });
    expect(r.error, 'systemd-analyze is installed by .ci/run (package systemd)').toBeUndefined();
    const problems = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('e-station.service'))
      .filter((l) => !/getty@tty1|graphical\.target|systemd-user-sessions|network-online/.test(l));
    expect(problems).toEqual([]);
  });

  it('the udev rules are well-formed and give the estation group serial, hidraw and USB devices', () => {
    const lines = fs
      .readFileSync(path.join(linux, '70-e-station.rules'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    const pair = /^\s*([A-Z_]+(\{[^}]+\})?)\s*(==|!=|=|\+=|:=)\s*"([^"]*)"\s*$/;
    for (const l of lines) for (const part of l.split(',')) expect(pair.test(part), `${l} :: ${part}`).toBe(true);
    const grants = lines.filter((l) => l.includes('GROUP="estation"'));
    for (const sub of ['tty', 'hidraw', 'usb'])
      expect(
        grants.some((l) => l.includes(`SUBSYSTEM=="${sub}"`)),
        sub,
      ).toBe(true);
    expect(grants.every((l) => l.includes('MODE="0660"'))).toBe(true);
  });

  it('the example config is a valid terminal config with real devices and a remote platform', () => {
    const c = loadConfigFile(path.join(linux, 'config.example.yaml'));
    expect(c.devices.simulate).toBe(false);
    expect(c.platform.kind).toBe('remote');
    expect(c.electron.updates.url).toMatch(/^http/);
  });

  it('the install script creates the user, installs unit and rules, and keeps the data directory', () => {
    const s = fs.readFileSync(path.join(linux, 'after-install.sh'), 'utf8');
    expect(s).toMatch(/useradd --system/);
    expect(s).toContain('/etc/systemd/system/e-station.service');
    expect(s).toContain('/etc/udev/rules.d/70-e-station.rules');
    const rm = fs.readFileSync(path.join(linux, 'after-remove.sh'), 'utf8');
    expect(rm).not.toMatch(/rm .*\/var\/lib\/estation/);
    execFileSync('bash', ['-n', path.join(linux, 'after-install.sh')]);
  });
});
