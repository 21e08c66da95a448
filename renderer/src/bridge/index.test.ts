// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBridge } from './fake';

class FakeEventSource {
  constructor(readonly url: string) {}
  close(): void {}
}

/** getBridge keeps the first bridge it finds: each test loads the module afresh. */
const load = async () => (await import('./index')).getBridge;

beforeEach(() => {
  vi.resetModules();
  vi.stubGlobal('EventSource', FakeEventSource);
  sessionStorage.clear();
  history.replaceState(null, '', '/');
  delete window.estation;
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('getBridge', () => {
  it("uses the Electron preload's bridge when there is one", async () => {
    const preload = new FakeBridge();
    window.estation = preload;
    const getBridge = await load();
    expect(getBridge()).toBe(preload);
  });

  it('falls back to HTTP with the launch token, and keeps that one bridge', async () => {
    history.replaceState(null, '', '/#token=ab12');
    const getBridge = await load();
    const bridge = getBridge();
    expect(bridge).not.toBeInstanceOf(FakeBridge);
    expect(typeof bridge.call).toBe('function');
    expect(getBridge()).toBe(bridge);
  });

  it('refuses without a preload or a token', async () => {
    const getBridge = await load();
    expect(() => getBridge()).toThrow('BRIDGE_UNAUTHORIZED');
  });
});
