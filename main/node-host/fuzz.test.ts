/**
 * The bridge fuzzed as the field runs it: `estation start` in its own process under
 * --unhandled-rejections=strict, with the embedded defaults (simulated devices, embedded
 * platform, face engine on in its own process) except one: the rate limit is high enough that the
 * requests reach the parser and the dispatcher.
 * 10,000 requests with random paths, methods, headers and bodies (bounded: at most 3 MB) from
 * 8 clients at once, plus raw bytes that are not HTTP at all. The process stays up, its RSS
 * (read from /proc) stays under 300 MB — the face engine's process is measured and printed beside
 * it, not counted: the models are not the bridge's — and every answer is a typed error, or a 200 for the
 * rare valid call or page. The token never appears on stdout or stderr.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { requests } from '../bridge/contract';
import { prng } from '../../models/attacks';
import { readLaunchFile } from '../ground/launch-file';
import { rawExchange, rawRequest, type RawAnswer, type RawRequest } from './testing';

const root = path.resolve(import.meta.dirname, '../..');
const REQUESTS = 10_000;
const CLIENTS = 8;
const RSS_LIMIT_MB = 300;

let child: ChildProcess;
let url = '';
let port = 0;
let token = '';
let launchFile = '';
let dataDir = '';
let stdout = '';
let stderr = '';

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fuzz-'));
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    configFile,
    YAML.stringify({
      dataDir: path.join(dir, 'data'),
      platform: { healthIntervalMs: 60_000 },
      host: { rateLimit: { perSecond: 10_000, burst: 10_000 } },
    }),
  );
  child = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = await new Promise<{ url: string; launchFile: string; dataDir: string }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) resolve(JSON.parse(line) as { url: string; launchFile: string; dataDir: string });
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${stderr}`)));
  });
  url = ready.url;
  port = Number(new URL(url).port);
  launchFile = ready.launchFile;
  dataDir = ready.dataDir;
  token = readLaunchFile(launchFile).token;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** The host's face engine: its child process running the engine's entry. */
function faceEnginePid(host: number): number | null {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === host && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('face/worker-entry')) return Number(d);
    } catch {
      // gone while we looked
    }
  }
  return null;
}

// mulberry32 (models/attacks.ts): the same seed gives the same 10,000 requests, so a failure can be replayed.

const CHANNELS = Object.keys(requests);
const PATH_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('') + '%%%%....////ÿé';
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const VALUE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const FILLER = Buffer.alloc(3 * 1024 * 1024, 0x61);

function requestFor(rand: () => number): RawRequest {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const str = (chars: string, max: number) => Array.from({ length: Math.floor(rand() * max) }, () => pick(chars.split(''))).join('');
  const json = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.3) return pick([null, true, 0, -1, 1e308, 'x', str(VALUE_CHARS, 40), '110101199003074514']);
    if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => json(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['action', 'deviceId', 'items', 'pin', '__proto__', str(TOKEN_CHARS, 8)]), json(depth + 1)]),
    );
  };

  const channel = rand() < 0.6 ? pick(CHANNELS) : str(TOKEN_CHARS, 20);
  const path = pick([
    () => `/bridge/call/${channel}`,
    () => `/bridge/call/${encodeURIComponent(channel)}`,
    () => `/bridge/call/${str(PATH_CHARS, 40)}`,
    () => `/bridge/events?token=${pick([token, str(VALUE_CHARS.replace(/[ #]/g, ''), 60), '%ZZ'])}`,
    () => `/bridge/${str(PATH_CHARS, 30)}`,
    () => `/${str(PATH_CHARS, 50)}`,
    () => `/assets/${str(PATH_CHARS, 20)}.js`,
  ])();
  const method = rand() < 0.7 ? 'POST' : pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', str(TOKEN_CHARS.replace(/[^A-Z]/g, ''), 10) || 'X']);
  const headers: Record<string, string> = {};
  const h = rand();
  if (h < 0.1) headers.host = pick(['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '', str(VALUE_CHARS, 30)]);
  else if (h < 0.15) headers.host = `localhost:${port}`;
  const a = rand();
  if (a < 0.55) headers.authorization = `Bearer ${token}`;
  else if (a < 0.75)
    headers.authorization = pick([`Bearer ${str(TOKEN_CHARS, 60)}`, token, `Bearer ${token.slice(1)}`, `bearer ${token}`, str(VALUE_CHARS, 80)]);
  if (rand() < 0.2) headers.origin = pick([url, 'http://evil.example', 'null', str(VALUE_CHARS, 30)]);
  if (rand() < 0.5) headers['content-type'] = pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', str(VALUE_CHARS, 30)]);
  for (let i = Math.floor(rand() * 4); i > 0; i--) headers[`x-${str(TOKEN_CHARS, 12).toLowerCase()}`] = str(VALUE_CHARS, 200).trim();

  const b = rand();
  if (method === 'GET' && b < 0.8) return { method, path, headers };
  if (b < 0.15) return { method, path, headers };
  if (b < 0.45) return { method, path, headers, body: JSON.stringify(json(0)) };
  if (b < 0.6) return { method, path, headers, body: Buffer.from(Array.from({ length: Math.floor(rand() * 4096) }, () => Math.floor(rand() * 256))) };
  if (b < 0.7) {
    const depth = Math.floor(rand() * 50_000);
    return { method, path, headers, body: '['.repeat(depth) + ']'.repeat(rand() < 0.5 ? depth : 0) };
  }
  if (b < 0.8) return { method, path, headers, body: JSON.stringify({ pad: str(VALUE_CHARS, 100).repeat(Math.floor(rand() * 600)) }) };
  if (b < 0.98) return { method, path, headers, body: JSON.stringify(json(0)).slice(0, Math.floor(rand() * 30)) };
  // The largest: up to 3 MB, announced by its length or streamed in chunks.
  const size = Math.floor(rand() * FILLER.length);
  return rand() < 0.5 ? { method, path, headers, body: FILLER.subarray(0, size) } : { method, path, headers, streamBytes: size };
}

/** Bytes that are not a well-formed HTTP request. */
function garbageFor(rand: () => number): Buffer {
  const kinds = [
    // Led by a byte no method starts with, so the parser refuses at once instead of waiting for more.
    () => Buffer.from([0x80, ...Array.from({ length: Math.floor(rand() * 512) }, () => Math.floor(rand() * 256))]),
    () => Buffer.from(`POST /bridge/call/app.hello HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: -5\r\n\r\n`),
    () => Buffer.from(`POST /bridge/call/app.hello HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ntransfer-encoding: chunked\r\n\r\nZZZ\r\n`),
    () => Buffer.from(`GET / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx: ${'y'.repeat(20_000)}\r\n\r\n`),
    () => Buffer.from(`GET /\u0000 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`),
  ];
  return kinds[Math.floor(rand() * kinds.length)]!();
}

function isTyped(a: RawAnswer): boolean {
  if (a.status === 200) return true;
  const e = (a.body as { ok?: unknown; error?: { code?: unknown; message?: unknown } } | null) ?? {};
  return e.ok === false && typeof e.error?.code === 'string' && typeof e.error.message === 'string';
}

describe('the Node host under fuzzing', () => {
  it('keeps the token out of stdout and stderr, in a 0600 launch file', () => {
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(stdout).not.toContain(token);
    expect(stderr).not.toContain(token);
    expect(stdout).not.toContain('#token=');
    expect(fs.statSync(launchFile).mode & 0o777).toBe(0o600);
  });

  it('answers 10,000 random requests and raw garbage with typed errors, stays up and under 300 MB RSS', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const rand = prng(seed);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    // Face is on: the engine runs, in its own process.
    await expect.poll(() => faceEnginePid(child.pid!), { timeout: 30_000 }).not.toBeNull();
    const face = faceEnginePid(child.pid!)!;
    const rssBefore = rssMb(child.pid!);
    let maxRss = rssBefore;
    const untyped: { request: string; status: number; text: string }[] = [];
    const statuses = new Map<number, number>();
    let garbage = 0;
    let next = 0;
    const t0 = performance.now();

    const client = async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        if (i % 250 === 0) maxRss = Math.max(maxRss, rssMb(child.pid!));
        if (rand() < 0.02) {
          garbage++;
          const got = await rawExchange(port, garbageFor(rand), (g) => g.includes('}'));
          const ok = /^HTTP\/1\.1 (\d{3}) /.exec(got) && got.includes('"ok":false') && /"code":"[A-Z_]+"/.test(got);
          if (!ok) untyped.push({ request: 'garbage', status: 0, text: got.slice(0, 200) });
          continue;
        }
        const r = requestFor(rand);
        // Keep-alive for most; a fresh connection for uploads that may be cut short.
        const useAgent = r.streamBytes === undefined && rand() < 0.8;
        const answer = await rawRequest(port, { ...r, agent: useAgent ? agent : undefined }).catch((err: Error): RawAnswer => ({
          status: -1,
          body: null,
          text: err.message,
        }));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (!isTyped(answer)) untyped.push({ request: `${r.method} ${r.path}`, status: answer.status, text: answer.text.slice(0, 200) });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    maxRss = Math.max(maxRss, rssMb(child.pid!));
    agent.destroy();
    const seconds = (performance.now() - t0) / 1000;

    // What the run measured, for the record (seed to replay it with FUZZ_SEED).
    const summary = {
      fuzz: {
        seed,
        requests: REQUESTS,
        garbage,
        seconds: +seconds.toFixed(1),
        rssBeforeMb: +rssBefore.toFixed(0),
        maxRssMb: +maxRss.toFixed(0),
        faceEngineRssMb: +rssMb(face).toFixed(0),
      },
      statuses: Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])),
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
    expect(untyped.slice(0, 5), `seed ${seed}`).toEqual([]);
    expect(child.exitCode).toBeNull();
    expect(maxRss).toBeLessThan(RSS_LIMIT_MB);
    // Still serving a good call afterwards (after the rate limit has had time to refill).
    await expect
      .poll(async () => (await rawRequest(port, { path: '/bridge/call/status.get', headers: { authorization: `Bearer ${token}` }, body: '{}' })).status, {
        timeout: 20_000,
      })
      .toBe(200);
    expect(stderr).not.toMatch(/UnhandledPromiseRejection|unhandled|RangeError|Maximum call stack/i);
    expect(stderr).not.toContain(token);
    // Nor in the log files, after 10,000 requests that carried it.
    const logs = fs.readdirSync(path.join(dataDir, 'logs'), { recursive: true, encoding: 'utf8' });
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) {
      const file = path.join(dataDir, 'logs', f);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file, 'utf8')).not.toContain(token);
    }
  }, 120_000);
});
