/**
 * The fleet console's HTTP front door and API, over real HTTP on 127.0.0.1 against a FleetServer
 * on the embedded broker, with a real terminal agent (main/fleet/agent.ts) reporting to it. Waits
 * are on events (the server's, the event stream's), never fixed sleeps. Everything runs twice: the
 * server's store on SQLite, then on PostgreSQL (ESTATION_TEST_PG; skipped by name without it).
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetAgent } from '../main/fleet/agent';
import { fleetConfigSchema } from '../main/fleet/config';
import { systemClock } from '../main/ground/clock';
import { silentLogger } from '../main/ground/logger';
import { openDatabase, type Db } from '../main/store/database';
import { parseConfig } from '../main/app/config';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, CONSOLE_CSP, MAX_BODY_BYTES, type FleetConsole } from './http';
import { FleetServer } from './server';
import { openTestStore, STORES, type StoreKind, type TestStore } from './testing-pg';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fleet-http-'));
/** The running store's own directory (the terminal's database): each store starts from nothing. */
let dir: string;
let store: TestStore;
let broker: EmbeddedBroker;
let server: FleetServer;
let fleetConsole: FleetConsole;
let port: number;
let agent: FleetAgent | null = null;
let agentDb: Db | null = null;
let password: string;
const openStreams: http.ClientRequest[] = [];

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A fresh store of `kind`, its server, a broker and the console, for one run of every test below. */
function consoleOn(kind: StoreKind) {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(root, `${kind.dialect}-`));
    store = await openTestStore(kind, dir);
    server = new FleetServer(store.db);
    broker = await startEmbeddedBroker({ authenticate: server.authenticate });
    await server.connect(broker.url, server.serverCredentials());
    password = (await server.register('T-HTTP', { chain: 'C1', group: '南山区' }))!;
    await server.register('T-QUIET', { chain: 'C1', group: '南山区' });
    fleetConsole = await startConsole({ server });
    port = Number(new URL(fleetConsole.url).port);
  });

  afterAll(async () => {
    for (const s of openStreams.splice(0)) s.destroy();
    await agent?.stop();
    agentDb?.close();
    agent = null;
    agentDb = null;
    await fleetConsole?.close();
    await server?.close();
    await broker?.close();
    await store?.dispose();
  });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { error?: { code: string; message: string; problems?: { key: string; expected: string }[] } } & Record<string, unknown>;
}

/** One request with full control of the headers (Host included) and the raw path. */
function request(
  method: string,
  rawPath: string,
  opts: { token?: string | null; host?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers };
    const token = opts.token === undefined ? fleetConsole.token : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json = {} as Answer['json'];
        try {
          json = JSON.parse(text) as Answer['json'];
        } catch {
          // Not JSON (the page, the script).
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Opens the event stream and collects what arrives; `next(test)` resolves with the first event block that passes. */
function openEvents(consoleUnderTest: FleetConsole = fleetConsole) {
  const p = Number(new URL(consoleUnderTest.url).port);
  const blocks: string[] = [];
  const waiters: { test: (b: string) => boolean; resolve: (b: string) => void }[] = [];
  let ended: () => void = () => undefined;
  const end = new Promise<void>((r) => (ended = r));
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: p, path: '/api/events', headers: { host: `127.0.0.1:${p}`, authorization: `Bearer ${consoleUnderTest.token}` }, agent: false },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            blocks.push(block);
            for (const w of waiters.splice(0)) {
              if (w.test(block)) w.resolve(block);
              else waiters.push(w);
            }
          }
        });
        res.on('end', ended);
        res.on('close', ended);
        resolve(res);
      },
    );
    req.on('error', reject);
    openStreams.push(req);
  });
  return {
    opened,
    end,
    blocks,
    next(test: (b: string) => boolean, ms = 15_000): Promise<string> {
      const seen = blocks.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such event within ${ms} ms; got: ${blocks.join(' | ')}`)), ms);
        waiters.push({
          test,
          resolve: (b) => {
            clearTimeout(timer);
            resolve(b);
          },
        });
      });
    },
  };
}

function startAgent() {
  agentDb = openDatabase(path.join(dir, 'terminal.sqlite'));
  agent = new FleetAgent({
    terminalId: 'T-HTTP',
    mode: 'checkout',
    version: '0.1.0',
    config: fleetConfigSchema.parse({ enabled: true, url: broker.url, chain: 'C1', password, healthIntervalSeconds: 1, backoff: { minMs: 50, maxMs: 200 } }),
    db: agentDb,
    clock: systemClock,
    log: silentLogger,
    health: async () => ({
      devices: [{ id: 'printer', state: 'absent', code: 'DEVICE_ABSENT' }],
      paper: 'ok',
      queue: { pending: 2, unknown: 0, needsAttention: 0, oldestPendingAt: new Date().toISOString() },
      platform: 'online',
      disk: null,
      lastError: null,
    }),
    applyConfig: (patch) => {
      parseConfig(patch);
      return { live: ['ui.idleTimeoutSeconds'], atRestart: [] };
    },
    commands: {
      restart: async () => ({ restarting: true }),
      'self-test': async () => ({ passed: 1, failed: [] }),
      readiness: async () => ({ ready: true }),
      'drain-queue': async () => ({ delivered: 0 }),
      'out-of-service': async () => ({ outOfService: true }),
      'in-service': async () => ({ outOfService: false }),
      'answer-help': async () => ({ ended: false }),
    },
    outOfService: () => false,
  });
  agent.start();
}

for (const kind of STORES) {
  describe.skipIf(kind.skip)(`the console with its store on ${kind.name}`, () => {
    consoleOn(kind);

    describe('the console’s front door', () => {
      it('serves the page and its script with a strict CSP, nosniff and no framing; the page has no inline script or style', async () => {
        const page = await request('GET', '/', { token: null });
        expect(page.status).toBe(200);
        expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
        expect(CONSOLE_CSP).toContain("default-src 'self'");
        expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
        expect(CONSOLE_CSP).not.toContain('unsafe-inline');
        expect(page.headers['x-content-type-options']).toBe('nosniff');
        expect(page.headers['x-frame-options']).toBe('DENY');
        expect(page.text).toContain('<html lang="zh-CN">');
        // Every script has a src; no <style> element and no style attribute (the CSP would block them anyway).
        expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
        const script = await request('GET', '/console.js', { token: null });
        expect(script.status).toBe(200);
        expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
        expect(script.headers['x-content-type-options']).toBe('nosniff');
        expect(script.text).not.toContain('innerHTML');
      });

      it('401 without the token or with a wrong one, on every API route', async () => {
        for (const [method, p] of [
          ['GET', '/api/terminals'],
          ['GET', '/api/terminals/T-HTTP'],
          ['PUT', '/api/terminals/T-HTTP/config'],
          ['GET', '/api/events'],
          ['GET', '/api/nothing-here'],
        ] as const) {
          const none = await request(method, p, { token: null });
          expect(none.status, `${method} ${p}`).toBe(401);
          expect(none.json.error?.code).toBe('CONSOLE_UNAUTHORIZED');
          expect(none.headers['www-authenticate']).toBe('Bearer');
          const wrong = await request(method, p, { token: 'ab'.repeat(24) });
          expect(wrong.status).toBe(401);
        }
        expect((await request('GET', '/api/terminals', { token: null, headers: { authorization: fleetConsole.token } })).status).toBe(401);
      });

      it('421 when the Host header names anything but 127.0.0.1:port or localhost:port (DNS rebinding), with the right token too', async () => {
        for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.2:${port}`]) {
          const r = await request('GET', '/api/terminals', { host });
          expect(r.status, host).toBe(421);
          expect(r.json.error?.code).toBe('CONSOLE_FORBIDDEN_HOST');
        }
        expect((await request('GET', '/', { host: `rebound.example:${port}`, token: null })).status).toBe(421);
        expect((await request('GET', '/api/terminals', { host: `localhost:${port}` })).status).toBe(200);
        expect((await request('GET', '/api/terminals', { host: `LOCALHOST:${port}` })).status).toBe(200);
      });

      it('403 for a request from another origin', async () => {
        const r = await request('GET', '/api/terminals', { headers: { origin: 'http://evil.example' } });
        expect(r.status).toBe(403);
        expect(r.json.error?.code).toBe('CONSOLE_FORBIDDEN_ORIGIN');
        expect((await request('GET', '/api/terminals', { headers: { origin: `http://127.0.0.1:${port}` } })).status).toBe(200);
      });

      it('413 for a body over 64 KB, declared or streamed; the connection still answers', async () => {
        const big = JSON.stringify({ terminal: { name: 'x'.repeat(MAX_BODY_BYTES) } });
        const declared = await request('PUT', '/api/terminals/T-HTTP/config', { body: big });
        expect(declared.status).toBe(413);
        expect(declared.json.error?.code).toBe('CONSOLE_PAYLOAD_TOO_LARGE');
        const streamed = await request('PUT', '/api/terminals/T-HTTP/config', { body: big, chunked: true });
        expect(streamed.status).toBe(413);
        expect(streamed.json.error?.code).toBe('CONSOLE_PAYLOAD_TOO_LARGE');
        expect((await server.terminal('T-HTTP'))?.desired).toBeNull();
      });

      it('400 with a typed body for malformed JSON, a body that is not an object, and a malformed command', async () => {
        const bad = await request('PUT', '/api/terminals/T-HTTP/config', { body: '{"ui": {' });
        expect(bad.status).toBe(400);
        expect(bad.json).toEqual({ error: { code: 'CONSOLE_BAD_JSON', message: expect.any(String) } });
        const array = await request('PUT', '/api/terminals/T-HTTP/config', { body: '[1, 2]' });
        expect(array.status).toBe(400);
        expect(array.json.error?.code).toBe('CONSOLE_BAD_REQUEST');
        const cmd = await request('POST', '/api/terminals/T-HTTP/commands', { body: JSON.stringify({ kind: 'format-disk' }) });
        expect(cmd.status).toBe(400);
        expect(cmd.json.error?.problems?.[0]?.key).toBe('kind');
        const ttl = await request('POST', '/api/terminals/T-HTTP/commands', { body: JSON.stringify({ kind: 'self-test', ttlSeconds: 1 }) });
        expect(ttl.status).toBe(400);
        expect(ttl.json.error?.problems?.[0]?.key).toBe('ttlSeconds');
      });

      it('400 for a path that is not valid percent-encoding (/api/terminals/%ZZ), and the console keeps answering', async () => {
        for (const p of ['/api/terminals/%ZZ', '/api/terminals/%E4%B8', '/api/terminals/%ZZ/config', '/api/commands/%']) {
          const r = await request('GET', p);
          expect(r.status, p).toBe(400);
          expect(r.json.error?.code).toBe('CONSOLE_BAD_PATH');
        }
        expect((await request('GET', '/api/terminals/a%00b')).status).toBe(400);
        expect((await request('GET', '/api/terminals')).status).toBe(200);
      });

      it('404 for an unknown route, terminal or command; 405 for a known route with another method', async () => {
        for (const p of ['/nothing', '/api/nothing', '/api/terminals/T-HTTP/nothing', '/api', '/console.js.map']) {
          const r = await request('GET', p);
          expect(r.status, p).toBe(404);
          expect(r.json.error?.code).toBe('CONSOLE_NOT_FOUND');
        }
        const unknown = await request('GET', '/api/terminals/T-NOBODY');
        expect(unknown.status).toBe(404);
        expect(unknown.json.error?.code).toBe('FLEET_UNKNOWN_TERMINAL');
        expect((await request('PUT', '/api/terminals/T-NOBODY/config', { body: '{}' })).json.error?.code).toBe('FLEET_UNKNOWN_TERMINAL');
        expect((await request('GET', '/api/terminals/bad%20id')).status).toBe(404);
        expect((await request('GET', '/api/commands/0123456789abcdef')).json.error?.code).toBe('FLEET_UNKNOWN_COMMAND');
        const method = await request('DELETE', '/api/terminals');
        expect(method.status).toBe(405);
        expect(method.headers.allow).toBe('GET');
        expect((await request('GET', '/api/terminals/T-HTTP/config')).status).toBe(405);
        expect((await request('POST', '/', { token: null })).status).toBe(405);
      });

      it('a request Node cannot parse gets a typed 400, and the console lives on', async () => {
        const reply = await new Promise<string>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
          let text = '';
          s.on('data', (d) => (text += d.toString()));
          s.on('close', () => resolve(text));
          s.on('error', reject);
        });
        expect(reply).toMatch(/^HTTP\/1\.1 400 /);
        expect(reply).toContain('"code":"CONSOLE_MALFORMED_MESSAGE"');
        expect((await request('GET', '/api/terminals')).status).toBe(200);
      });
    });

    describe('the console’s API with a terminal reporting', () => {
      it('the event stream delivers `changed` once the terminal’s health arrives; the views then carry it', async () => {
        const events = openEvents();
        const res = await events.opened;
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
        await events.next((b) => b === ': connected');
        startAgent();
        const health = await events.next((b) => b.startsWith('event: changed') && b.includes('"what":"health"'));
        expect(health).toBe('event: changed\ndata: {"terminalId":"T-HTTP","what":"health"}');
        await events.next((b) => b.includes('"what":"presence"'));
        await server.settled();

        const list = await request('GET', '/api/terminals');
        expect(list.status).toBe(200);
        const terminals = list.json.terminals as {
          id: string;
          presence: { state: string } | null;
          health: { devices: { id: string; state: string }[] } | null;
        }[];
        expect(terminals.map((t) => t.id).sort()).toEqual(['T-HTTP', 'T-QUIET']);
        const t = terminals.find((x) => x.id === 'T-HTTP')!;
        expect(t.presence?.state).toBe('online');
        expect(t.health?.devices).toEqual([{ id: 'printer', state: 'absent', code: 'DEVICE_ABSENT' }]);
        expect(terminals.find((x) => x.id === 'T-QUIET')!.presence).toBeNull();
        expect(Date.parse(list.json.now as string)).toBeGreaterThan(0);

        const one = await request('GET', '/api/terminals/T-HTTP');
        expect(one.status).toBe(200);
        expect((one.json.terminal as { id: string }).id).toBe('T-HTTP');
        const history = one.json.history as { queue: { pending: number } }[];
        expect(history.length).toBeGreaterThanOrEqual(1);
        expect(history.length).toBeLessThanOrEqual(60);
        expect(history[0]!.queue.pending).toBe(2);
        expect(one.json.commands).toEqual([]);
      });

      it('PUT config: refused with 422 naming the key when the terminal’s schema cannot accept it; accepted with its version, then reported applied', async () => {
        const refused = await request('PUT', '/api/terminals/T-HTTP/config', { body: JSON.stringify({ ui: { idleTimeoutSeconds: 'soon' } }) });
        expect(refused.status).toBe(422);
        expect(refused.json.error?.code).toBe('FLEET_CONFIG_INVALID');
        expect(refused.json.error?.problems?.map((p) => p.key)).toEqual(['ui.idleTimeoutSeconds']);
        const unknownKey = await request('PUT', '/api/terminals/T-HTTP/config', { body: JSON.stringify({ ui: { idleTimeout: 90 } }) });
        expect(unknownKey.status).toBe(422);
        expect(unknownKey.json.error?.problems?.[0]?.key).toContain('ui.idleTimeout');
        expect((await server.terminal('T-HTTP'))?.desired).toBeNull();

        const events = openEvents();
        await events.next((b) => b === ': connected');
        const ok = await request('PUT', '/api/terminals/T-HTTP/config', { body: JSON.stringify({ ui: { idleTimeoutSeconds: 90 } }) });
        expect(ok.status).toBe(200);
        expect(ok.json).toEqual({ version: 1 });
        await events.next((b) => b.includes('"what":"desired"'));
        await events.next((b) => b.includes('"what":"reported"'));
        await server.settled();
        const one = await request('GET', '/api/terminals/T-HTTP');
        expect(one.json.terminal).toMatchObject({
          desired: { version: 1, config: { ui: { idleTimeoutSeconds: 90 } } },
          reported: { version: 1, state: 'applied' },
        });
      });

      it('POST a command: 201 with its id; its state is readable by id once the terminal answers', async () => {
        const events = openEvents();
        await events.next((b) => b === ': connected');
        const sent = await request('POST', '/api/terminals/T-HTTP/commands', { body: JSON.stringify({ kind: 'self-test', ttlSeconds: 60 }) });
        expect(sent.status).toBe(201);
        const id = sent.json.id as string;
        expect(id).toMatch(/^[0-9a-f]{24}$/);
        await events.next((b) => b.includes('"what":"command"'));
        await server.settled();
        const state = await request('GET', `/api/commands/${id}`);
        expect(state.status).toBe(200);
        expect(state.json.command).toMatchObject({
          id,
          terminalId: 'T-HTTP',
          kind: 'self-test',
          state: 'done',
          result: { state: 'done', result: { passed: 1 } },
        });
        const detail = await request('GET', '/api/terminals/T-HTTP');
        expect((detail.json.commands as { id: string }[]).map((c) => c.id)).toEqual([id]);
      });

      it('close() ends open streams and removes its listener from the fleet server; the port is released', async () => {
        const before = server.listenerCount('changed');
        const second = await startConsole({ server });
        expect(server.listenerCount('changed')).toBe(before + 1);
        const events = openEvents(second);
        await events.next((b) => b === ': connected');
        await second.close();
        await events.end;
        expect(server.listenerCount('changed')).toBe(before);
        const p = Number(new URL(second.url).port);
        await expect(
          new Promise((resolve, reject) => {
            const s = net.connect(p, '127.0.0.1', () => resolve(s.destroy()));
            s.on('error', reject);
          }),
        ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      });
    });
  });
}
