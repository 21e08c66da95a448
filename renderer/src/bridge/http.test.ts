// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../../main/bridge/contract';
import { createHttpBridge, takeToken } from './http';

/** The server-sent events stream: the test pushes messages through `onmessage`. */
class FakeEventSource {
  static opened: FakeEventSource[] = [];
  onmessage: ((msg: { data: unknown }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  close(): void {
    this.closed = true;
  }
  push(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
}

const fetchMock = vi.fn<(url: string, init: RequestInit) => Promise<Response>>();
const answer = (body: unknown) => fetchMock.mockResolvedValueOnce(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));

beforeEach(() => {
  FakeEventSource.opened = [];
  fetchMock.mockReset();
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('fetch', fetchMock);
  sessionStorage.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('takeToken', () => {
  it('moves the launch token from the URL fragment to sessionStorage and clears the fragment', () => {
    history.replaceState(null, '', '/index.html?mode=kiosk#token=00ff3a');
    expect(takeToken()).toBe('00ff3a');
    expect(sessionStorage.getItem('estation.bridge.token')).toBe('00ff3a');
    expect(window.location.hash).toBe('');
    expect(window.location.pathname + window.location.search).toBe('/index.html?mode=kiosk');
  });

  it('finds the token among other fragment parameters', () => {
    history.replaceState(null, '', '/#lang=en&token=abc123');
    expect(takeToken()).toBe('abc123');
  });

  it('keeps working after a reload, when the fragment is gone', () => {
    history.replaceState(null, '', '/#token=beef');
    takeToken();
    history.replaceState(null, '', '/');
    expect(takeToken()).toBe('beef');
  });

  it('has no token when none was ever given', () => {
    history.replaceState(null, '', '/');
    expect(takeToken()).toBeNull();
  });

  it('ignores a token that is not hex, and leaves that fragment alone', () => {
    history.replaceState(null, '', '/#token=xyz');
    expect(takeToken()).toBeNull();
    expect(window.location.hash).toBe('#token=xyz');
  });
});

describe('createHttpBridge', () => {
  it('opens the event stream with the token', () => {
    createHttpBridge('ab12', 'http://127.0.0.1:7000');
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(['http://127.0.0.1:7000/bridge/events?token=ab12']);
  });

  it('posts a request as JSON with the bearer token and returns its value', async () => {
    const bridge = createHttpBridge('ab12');
    answer({ ok: true, value: { ended: true } });
    await expect(bridge.call('session.end', { reason: 'idle' })).resolves.toEqual({ ended: true });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/bridge/call/session.end');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer ab12' });
    expect(init.body).toBe('{"reason":"idle"}');
  });

  it('turns a refusal into a BridgeError with its code, message and details', async () => {
    const bridge = createHttpBridge('ab12');
    answer({ ok: false, error: { code: 'BRIDGE_BAD_PAYLOAD', message: 'bad payload', details: [{ path: 'pin', message: 'six digits' }] } });
    const err = await bridge.call('kiosk.ssPin', { pin: '12' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'BRIDGE_BAD_PAYLOAD', message: 'bad payload', details: [{ path: 'pin', message: 'six digits' }] });
  });

  it('delivers each event to the listeners of that event only', () => {
    const bridge = createHttpBridge('ab12');
    const sessions: unknown[] = [];
    const scans: unknown[] = [];
    bridge.on('session.changed', (p) => sessions.push(p));
    bridge.on('checkout.scan', (p) => scans.push(p));
    FakeEventSource.opened[0]!.push({ event: 'session.changed', payload: { session: null } });
    expect(sessions).toEqual([{ session: null }]);
    expect(scans).toEqual([]);
  });

  it('stops delivering to a listener once it unsubscribes, and keeps the others', () => {
    const bridge = createHttpBridge('ab12');
    const first: unknown[] = [];
    const second: unknown[] = [];
    const off = bridge.on('checkout.scan', (p) => first.push(p));
    bridge.on('checkout.scan', (p) => second.push(p));
    off();
    FakeEventSource.opened[0]!.push({ event: 'checkout.scan', payload: { listCode: 'XA01' } });
    expect(first).toEqual([]);
    expect(second).toEqual([{ listCode: 'XA01' }]);
  });

  it('skips messages that are not JSON or not an event envelope', () => {
    const bridge = createHttpBridge('ab12');
    const scans: unknown[] = [];
    bridge.on('checkout.scan', (p) => scans.push(p));
    const stream = FakeEventSource.opened[0]!;
    expect(() => stream.push('{not json')).not.toThrow();
    stream.push({ payload: { listCode: 'XA01' } });
    stream.push({ event: 'checkout.scan', payload: { listCode: 'XA02' } });
    expect(scans).toEqual([{ listCode: 'XA02' }]);
  });

  it('closes the event stream', () => {
    createHttpBridge('ab12').close();
    expect(FakeEventSource.opened[0]!.closed).toBe(true);
  });
});
