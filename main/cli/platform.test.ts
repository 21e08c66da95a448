import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { residentByName } from '../../fixtures/people/residents';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/estation.js');

describe('estation platform call', () => {
  it('sends one transaction to the embedded platform and prints the typed outcome', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-pcall-'));
    const input = path.join(dir, '1101.json');
    const wang = residentByName('王建国');
    fs.writeFileSync(input, JSON.stringify({ data: { mdtrt_cert_type: '02', mdtrt_cert_no: wang.idNumber, psn_cert_type: '01' } }));
    const { stdout } = await run(process.execPath, [bin, 'platform', 'call', '1101', '--input', input, '--json', '--data-dir', dir], { cwd: root });
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ kind: 'ok', output: { baseinfo: { psn_name: '王建国' } } });
    expect(r.msgid).toMatch(/^P44030300001\d{18}$/);
    fs.writeFileSync(input, JSON.stringify({ data: { mdtrt_cert_type: '02', mdtrt_cert_no: '110101190001010000', psn_cert_type: '01' } }));
    const refused = (await run(process.execPath, [bin, 'platform', 'call', '1101', '--input', input, '--data-dir', dir], { cwd: root }).catch(
      (e: unknown) => e,
    )) as { code: number; stdout: string };
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('未查询到参保信息');
    fs.writeFileSync(input, '{"data":{"mdtrt_cert_type":"09"}}');
    const bad = (await run(process.execPath, [bin, 'platform', 'call', '1101', '--input', input, '--data-dir', dir], { cwd: root }).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PLATFORM_INPUT_INVALID');
  });
});

describe('estation platform-sim', () => {
  it('runs standalone on the given port and answers the unified URL', async () => {
    const child = spawn(process.execPath, [bin, 'platform-sim', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ready = await new Promise<{ url: string }>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))));
      const res = await fetch(`${ready.url}/fsi/api/rsfComIfsService/callService`, { method: 'POST', body: '{"infno":"9001"' });
      expect(await res.json()).toMatchObject({ infcode: -1, err_msg: '报文格式错误' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
