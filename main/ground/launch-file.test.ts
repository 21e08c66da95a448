import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLaunchFile, removeLaunchFile, writeLaunchFile } from './launch-file';

const URL_WITH_TOKEN = `http://127.0.0.1:4321/#token=${'ab'.repeat(24)}`;

describe('the launch file', () => {
  it('holds the launch URL, readable by the owner only', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-launch-')), 'data', 'launch-url');
    writeLaunchFile(file, URL_WITH_TOKEN);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readLaunchFile(file)).toEqual({ launchUrl: URL_WITH_TOKEN, token: 'ab'.repeat(24) });
    removeLaunchFile(file);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('replaces a world-readable file left by an earlier launch, and a link planted at its path without writing through it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-launch-'));
    const file = path.join(dir, 'launch-url');
    fs.writeFileSync(file, 'old\n', { mode: 0o644 });
    writeLaunchFile(file, URL_WITH_TOKEN);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const target = path.join(dir, 'elsewhere');
    fs.writeFileSync(target, 'untouched', { mode: 0o644 });
    fs.rmSync(file);
    fs.symlinkSync(target, file);
    writeLaunchFile(file, URL_WITH_TOKEN);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
