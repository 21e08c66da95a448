/**
 * The bridge over HTTP + server-sent events for the Node host. Requests: POST
 * /bridge/call/<channel> with a JSON body and `Authorization: Bearer <token>`. Events: GET
 * /bridge/events?token=<token> as text/event-stream. The token is made fresh at every launch.
 */
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { BridgeError, type BridgeResult } from '../bridge/contract';
import type { Dispatcher } from '../bridge/dispatcher';
import type { EventBus, EventEnvelope } from '../bridge/event-bus';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const STATUS_OF: Record<string, number> = {
  BRIDGE_UNKNOWN_CHANNEL: 404,
  BRIDGE_BAD_PAYLOAD: 400,
  BRIDGE_MALFORMED_MESSAGE: 400,
  BRIDGE_UNAUTHORIZED: 401,
  BRIDGE_FORBIDDEN_ORIGIN: 403,
  BRIDGE_PAYLOAD_TOO_LARGE: 413,
  BRIDGE_OUTPUT_INVALID: 500,
  INTERNAL: 500,
};

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, result: BridgeResult<unknown>): void {
  const status = result.ok ? 200 : (STATUS_OF[result.error.code] ?? 422);
  const text = JSON.stringify(result);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function reject(res: http.ServerResponse, err: BridgeError): void {
  send(res, { ok: false, error: err.toBody() });
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        rejectBody(new BridgeError('BRIDGE_PAYLOAD_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', rejectBody);
  });
}

export interface HttpBridgeOptions {
  token: string;
  origin: () => string;
  dispatcher: Dispatcher;
  bus: EventBus;
}

export class HttpBridge {
  private readonly streams = new Set<http.ServerResponse>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: HttpBridgeOptions) {
    this.unsubscribe = opts.bus.subscribe((e) => this.broadcast(e));
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.write(': keep-alive\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  /** Returns true when the request was a bridge request (answered here). */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith('/bridge/')) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.opts.origin()) {
      reject(res, new BridgeError('BRIDGE_FORBIDDEN_ORIGIN', 'requests from other origins are refused'));
      return true;
    }
    if (url.pathname === '/bridge/events' && req.method === 'GET') {
      if (!tokenMatches(this.opts.token, url.searchParams.get('token'))) {
        reject(res, new BridgeError('BRIDGE_UNAUTHORIZED', 'missing or wrong bridge token'));
        return true;
      }
      this.openStream(req, res);
      return true;
    }
    if (url.pathname.startsWith('/bridge/call/') && req.method === 'POST') {
      void this.call(req, res, decodeURIComponent(url.pathname.slice('/bridge/call/'.length)));
      return true;
    }
    reject(res, new BridgeError('BRIDGE_UNKNOWN_CHANNEL', `no bridge endpoint ${req.method} ${url.pathname}`));
    return true;
  }

  private async call(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    if (!tokenMatches(this.opts.token, given)) {
      req.resume();
      reject(res, new BridgeError('BRIDGE_UNAUTHORIZED', 'missing or wrong bridge token'));
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      reject(res, err instanceof BridgeError ? err : new BridgeError('BRIDGE_MALFORMED_MESSAGE', 'could not read the request body'));
      return;
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      reject(res, new BridgeError('BRIDGE_MALFORMED_MESSAGE', 'request body is not JSON'));
      return;
    }
    send(res, await this.opts.dispatcher.dispatch(channel, payload, { transport: 'http' }));
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

function frame(e: EventEnvelope): string {
  return `data: ${JSON.stringify(e)}\n\n`;
}
