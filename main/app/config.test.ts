import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig } from './config';
import { locateConfig } from './paths';

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

  it("takes a region's service declarations and names the key of a wrong one", () => {
    const decl = {
      id: 'tier-one-hospitals',
      row: 20,
      name: '三级定点医院',
      en: 'Tier-one hospitals',
      category: 'query',
      identity: 'public',
      prompt: '本地三级定点医院',
      tx: { infno: 'X1901', input: { data: { medins_lv: '1' } } },
      result: { kind: 'table', list: 'medins', empty: '没有', columns: [{ key: 'medins_name', label: '名称' }] },
      rank: 5,
    };
    expect(parseConfig({ kiosk: { services: [decl] } }).kiosk.services).toHaveLength(1);
    expect(() => parseConfig({ kiosk: { services: [{ ...decl, form: [{ key: 'lv', label: '等级', kind: 'dropdown' }] }] } })).toThrow(
      /kiosk\.services\.0\.form\.0\.kind/,
    );
    expect(() => parseConfig({ kiosk: { services: [{ ...decl, form: [{ key: 'lv', label: '等级', kind: 'select' }] }] } })).toThrow(
      /kiosk\.services\.0\.form\.0\.dict: a select needs a dict/,
    );
    expect(() => parseConfig({ kiosk: { services: [{ ...decl, tx: undefined }] } })).toThrow(/kiosk\.services\.0\.tx: a service has either a tx/);
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

  it('refuses an empty config file, naming it, instead of starting on the defaults', () => {
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['blank.json', '  \n'],
      ['comments.yaml', '# mode: checkout\n'],
      ['null.json', 'null'],
    ] as const) {
      const file = tmpFile(name, text);
      expect(() => loadConfigFile(file), name).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`config file ${file} is empty`) }),
      );
    }
  });

  it('refuses a config path it cannot read, naming it', () => {
    const dir = path.dirname(tmpFile('x.yaml', 'mode: kiosk\n'));
    expect(() => loadConfigFile(dir)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`cannot read config file ${dir}`) }),
    );
  });
});

describe('where a terminal finds its config', () => {
  const none = () => false;
  it('takes --config first, then ESTATION_CONFIG, then /etc/estation, then the data directory, else the default', () => {
    expect(locateConfig(['--config', '/a.yaml'], { ESTATION_CONFIG: '/b.yaml' }, none, 'linux')).toBe('/a.yaml');
    expect(locateConfig(['--config=/a.yaml'], {}, none, 'linux')).toBe('/a.yaml');
    expect(locateConfig([], { ESTATION_CONFIG: '/b.yaml' }, none, 'linux')).toBe('/b.yaml');
    expect(locateConfig([], { ESTATION_DATA_DIR: '/d' }, (f) => f === '/etc/estation/config.yaml' || f === '/d/config.yaml', 'linux')).toBe(
      '/etc/estation/config.yaml',
    );
    expect(locateConfig([], { ESTATION_DATA_DIR: '/d' }, (f) => f === '/d/config.yaml', 'linux')).toBe('/d/config.yaml');
    expect(locateConfig([], { ESTATION_DATA_DIR: '/d' }, none, 'linux')).toBeNull();
  });

  it('checks the Electron shell section: time zone, update URL, maintenance window', () => {
    expect(() => parseConfig({ electron: { timeZone: 'Mars/Olympus', updates: { url: 'ftp://lan/updates', windowStart: '25:00' } } })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.objectContaining({ key: 'electron.timeZone' }),
          expect.objectContaining({ key: 'electron.updates.url' }),
          expect.objectContaining({ key: 'electron.updates.windowStart' }),
        ]),
      }),
    );
    expect(parseConfig({ electron: { updates: { url: 'http://10.0.0.5/estation/' } } }).electron.updates.url).toBe('http://10.0.0.5/estation/');
  });
});
