/**
 * The bridge over HTTP + server-sent events for the Node host. Requests: POST
 * /bridge/call/<channel> with a JSON body and `Authorization: Bearer <token>`. Events: GET
 * /bridge/events?token=<token> as text/event-stream. The token is made fresh at every launch.
 *
 * The front door looks at what an attacker controls in this order, and stops at the first
 * refusal: the Host header (host.ts, DNS rebinding), the token, the Origin, the rate and
 * concurrency limits, and only then the path (decoded) and the body (read up to a limit).
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { BridgeError, type BridgeResult } from '../bridge/contract';
import type { Dispatcher } from '../bridge/dispatcher';
import type { EventBus, EventEnvelope } from '../bridge/event-bus';

export interface BridgeLimits {
  maxBodyBytes: number;
  /** Calls per second the token may sustain, and the burst it may spend at once. */
  perSecond: number;
  burst: number;
  /** Requests in flight on one connection (pipelining). */
  perConnection: number;
  eventStreams: number;
}

const STATUS_OF: Record<string, number> = {
  BRIDGE_UNKNOWN_CHANNEL: 404,
  BRIDGE_BAD_PAYLOAD: 400,
  BRIDGE_MALFORMED_MESSAGE: 400,
  BRIDGE_BAD_PATH: 400,
  BRIDGE_UNAUTHORIZED: 401,
  BRIDGE_FORBIDDEN_ORIGIN: 403,
  BRIDGE_NOT_FOUND: 404,
  BRIDGE_METHOD_NOT_ALLOWED: 405,
  BRIDGE_REQUEST_TIMEOUT: 408,
  BRIDGE_PAYLOAD_TOO_LARGE: 413,
  BRIDGE_FORBIDDEN_HOST: 421,
  BRIDGE_RATE_LIMITED: 429,
  BRIDGE_HEADERS_TOO_LARGE: 431,
  BRIDGE_OUTPUT_INVALID: 500,
  INTERNAL: 500,
};

const CALL_PREFIX = '/bridge/call/';
const BODIES_IN_FLIGHT = 8;
const EVENTS_PATH = '/bridge/events';
/** What a channel name looks like (`checkout.quote`); anything else is not worth a lookup. */
const CHANNEL = /^[a-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$/;

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** DNS rebinding: a hostile name that resolves to 127.0.0.1 still sends its own name as Host. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  const h = host?.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

export function statusOf(code: string): number {
  return STATUS_OF[code] ?? 422;
}

export function sendResult(res: http.ServerResponse, result: BridgeResult<unknown>): void {
  const status = result.ok ? 200 : statusOf(result.error.code);
  const text = JSON.stringify(result);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers with a typed error and lets the rest of the request body drain unread, keeping
 * nothing. While a body is still arriving the connection stays open, even if the client asked
 * to close it: closing with unread bytes would reset it and the client might never read the
 * answer. The host's request and keep-alive timeouts bound how long it drains.
 */
export function refuse(req: http.IncomingMessage, res: http.ServerResponse, err: BridgeError): void {
  if (!req.complete && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) res.shouldKeepAlive = true;
  req.resume();
  sendResult(res, { ok: false, error: err.toBody() });
}

/** The answer to a request Node's HTTP parser could not read (bad framing, headers too large, too slow). */
export function clientErrorReply(err: NodeJS.ErrnoException): string {
  const [code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['BRIDGE_HEADERS_TOO_LARGE', 'request headers too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['BRIDGE_REQUEST_TIMEOUT', 'request not received in time']
        : ['BRIDGE_MALFORMED_MESSAGE', 'malformed HTTP request'];
  const text = JSON.stringify({ ok: false, error: { code, message } });
  return `HTTP/1.1 ${statusOf(code)} Refused\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
}

function bearer(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : null;
}

/**
 * Reads the body up to `limit` bytes, asking `reserve` for each chunk it keeps. Past the limit,
 * or when `reserve` says no, it stops keeping bytes (the rest drains) and says why.
 */
function readBody(req: http.IncomingMessage, limit: number, reserve: (bytes: number) => boolean): Promise<Buffer | 'too-large' | 'busy'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (why: 'too-large' | 'busy') => {
      // Removing the listener does not pause the stream: the rest drains and is dropped.
      req.off('data', onData);
      chunks.length = 0;
      resolve(why);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return stop('too-large');
      if (!reserve(c.length)) return stop('busy');
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => reject(new Error('request closed before its end')));
  });
}

/** Body bytes held at once across all calls, so many large bodies together cannot exhaust memory. */
class BodyBudget {
  private used = 0;

  constructor(private readonly max: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** The token's allowance: `burst` calls at once, refilled at `perSecond`. */
class TokenBucket {
  private tokens: number;
  private at = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface HttpBridgeOptions {
  token: string;
  /** The port the host listens on, for the origins the page may have. */
  port: () => number;
  dispatcher: Dispatcher;
  bus: EventBus;
  limits: BridgeLimits;
}

export class HttpBridge {
  private readonly streams = new Set<http.ServerResponse>();
  private readonly inFlight = new WeakMap<Socket, number>();
  private readonly bucket: TokenBucket;
  private readonly bodies: BodyBudget;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: HttpBridgeOptions) {
    this.bucket = new TokenBucket(opts.limits.perSecond, opts.limits.burst);
    // Eight largest bodies at once: the screen sends one face frame at a time.
    this.bodies = new BodyBudget(BODIES_IN_FLIGHT * opts.limits.maxBodyBytes);
    this.unsubscribe = opts.bus.subscribe((e) => this.broadcast(e));
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.write(': keep-alive\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  /** Returns true when the request was a bridge request (answered here). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const raw = req.url ?? '';
    if (!raw.startsWith('/bridge/')) return false;
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const isEvents = rawPath === EVENTS_PATH;
    // URLSearchParams never throws, whatever the query holds.
    const given = bearer(req) ?? (isEvents && q >= 0 ? new URLSearchParams(raw.slice(q + 1)).get('token') : null);
    if (!tokenMatches(this.opts.token, given)) {
      refuse(req, res, new BridgeError('BRIDGE_UNAUTHORIZED', 'missing or wrong bridge token'));
      return true;
    }
    const origin = req.headers.origin;
    const port = this.opts.port();
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      refuse(req, res, new BridgeError('BRIDGE_FORBIDDEN_ORIGIN', 'requests from other origins are refused'));
      return true;
    }
    if (!this.bucket.take()) {
      refuse(req, res, new BridgeError('BRIDGE_RATE_LIMITED', 'too many bridge calls; slow down'));
      return true;
    }
    if (!this.enter(req, res)) {
      refuse(req, res, new BridgeError('BRIDGE_RATE_LIMITED', 'too many requests in flight on this connection'));
      return true;
    }
    if (isEvents && req.method === 'GET') {
      if (this.streams.size >= this.opts.limits.eventStreams) {
        refuse(req, res, new BridgeError('BRIDGE_RATE_LIMITED', 'too many event streams open'));
        return true;
      }
      this.openStream(req, res);
      return true;
    }
    if (rawPath.startsWith(CALL_PREFIX) && req.method === 'POST') {
      const channel = channelOf(rawPath.slice(CALL_PREFIX.length));
      if (channel === null) refuse(req, res, new BridgeError('BRIDGE_BAD_PATH', 'the path does not name a channel'));
      else void this.call(req, res, channel);
      return true;
    }
    refuse(req, res, new BridgeError('BRIDGE_UNKNOWN_CHANNEL', `no bridge endpoint ${String(req.method)} ${rawPath.slice(0, 64)}`));
    return true;
  }

  /** Counts the request against its connection until its answer is written or the connection ends. */
  private enter(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const socket = req.socket;
    const n = this.inFlight.get(socket) ?? 0;
    if (n >= this.opts.limits.perConnection) return false;
    this.inFlight.set(socket, n + 1);
    res.once('close', () => this.inFlight.set(socket, (this.inFlight.get(socket) ?? 1) - 1));
    return true;
  }

  private async call(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
    const limit = this.opts.limits.maxBodyBytes;
    const tooLarge = new BridgeError('BRIDGE_PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > limit) return refuse(req, res, tooLarge);
    let held = 0;
    const reserve = (bytes: number): boolean => {
      if (!this.bodies.take(bytes)) return false;
      held += bytes;
      return true;
    };
    try {
      let body: Buffer | 'too-large' | 'busy';
      try {
        body = await readBody(req, limit, reserve);
      } catch {
        // The client went away mid-body: there is nobody to answer.
        return;
      }
      if (body === 'too-large') return refuse(req, res, tooLarge);
      if (body === 'busy') return refuse(req, res, new BridgeError('BRIDGE_RATE_LIMITED', 'too many large requests at once; try again'));
      let payload: unknown;
      try {
        payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(req, res, new BridgeError('BRIDGE_MALFORMED_MESSAGE', 'request body is not JSON'));
      }
      sendResult(res, await this.opts.dispatcher.dispatch(channel, payload, { transport: 'http' }));
    } finally {
      this.bodies.give(held);
    }
  }

  private openStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    for (const e of this.opts.bus.snapshot()) res.write(frame(e));
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  private broadcast(e: EventEnvelope): void {
    const data = frame(e);
    for (const s of this.streams) s.write(data);
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeat);
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}

function channelOf(encoded: string): string | null {
  let channel: string;
  try {
    channel = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  return CHANNEL.test(channel) ? channel : null;
}

function frame(e: EventEnvelope): string {
  return `data: ${JSON.stringify(e)}\n\n`;
}
