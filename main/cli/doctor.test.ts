import { describe, expect, it } from 'vitest';
import { parseConfig } from '../app/config';
import { simulationReport } from './doctor';

describe('estation doctor on simulation', () => {
  it('calls the embedded defaults simulate mode and names what can be injected', () => {
    const r = simulationReport(parseConfig({}));
    expect(r).toMatchObject({ devices: 'simulated', platform: 'embedded simulator', mode: 'simulate' });
    expect(r.summary).toMatch(/^SIMULATE MODE/);
    expect(r.summary).toContain('cards, scans, platform answers can be injected');
  });

  it('is simulate mode while either half is simulated', () => {
    expect(simulationReport(parseConfig({ devices: { simulate: false } })).summary).toContain('platform answers can be injected');
    const remote = simulationReport(parseConfig({ platform: { kind: 'remote', url: 'https://hsa.example/fsi' } }));
    expect(remote.mode).toBe('simulate');
    expect(remote.summary).toContain('cards, scans can be injected');
  });

  it('is production only with hardware devices and a remote platform', () => {
    const r = simulationReport(parseConfig({ devices: { simulate: false }, platform: { kind: 'remote', url: 'https://hsa.example/fsi' } }));
    expect(r).toMatchObject({ devices: 'hardware', platform: 'remote', mode: 'production' });
    expect(r.summary).toBe('production: hardware devices, remote platform https://hsa.example/fsi; nothing can inject a card, a scan or a platform answer');
  });
});
