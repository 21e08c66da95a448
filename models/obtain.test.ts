import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { installFromTarball, tarEntries } from './obtain';
import { checkModels, manifest, modelsDir, readVerifiedModel } from './manifest';

function tar(entries: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 'latin1');
    h.write(e.data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    h.write('0', 156, 'latin1');
    blocks.push(h, e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe('obtain-and-verify', () => {
  it('reads regular files out of a tar archive', () => {
    const entries = [...tarEntries(tar([{ name: 'package/model/a.onnx', data: Buffer.from('hello') }]))];
    expect(entries.map((e) => [e.name, e.data.toString()])).toEqual([['package/model/a.onnx', 'hello']]);
  });

  it('refuses a package tarball whose integrity does not match the manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-models-'));
    const fake = gzipSync(tar(manifest.models.map((m) => ({ name: `package/model/${m.file}`, data: Buffer.alloc(10) }))));
    expect(() => installFromTarball(fake, dir)).toThrow(expect.objectContaining({ code: 'MODEL_SOURCE_MISMATCH' }));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('the installed models match the manifest, and a model file with one changed byte is refused', () => {
    expect(checkModels().map((c) => c.status)).toEqual(manifest.models.map(() => 'verified'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-models-'));
    const eye = manifest.models.find((m) => m.name === 'eye')!;
    const bytes = fs.readFileSync(path.join(modelsDir(), eye.file));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    fs.writeFileSync(path.join(dir, eye.file), bytes);
    expect(() => readVerifiedModel('eye', dir)).toThrow(expect.objectContaining({ code: 'MODEL_HASH_MISMATCH' }));
    expect(() => readVerifiedModel('pose', dir)).toThrow(expect.objectContaining({ code: 'MODEL_MISSING' }));
  });
});
