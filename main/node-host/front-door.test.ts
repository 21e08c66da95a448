/**
 * The Node host's front door, tried the way an attacker on the same machine would: a malformed
 * path, a missing token, a body too large, a foreign Host (DNS rebinding), a burst of calls and
 * pipelined requests. Each answer is a typed error and the host keeps answering. The terminal
 * here has hardware devices (none configured), as in production: sim.* does not exist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../app/config';
import { Dispatcher } from '../bridge/dispatcher';
import { EventBus } from '../bridge/event-bus';
import { silentLogger } from '../ground/logger';
import { startNodeHost, type NodeHost } from './host';
import { HttpBridge } from './http-bridge';
import { rawExchange, rawRequest, type RawAnswer } from './testing';

async function start(extra: ConfigInput = {}): Promise<NodeHost> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-door-'));
  const rendererDir = path.join(tmp, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  const config = parseConfig({
    dataDir: path.join(tmp, 'data'),
    devices: { simulate: false },
    face: { enabled: false },
    platform: { healthIntervalMs: 60_000 },
    ...extra,
  });
  return startNodeHost(config, { headless: true, port: 0, rendererDir });
}

const portOf = (h: NodeHost) => Number(new URL(h.url).port);

function expectTyped(a: RawAnswer, status: number, errorCode: string): void {
  expect({ status: a.status, body: a.body }).toMatchObject({ status, body: { ok: false, error: { code: errorCode, message: expect.any(String) } } });
}

let host: NodeHost;
let port: number;
const bearer = () => ({ authorization: `Bearer ${host.token}` });

beforeAll(async () => {
  host = await start();
  port = portOf(host);
});
afterAll(async () => {
  await host?.close();
});

describe('the front door of the Node host', () => {
  it('answers a malformed path with 401 without the token and a typed 400 with it, and keeps running', async () => {
    expectTyped(await rawRequest(port, { path: '/bridge/call/%ZZ', body: '{}' }), 401, 'BRIDGE_UNAUTHORIZED');
    for (const p of [
      '/bridge/call/%ZZ',
      '/bridge/call/%E0%A4%A',
      '/bridge/call/',
      '/bridge/call/a%2Fb.c',
      '/bridge/call/app.hello%00',
      '/bridge/call/..%2F..',
    ]) {
      expectTyped(await rawRequest(port, { path: p, headers: bearer(), body: '{}' }), 400, 'BRIDGE_BAD_PATH');
    }
    // A well-formed name that is no channel is the dispatcher's answer, not a path error.
    expectTyped(await rawRequest(port, { path: '/bridge/call/no.such', headers: bearer(), body: '{}' }), 404, 'BRIDGE_UNKNOWN_CHANNEL');
    const hello = await rawRequest(port, { path: '/bridge/call/app.hello', headers: bearer(), body: '{}' });
    expect(hello).toMatchObject({ status: 200, body: { ok: true, value: { host: 'node' } } });
  });

  it('refuses a missing or wrong token with 401 before it looks at the path, the body or its size', async () => {
    const wrong = { authorization: `Bearer ${'0'.repeat(48)}` };
    for (const headers of [{}, wrong, { authorization: host.token }, { authorization: `Basic ${host.token}` }]) {
      expectTyped(await rawRequest(port, { path: '/bridge/call/%ZZ', headers, body: '{"not json' }), 401, 'BRIDGE_UNAUTHORIZED');
      expectTyped(await rawRequest(port, { path: '/bridge/call/app.hello', headers, body: '{"not json' }), 401, 'BRIDGE_UNAUTHORIZED');
      // Declared far over the limit: still 401, so the size was not what was judged.
      const big = await rawRequest(port, { path: '/bridge/call/app.hello', headers, streamBytes: 3 * 1024 * 1024 });
      expectTyped(big, 401, 'BRIDGE_UNAUTHORIZED');
      expectTyped(await rawRequest(port, { method: 'GET', path: '/bridge/events', headers }), 401, 'BRIDGE_UNAUTHORIZED');
      expectTyped(await rawRequest(port, { method: 'GET', path: '/bridge/nowhere%ZZ', headers }), 401, 'BRIDGE_UNAUTHORIZED');
    }
    expectTyped(await rawRequest(port, { method: 'GET', path: `/bridge/events?token=${'f'.repeat(48)}` }), 401, 'BRIDGE_UNAUTHORIZED');
    expectTyped(await rawRequest(port, { method: 'GET', path: '/bridge/events?token=%ZZ&token' }), 401, 'BRIDGE_UNAUTHORIZED');
  });

  it('answers a body over the limit with a typed 413, declared or streamed, on a connection that stays usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const declared = await rawRequest(port, { path: '/bridge/call/app.hello', headers: bearer(), body: Buffer.alloc(2 * 1024 * 1024 + 1, 0x20), agent });
    expectTyped(declared, 413, 'BRIDGE_PAYLOAD_TOO_LARGE');
    // Chunked, so no length announces it: the host counts as it reads.
    const streamed = await rawRequest(port, { path: '/bridge/call/app.hello', headers: bearer(), streamBytes: 8 * 1024 * 1024 });
    expectTyped(streamed, 413, 'BRIDGE_PAYLOAD_TOO_LARGE');
    // Just under the limit is read and judged on its content.
    const under = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024 - 20) });
    expectTyped(await rawRequest(port, { path: '/bridge/call/app.hello', headers: bearer(), body: under, agent }), 400, 'BRIDGE_BAD_PAYLOAD');
    expect((await rawRequest(port, { path: '/bridge/call/status.get', headers: bearer(), body: '{}', agent })).status).toBe(200);
    agent.destroy();
  });

  it('refuses a Host other than 127.0.0.1:<port> or localhost:<port> with a typed 421, for the bridge, the events and the page', async () => {
    for (const h of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, `[::1]:${port}`, '']) {
      expectTyped(await rawRequest(port, { path: '/bridge/call/app.hello', headers: { ...bearer(), host: h }, body: '{}' }), 421, 'BRIDGE_FORBIDDEN_HOST');
      expectTyped(await rawRequest(port, { method: 'GET', path: `/bridge/events?token=${host.token}`, headers: { host: h } }), 421, 'BRIDGE_FORBIDDEN_HOST');
      expectTyped(await rawRequest(port, { method: 'GET', path: '/', headers: { host: h } }), 421, 'BRIDGE_FORBIDDEN_HOST');
    }
    // HTTP/1.0 without any Host at all.
    const noHost = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n', (got) => got.includes('}'));
    expect(noHost).toMatch(/^HTTP\/1\.1 421 /);
    expect(noHost).toContain('"code":"BRIDGE_FORBIDDEN_HOST"');
    for (const h of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await rawRequest(port, { path: '/bridge/call/app.hello', headers: { ...bearer(), host: h }, body: '{}' })).status).toBe(200);
    }
    expect((await rawRequest(port, { method: 'GET', path: '/', headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('answers what the HTTP parser cannot read with a typed 400 or 431', async () => {
    const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n', (got) => got.includes('}'));
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('"code":"BRIDGE_MALFORMED_MESSAGE"');
    const huge = await rawExchange(port, `GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`, (got) => got.includes('}'));
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toContain('"code":"BRIDGE_HEADERS_TOO_LARGE"');
  });

  it('limits open event streams to 4 and refuses a fifth with a typed 429', async () => {
    const ctrls = Array.from({ length: 4 }, () => new AbortController());
    const open = await Promise.all(ctrls.map((c) => fetch(`${host.url}/bridge/events?token=${host.token}`, { signal: c.signal })));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const fifth = await rawRequest(port, { method: 'GET', path: `/bridge/events?token=${host.token}` });
    expectTyped(fifth, 429, 'BRIDGE_RATE_LIMITED');
    for (const c of ctrls) c.abort();
    // A closed stream frees its place.
    await expect
      .poll(
        async () => {
          const c = new AbortController();
          const r = await fetch(`${host.url}/bridge/events?token=${host.token}`, { signal: c.signal });
          c.abort();
          return r.status;
        },
        { timeout: 5000 },
      )
      .toBe(200);
  });

  it('has no sim.* channels when devices are not simulated: nothing can inject a card, a scan or a printer state', async () => {
    const inject = [
      ['sim.device', { action: 'insert-id-card', card: { name: '张三', idNumber: '110101199003074514', gender: '1', birthDate: '19900307' } }],
      ['sim.device', { action: 'scan', code: '6901234567892' }],
      ['sim.device', { deviceId: 'printer', action: 'unplug' }],
      ['sim.printed', {}],
    ] as const;
    for (const [channel, input] of inject) {
      const a = await rawRequest(port, { path: `/bridge/call/${channel}`, headers: bearer(), body: JSON.stringify(input) });
      // Not a handler that refuses: no handler at all, so the dispatcher answers.
      expect(a.body).toEqual({ ok: false, error: { code: 'BRIDGE_NOT_AVAILABLE', message: `${channel} is not available on this terminal` } });
    }
    const hello = await rawRequest(port, { path: '/bridge/call/app.hello', headers: bearer(), body: '{}' });
    expect(hello.body).toMatchObject({ ok: true, value: { simulate: false } });
  });

  it('answers the page server’s own refusals as typed errors too', async () => {
    expectTyped(await rawRequest(port, { method: 'GET', path: '/assets/none.js' }), 404, 'BRIDGE_NOT_FOUND');
    expectTyped(await rawRequest(port, { method: 'DELETE', path: '/' }), 405, 'BRIDGE_METHOD_NOT_ALLOWED');
    expectTyped(await rawRequest(port, { method: 'GET', path: '/x%00.js' }), 404, 'BRIDGE_NOT_FOUND');
  });
});

describe('requests in flight on one connection', () => {
  it('answers pipelined calls past 8 with a typed 429 while the first ones are still being served', async () => {
    // A bridge alone in front of a call that waits: only then do pipelined requests overlap.
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const bridge = new HttpBridge({
      token: 'ab'.repeat(24),
      port: () => 0,
      dispatcher: new Dispatcher({ 'session.touch': () => gate.then(() => ({ ok: true as const })) }, silentLogger),
      bus: new EventBus(silentLogger),
      limits: { maxBodyBytes: 1024, perSecond: 1000, burst: 1000, perConnection: 8, eventStreams: 1 },
    });
    const server = http.createServer((req, res) => void bridge.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const p = (server.address() as AddressInfo).port;
    const one = `POST /bridge/call/session.touch HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${'ab'.repeat(24)}\r\ncontent-length: 2\r\n\r\n{}`;
    const exchange = rawExchange(p, one.repeat(30), (g) => (g.match(/HTTP\/1\.1 /g) ?? []).length === 30);
    await new Promise((r) => setTimeout(r, 200));
    release();
    const got = await exchange;
    const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([...Array<number>(8).fill(200), ...Array<number>(22).fill(429)]);
    expect(got).toContain('"code":"BRIDGE_RATE_LIMITED"');
    bridge.close();
    server.close();
  });
});

describe('the token’s rate limit', () => {
  let limited: NodeHost;
  beforeAll(async () => {
    limited = await start({ host: { rateLimit: { perSecond: 2, burst: 20 } } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers a burst past the allowance with a typed 429 and serves again once it refills', async () => {
    const p = portOf(limited);
    const headers = { authorization: `Bearer ${limited.token}` };
    const answers = await Promise.all(Array.from({ length: 60 }, () => rawRequest(p, { path: '/bridge/call/status.get', headers, body: '{}' })));
    const ok = answers.filter((a) => a.status === 200).length;
    const limitedAnswers = answers.filter((a) => a.status === 429);
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(25);
    expect(limitedAnswers.length).toBe(60 - ok);
    for (const a of limitedAnswers) expectTyped(a, 429, 'BRIDGE_RATE_LIMITED');
    // Without the token the bucket is not even consulted.
    expectTyped(await rawRequest(p, { path: '/bridge/call/status.get', body: '{}' }), 401, 'BRIDGE_UNAUTHORIZED');
    await expect.poll(async () => (await rawRequest(p, { path: '/bridge/call/status.get', headers, body: '{}' })).status, { timeout: 5000 }).toBe(200);
  });
});
