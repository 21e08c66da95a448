import { describe, expect, it } from 'vitest';
import { Dispatcher, type Handlers } from './dispatcher';
import { BridgeError } from './contract';
import { createLogger, memorySink } from '../ground/logger';

const info = {
  version: '0.0.0',
  mode: 'kiosk' as const,
  locale: 'zh-CN' as const,
  terminalName: 't',
  elderlyModeDefault: false,
  idleTimeoutSeconds: 60,
  simulate: true,
  host: 'node' as const,
};

function make(handlers: Partial<Handlers>) {
  const sink = memorySink();
  return { d: new Dispatcher(handlers, createLogger({ sinks: [sink] })), sink };
}

describe('Dispatcher', () => {
  it('runs a handler with validated input and returns validated output', async () => {
    const { d } = make({ 'app.hello': () => info });
    expect(await d.dispatch('app.hello', {}, { transport: 'local' })).toEqual({ ok: true, value: info });
  });

  it('refuses an unknown channel with a typed error', async () => {
    const { d } = make({});
    const r = await d.dispatch('app.format-disk', {}, { transport: 'local' });
    expect(r).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
    expect(await d.dispatch(42, {}, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
    expect(await d.dispatch('__proto__', {}, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL' } });
  });

  it('refuses a bad payload, naming the fields, without calling the handler', async () => {
    let called = false;
    const { d } = make({ 'sim.device': () => ((called = true), undefined as never) });
    const r = await d.dispatch('sim.device', { action: 'unplug', deviceId: '' }, { transport: 'local' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BRIDGE_BAD_PAYLOAD');
      expect(r.error.details?.map((x) => x.path)).toEqual(['deviceId']);
    }
    const scan = await d.dispatch('sim.device', { action: 'scan', code: '', aim: ']Q1', extra: true }, { transport: 'local' });
    expect(scan).toMatchObject({ ok: false, error: { code: 'BRIDGE_BAD_PAYLOAD', details: [{ path: 'code' }, { path: '(root)' }] } });
    expect(await d.dispatch('sim.device', { action: 'explode' }, { transport: 'local' })).toMatchObject({
      ok: false,
      error: { code: 'BRIDGE_BAD_PAYLOAD', details: [{ path: 'action' }] },
    });
    expect(called).toBe(false);
    expect(await d.dispatch('app.hello', { extra: 1 }, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_BAD_PAYLOAD' } });
    expect(await d.dispatch('app.hello', null, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_BAD_PAYLOAD' } });
  });

  it('refuses an output that breaks the contract and logs it', async () => {
    const { d, sink } = make({ 'app.hello': () => ({ ...info, mode: 'casino' }) as never });
    expect(await d.dispatch('app.hello', {}, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_OUTPUT_INVALID' } });
    expect(sink.lines.join('\n')).toContain('bridge.output_invalid');
  });

  it('passes typed domain errors through and hides unexpected ones', async () => {
    const coded = make({ 'status.get': () => Promise.reject(Object.assign(new Error('paper out'), { code: 'PRINTER_PAPER_OUT' })) });
    expect(await coded.d.dispatch('status.get', {}, { transport: 'local' })).toEqual({ ok: false, error: { code: 'PRINTER_PAPER_OUT', message: 'paper out' } });
    const bridgeErr = make({ 'status.get': () => Promise.reject(new BridgeError('BRIDGE_NOT_AVAILABLE', 'no')) });
    expect(await bridgeErr.d.dispatch('status.get', {}, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_NOT_AVAILABLE' } });
    const bug = make({ 'status.get': () => Promise.reject(new TypeError('x is undefined at /secret/path.ts:12')) });
    const r = await bug.d.dispatch('status.get', {}, { transport: 'local' });
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('answers BRIDGE_NOT_AVAILABLE for a channel this terminal does not serve', async () => {
    const { d } = make({});
    expect(await d.dispatch('status.get', {}, { transport: 'local' })).toMatchObject({ ok: false, error: { code: 'BRIDGE_NOT_AVAILABLE' } });
  });
});
