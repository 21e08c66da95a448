/**
 * The fleet console over HTTP (node:http only): the page (fleet/console/) and a small JSON API
 * over the FleetServer, with server-sent events so the page refreshes when something changes.
 *
 * The front door follows the terminal's Node host (main/node-host/http-bridge.ts), rewritten here
 * because fleet/ does not import the terminal's hosts. It looks at what a caller controls in this
 * order and stops at the first refusal: the Host header (DNS rebinding, 421), the bearer token
 * (made fresh at every start, 401), the Origin (403), then the path (decoded, 400 if it cannot be)
 * and the body (64 KB, 413; JSON, 400). Every refusal is a typed body `{ error: { code, message } }`.
 * The page gets the token from its URL fragment (`#token=`), which browsers never send.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { fleetCommandKinds, fleetIdSchema } from '../main/bridge/contract/fleet';
import { guardHttpServer } from '../main/ground/http-guard';
import { FleetError, type FleetServer } from './server';
import type { FleetTables } from './store';

export interface ConsoleOptions {
  server: FleetServer;
  port?: number;
  /** The address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * The origin people and terminals use to reach the console when it is not the bound address
   * (a LAN name, a reverse proxy with TLS): its Host and Origin are accepted besides loopback's.
   */
  publicOrigin?: string;
}

export interface FleetConsole {
  /** The origin (`http://127.0.0.1:PORT`), without the token. */
  url: string;
  /** The bearer token of this start: goes into the page's URL fragment, never to stdout. */
  token: string;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_STREAMS = 16;
const MAX_STREAM_BACKLOG = 256 * 1024;
const HEARTBEAT_MS = 15_000;
const HISTORY = 60;
const COMMANDS_SHOWN = 12;

const STATUS: Record<string, number> = {
  CONSOLE_BAD_PATH: 400,
  CONSOLE_BAD_JSON: 400,
  CONSOLE_BAD_REQUEST: 400,
  CONSOLE_MALFORMED_MESSAGE: 400,
  CONSOLE_UNAUTHORIZED: 401,
  CONSOLE_FORBIDDEN_ORIGIN: 403,
  CONSOLE_NOT_FOUND: 404,
  FLEET_UNKNOWN_TERMINAL: 404,
  FLEET_UNKNOWN_COMMAND: 404,
  FLEET_UNKNOWN_RELEASE: 404,
  FLEET_UNKNOWN_ROLLOUT: 404,
  FLEET_RELEASE_INVALID: 422,
  FLEET_RELEASE_SIGNATURE_INVALID: 422,
  FLEET_ROLLOUT_INVALID: 422,
  FLEET_RELEASE_KEY_MISSING: 503,
  FLEET_NO_PACKAGE_URL: 503,
  CONSOLE_METHOD_NOT_ALLOWED: 405,
  CONSOLE_REQUEST_TIMEOUT: 408,
  CONSOLE_PAYLOAD_TOO_LARGE: 413,
  CONSOLE_FORBIDDEN_HOST: 421,
  FLEET_CONFIG_INVALID: 422,
  CONSOLE_TOO_MANY_STREAMS: 429,
  CONSOLE_HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  FLEET_NOT_CONNECTED: 503,
};

export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problems: { key: string; expected: string }[] = [],
  ) {
    super(message);
  }
}

/** Script from this origin only, nothing inline, no framing, no forms or plugins. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

const SECURITY_HEADERS: http.OutgoingHttpHeaders = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const CONSOLE_DIR = path.join(import.meta.dirname, 'console');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

const commandBodySchema = z
  .object({
    kind: z.enum(fleetCommandKinds),
    ttlSeconds: z.number().int().min(10).max(86_400).optional(),
  })
  .strict();
const commandIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const releaseBodySchema = z.object({ version: z.string().max(40), file: z.string().max(100), signature: z.string().max(200) }).strict();
const rolloutBodySchema = z
  .object({
    version: z.string().max(40),
    group: z.string().max(60).nullable(),
    canaryPercent: z.number(),
    growth: z.number(),
    abortFailurePercent: z.number(),
    abortMinFinished: z.number(),
    windowSeconds: z.number().int(),
    jobTtlSeconds: z.number().int().optional(),
  })
  .strict();
const rolloutIdSchema = z.string().regex(/^[0-9a-f]{12}$/);
const PACKAGE_ROUTE = /^\/releases\/([0-9A-Za-z][0-9A-Za-z.+-]{0,39})\.tar\.gz$/;

/** A zod failure as the console's problem list. */
const problemsOf = (e: z.ZodError) => e.issues.map((i) => ({ key: i.path.join('.') || '(root)', expected: i.message }));

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/**
 * Answers with a typed error; the rest of a body still arriving is read and dropped, and the
 * connection stays open meanwhile (closing with unread bytes would reset it and the client might
 * never read the answer). The request timeout bounds how long it drains.
 */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, err: ConsoleError, extra: http.OutgoingHttpHeaders = {}): void {
  if (!req.complete && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) res.shouldKeepAlive = true;
  req.resume();
  if (res.headersSent) return void res.destroy();
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.problems.length) error.problems = err.problems;
  send(res, STATUS[err.code] ?? 500, { error }, extra);
}

/** The answer to a request Node's HTTP parser could not read. */
function clientErrorReply(err: NodeJS.ErrnoException): string {
  const [code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['CONSOLE_HEADERS_TOO_LARGE', 'request headers too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['CONSOLE_REQUEST_TIMEOUT', 'request not received in time']
        : ['CONSOLE_MALFORMED_MESSAGE', 'malformed HTTP request'];
  const text = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 ${STATUS[code]} Refused\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
}

/** Reads a JSON body of at most MAX_BODY_BYTES; throws a ConsoleError (413, 400) otherwise. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES)
    return Promise.reject(new ConsoleError('CONSOLE_PAYLOAD_TOO_LARGE', `the body may have at most ${MAX_BODY_BYTES} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(c);
      // Removing the listener does not pause the stream: refuse() lets the rest drain.
      req.off('data', onData);
      chunks.length = 0;
      reject(new ConsoleError('CONSOLE_PAYLOAD_TOO_LARGE', `the body may have at most ${MAX_BODY_BYTES} bytes`));
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ConsoleError('CONSOLE_BAD_JSON', 'the body is not JSON'));
      }
    });
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startConsole(opts: ConsoleOptions): Promise<FleetConsole> {
  const fleet = opts.server;
  const bindHost = opts.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('hex');
  const assets = new Map(Object.entries(ASSETS).map(([route, a]) => [route, { body: fs.readFileSync(path.join(CONSOLE_DIR, a.file)), type: a.type }]));
  let port = 0;

  const streams = new Set<http.ServerResponse>();
  // One listener on the fleet server, whatever the number of pages open.
  const onChanged = (e: { terminalId: string; what: string }) => {
    const line = `event: changed\ndata: ${JSON.stringify({ terminalId: e.terminalId, what: e.what })}\n\n`;
    for (const s of streams) {
      // A page that stopped reading is dropped rather than buffered without end; it reconnects and refreshes.
      if (s.writableLength > MAX_STREAM_BACKLOG) s.destroy();
      else s.write(line);
    }
  };
  fleet.on('changed', onChanged);
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const publicOrigin = opts.publicOrigin ? new URL(opts.publicOrigin) : null;
  const hostAllowed = (host: string | undefined) => {
    const h = host?.toLowerCase();
    return (
      h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `${bindHost.toLowerCase()}:${port}` || (publicOrigin !== null && h === publicOrigin.host)
    );
  };
  const originAllowed = (origin: string | undefined) =>
    origin === undefined ||
    origin === `http://127.0.0.1:${port}` ||
    origin === `http://localhost:${port}` ||
    origin === `http://${bindHost}:${port}` ||
    (publicOrigin !== null && origin === publicOrigin.origin);

  const serveAsset = (req: http.IncomingMessage, res: http.ServerResponse, route: string) => {
    const a = assets.get(route)!;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(req, res, new ConsoleError('CONSOLE_METHOD_NOT_ALLOWED', 'only GET and HEAD are served here'), { allow: 'GET, HEAD' });
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': a.type, 'content-length': a.body.length, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  };

  const openStream = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (streams.size >= MAX_STREAMS) return refuse(req, res, new ConsoleError('CONSOLE_TOO_MANY_STREAMS', 'too many event streams open'));
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  };

  const servePackage = async (req: http.IncomingMessage, res: http.ServerResponse, version: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(req, res, new ConsoleError('CONSOLE_METHOD_NOT_ALLOWED', 'only GET and HEAD are served here'), { allow: 'GET, HEAD' });
    const file = await fleet.rollouts.packageFile(version);
    const stat = file ? await fs.promises.stat(file).catch(() => null) : null;
    if (!file || !stat?.isFile()) return refuse(req, res, new ConsoleError('FLEET_UNKNOWN_RELEASE', 'no such release'));
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/gzip', 'content-length': stat.size, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return void res.end();
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const terminalOr404 = async (id: string) => {
    const t = fleetIdSchema.safeParse(id).success ? await fleet.terminal(id) : null;
    if (!t) throw new ConsoleError('FLEET_UNKNOWN_TERMINAL', `no terminal ${id.slice(0, 40)} is registered`);
    return t;
  };

  const recentCommands = (id: string) =>
    fleet.db
      .selectFrom('command')
      .selectAll()
      .where('terminal_id', '=', id)
      .orderBy('issued_at', 'desc')
      .limit(COMMANDS_SHOWN)
      .execute()
      .then((rows) => rows.map(commandView));

  /** The API: answers, or throws a ConsoleError. `segments` are decoded. */
  const api = async (req: http.IncomingMessage, res: http.ServerResponse, segments: string[]): Promise<void> => {
    const method = req.method ?? 'GET';
    const route = (want: string, allowed: string) => {
      if (method === want) return true;
      throw Object.assign(new ConsoleError('CONSOLE_METHOD_NOT_ALLOWED', `${method} is not allowed here`), { allow: allowed });
    };
    const now = new Date().toISOString();
    const [a, b, c] = segments;
    if (a === 'terminals' && segments.length === 1 && route('GET', 'GET')) return send(res, 200, { now, terminals: await fleet.terminals() });
    if (a === 'terminals' && segments.length === 2 && route('GET', 'GET')) {
      const terminal = await terminalOr404(b!);
      return send(res, 200, { now, terminal, history: await fleet.healthHistory(terminal.id, HISTORY), commands: await recentCommands(terminal.id) });
    }
    if (a === 'terminals' && segments.length === 3 && c === 'config' && route('PUT', 'PUT')) {
      const terminal = await terminalOr404(b!);
      const patch = await readJson(req);
      if (!isObject(patch)) throw new ConsoleError('CONSOLE_BAD_REQUEST', 'the body must be a JSON object: the config patch');
      try {
        return send(res, 200, { version: await fleet.setDesired(terminal.id, patch) });
      } catch (err) {
        if (err instanceof FleetError) throw new ConsoleError(err.code, err.message, err.problems);
        throw err;
      }
    }
    if (a === 'terminals' && segments.length === 3 && c === 'commands' && route('POST', 'POST')) {
      const terminal = await terminalOr404(b!);
      const parsed = commandBodySchema.safeParse(await readJson(req));
      if (!parsed.success)
        throw new ConsoleError(
          'CONSOLE_BAD_REQUEST',
          'the body must be { kind, ttlSeconds? }',
          parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', expected: i.message })),
        );
      const id = await fleet.command(terminal.id, parsed.data.kind, (parsed.data.ttlSeconds ?? 600) * 1000);
      return send(res, 201, { id });
    }
    if (a === 'commands' && segments.length === 2 && route('GET', 'GET')) {
      const row = commandIdSchema.safeParse(b).success ? await fleet.db.selectFrom('command').selectAll().where('id', '=', b!).executeTakeFirst() : undefined;
      if (!row) throw new ConsoleError('FLEET_UNKNOWN_COMMAND', 'no such command');
      return send(res, 200, { now, command: commandView(row) });
    }
    if (a === 'releases' && segments.length === 1 && route('POST', 'POST')) {
      const parsed = releaseBodySchema.safeParse(await readJson(req));
      if (!parsed.success) throw new ConsoleError('CONSOLE_BAD_REQUEST', 'the body must be { version, file, signature }', problemsOf(parsed.error));
      return send(res, 201, { release: await fleet.rollouts.addRelease(parsed.data) });
    }
    if (a === 'rollouts' && segments.length === 1) {
      if (method === 'GET') return send(res, 200, { now, rollouts: await fleet.rollouts.list() });
      route('POST', 'GET, POST');
      const parsed = rolloutBodySchema.safeParse(await readJson(req));
      if (!parsed.success)
        throw new ConsoleError(
          'CONSOLE_BAD_REQUEST',
          'the body must be { version, group, canaryPercent, growth, abortFailurePercent, abortMinFinished, windowSeconds, jobTtlSeconds? }',
          problemsOf(parsed.error),
        );
      const r = parsed.data;
      const id = await fleet.rollouts.start({
        version: r.version,
        group: r.group,
        policy: { canaryPercent: r.canaryPercent, growth: r.growth, abort: { failurePercent: r.abortFailurePercent, minFinished: r.abortMinFinished } },
        windowSeconds: r.windowSeconds,
        jobTtlSeconds: r.jobTtlSeconds ?? 3600,
      });
      return send(res, 201, { id });
    }
    if (a === 'rollouts' && segments.length === 3 && c === 'abort' && route('POST', 'POST')) {
      if (!rolloutIdSchema.safeParse(b).success) throw new ConsoleError('FLEET_UNKNOWN_ROLLOUT', 'no such rollout');
      await fleet.rollouts.abort(b!);
      return send(res, 200, { aborted: true });
    }
    if (a === 'chains' && segments.length === 3 && c === 'faces' && route('GET', 'GET')) {
      if (!fleetIdSchema.safeParse(b).success) throw new ConsoleError('CONSOLE_BAD_PATH', 'not a chain id');
      return send(res, 200, { now, chain: b, entries: await fleet.faces.list(b!) });
    }
    if (a === 'events' && segments.length === 1 && route('GET', 'GET')) return openStream(req, res);
    throw new ConsoleError('CONSOLE_NOT_FOUND', 'no such API route');
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hostAllowed(req.headers.host)) return refuse(req, res, new ConsoleError('CONSOLE_FORBIDDEN_HOST', 'the Host header must name this console'));
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    if (assets.has(rawPath)) return serveAsset(req, res, rawPath);
    // No icon: an empty answer, so the browser does not log a 404 for it.
    if (rawPath === '/favicon.ico' && req.method === 'GET') return void res.writeHead(204, { ...SECURITY_HEADERS, 'cache-control': 'max-age=86400' }).end();
    // Packages for the terminals: no token (a terminal has none for the console); they trust a package by its signature alone.
    const pkg = PACKAGE_ROUTE.exec(rawPath);
    if (pkg) return void servePackage(req, res, pkg[1]!).catch(() => refuse(req, res, new ConsoleError('INTERNAL', 'the package could not be read')));
    if (rawPath !== '/api' && !rawPath.startsWith('/api/')) return refuse(req, res, new ConsoleError('CONSOLE_NOT_FOUND', 'not found'));
    const auth = req.headers.authorization;
    if (!tokenMatches(token, auth?.startsWith('Bearer ') ? auth.slice(7) : null))
      return refuse(req, res, new ConsoleError('CONSOLE_UNAUTHORIZED', 'missing or wrong console token'), { 'www-authenticate': 'Bearer' });
    if (!originAllowed(req.headers.origin)) return refuse(req, res, new ConsoleError('CONSOLE_FORBIDDEN_ORIGIN', 'requests from other origins are refused'));
    if (rawPath === '/api' || rawPath === '/api/') return refuse(req, res, new ConsoleError('CONSOLE_NOT_FOUND', 'no such API route'));
    let segments: string[];
    try {
      segments = rawPath.slice('/api/'.length).split('/').map(decodeURIComponent);
    } catch {
      return refuse(req, res, new ConsoleError('CONSOLE_BAD_PATH', 'the path is not valid percent-encoding'));
    }
    if (segments.some((s) => s.length === 0 || s.length > 100 || s.includes('\0')))
      return refuse(req, res, new ConsoleError('CONSOLE_BAD_PATH', 'the path has an empty, overlong or NUL segment'));
    api(req, res, segments).catch((err: unknown) => {
      if (err instanceof ConsoleError) return refuse(req, res, err, 'allow' in err ? { allow: String(err.allow) } : {});
      if (err instanceof FleetError) return refuse(req, res, new ConsoleError(err.code, err.message, err.problems));
      process.stderr.write(`fleet console: ${req.method} ${rawPath.slice(0, 80)} failed: ${(err as Error)?.message ?? String(err)}\n`);
      refuse(req, res, new ConsoleError('INTERNAL', 'the console could not answer; see the fleet server’s log'));
    });
  };

  // Node's own check would answer a missing Host with an untyped 400; ours answers every request.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      process.stderr.write(`fleet console: ${(err as Error)?.message ?? String(err)}\n`);
      refuse(req, res, new ConsoleError('INTERNAL', 'the console could not answer'));
    }
  });
  guardHttpServer(server, clientErrorReply, 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, bindHost, () => resolve());
    });
  } catch (err) {
    fleet.off('changed', onChanged);
    clearInterval(heartbeat);
    throw err;
  }
  port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | null = null;
  return {
    url: `http://${bindHost}:${port}`,
    token,
    close() {
      closed ??= (async () => {
        fleet.off('changed', onChanged);
        clearInterval(heartbeat);
        for (const s of streams) s.end();
        streams.clear();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}

function commandView(c: FleetTables['command']) {
  return {
    id: c.id,
    terminalId: c.terminal_id,
    kind: c.kind,
    issuedAt: c.issued_at,
    expiresAt: c.expires_at,
    state: c.state,
    result: c.result ? (JSON.parse(c.result) as unknown) : null,
    finishedAt: c.finished_at,
  };
}
