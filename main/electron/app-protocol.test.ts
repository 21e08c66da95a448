import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appResponse } from './app-protocol';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-app-'));
fs.mkdirSync(path.join(dir, 'assets'));
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
fs.writeFileSync(path.join(dir, 'assets', 'index.js'), 'console.log(1)');
fs.writeFileSync(path.join(os.tmpdir(), 'estation-secret.txt'), 'secret');
const get = (url: string, fatal: string | null = null) => appResponse(url, dir, () => fatal);

describe('app://kiosk', () => {
  it('serves the renderer with the CSP and the right types', async () => {
    const r = get('app://kiosk/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await r.text()).toContain('id="root"');
    expect(get('app://kiosk/assets/index.js').headers.get('content-type')).toBe('text/javascript');
  });

  it('refuses paths outside the renderer, other hosts, directories and garbage', async () => {
    for (const u of [
      'app://kiosk/../estation-secret.txt',
      'app://kiosk/%2e%2e/estation-secret.txt',
      'app://kiosk/assets/..%2f..%2festation-secret.txt',
      'app://kiosk/assets',
      'app://other/index.html',
      'app://kiosk/nope.js',
      'not a url',
    ])
      expect([400, 404], u).toContain(get(u).status);
  });

  it('shows the out-of-service page at /__fatal, never cached', async () => {
    const r = get('app://kiosk/__fatal', '<body data-fatal-code="X">暂停服务</body>');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.text()).toContain('暂停服务');
  });
});
