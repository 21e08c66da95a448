import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig } from './config';

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('config', () => {
  it('has an embedded default that simulates everything', () => {
    const c = defaultConfig();
    expect(c.mode).toBe('kiosk');
    expect(c.locale).toBe('zh-CN');
    expect(c.devices.simulate).toBe(true);
    expect(c.platform.kind).toBe('embedded');
  });

  it('reads YAML and JSON files', () => {
    expect(loadConfigFile(tmpFile('c.yaml', 'mode: checkout\nterminal:\n  name: 收银台1\n')).mode).toBe('checkout');
    expect(loadConfigFile(tmpFile('c.json', '{"mode":"service","ui":{"elderlyMode":true}}')).ui.elderlyMode).toBe(true);
  });

  it('names the key and what was expected when a value is wrong', () => {
    try {
      parseConfig({ terminal: { institutionCode: 'H123' }, ui: { idleTimeoutSeconds: 'soon' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.problems.map((p) => p.key)).toEqual(['terminal.institutionCode', 'ui.idleTimeoutSeconds']);
      expect(e.message).toContain('terminal.institutionCode: 12 characters');
      expect(e.message).toContain('ui.idleTimeoutSeconds');
    }
  });

  it('names a misspelt key', () => {
    expect(() => parseConfig({ ui: { elderlymode: true } })).toThrow(/ui\.elderlymode: no such key/);
    expect(() => parseConfig({ mdoe: 'kiosk' })).toThrow(/mdoe: no such key/);
  });

  it('requires a url for a remote platform', () => {
    expect(() => parseConfig({ platform: { kind: 'remote' } })).toThrow(/platform\.url/);
  });

  it('reports unreadable and malformed files as config errors', () => {
    expect(() => loadConfigFile('/nonexistent/estation.yaml')).toThrow(ConfigError);
    expect(() => loadConfigFile(tmpFile('bad.json', '{"mode":'))).toThrow(/not valid JSON/);
    expect(() => loadConfigFile(tmpFile('bad.yaml', 'mode: [kiosk\n'))).toThrow(/not valid YAML/);
  });
});
