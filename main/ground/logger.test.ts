/** The log file sink never takes the process down: a vanished directory comes back, a dead disk goes to stderr. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { createLogger, fileSink } from './logger';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-log-'));
  dirs.push(d);
  return d;
};

it('a log directory removed under a running process is made again and the line is kept', () => {
  const dir = path.join(tmp(), 'logs');
  const log = createLogger({ sinks: [fileSink(dir)] });
  log.info('before');
  fs.rmSync(dir, { recursive: true, force: true });
  expect(() => log.warn('devices.lost', { device: 'printer' })).not.toThrow();
  const lines = fs.readFileSync(path.join(dir, 'estation.log'), 'utf8').trim().split('\n');
  expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['devices.lost']);
});

it('a log path that cannot be written goes to stderr with the reason instead of throwing', () => {
  const root = tmp();
  const dir = path.join(root, 'logs');
  const log = createLogger({ sinks: [fileSink(dir)] });
  // The directory becomes a plain file: neither appending nor making it again can work.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.writeFileSync(dir, 'not a directory');
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  expect(() => log.error('queue.stuck', { item: 7 })).not.toThrow();
  const said = err.mock.calls.map((c) => String(c[0])).join('');
  expect(said).toMatch(/not writable \((EEXIST|ENOTDIR)\)/);
  expect(said).toContain('queue.stuck');
});

it('rotates at the size limit and keeps the given number of old files', () => {
  const dir = tmp();
  const log = createLogger({ sinks: [fileSink(dir, 200, 2)] });
  for (let i = 0; i < 12; i++) log.info(`line-${i}`, { pad: 'x'.repeat(40) });
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(['estation.log', 'estation.log.1', 'estation.log.2']);
  for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(200);
  expect(fs.readFileSync(path.join(dir, 'estation.log'), 'utf8')).toContain('line-11');
});
