/**
 * Raw HTTP for the front-door tests: any Host header, any path Node lets onto the wire, a body
 * streamed in chunks (so a test can send far more than it holds), and the answer parsed as JSON.
 */
import http from 'node:http';
import net from 'node:net';

export interface RawAnswer {
  status: number;
  body: unknown;
  text: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream this many bytes of filler instead of `body`, with chunked framing. */
  streamBytes?: number;
  agent?: http.Agent;
}

export function rawRequest(port: number, r: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // Node's client sends a GET, DELETE or OPTIONS body without framing; frame it, so the body stays a body.
    const framing: Record<string, string> =
      r.streamBytes !== undefined ? { 'transfer-encoding': 'chunked' } : r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {};
    const headers = { host: `127.0.0.1:${port}`, ...framing, ...r.headers };
    const req = http.request({ host: '127.0.0.1', port, method: r.method ?? 'POST', path: r.path, headers, setHost: false, agent: r.agent ?? false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      // An event stream never ends: its status and headers are the answer.
      if (res.headers['content-type']?.startsWith('text/event-stream')) {
        req.destroy();
        return resolve({ status: res.statusCode ?? 0, body: null, text: '' });
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // An early answer ends the upload, as browsers and curl do (Node's client would stall on it).
        if (!req.writableFinished) req.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (r.streamBytes === undefined) return void req.end(r.body);
    const total = r.streamBytes;
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let sent = 0;
    const pump = (): void => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/**
 * Writes `text` on one connection as it is (pipelined requests, broken framing) and returns what
 * came back once `enough` says so, the server closes, or the time is up. The connection is not
 * half-closed: Node would drop requests still pending.
 */
export function rawExchange(port: number, text: string | Buffer, enough: (got: string) => boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      if (enough(got)) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(text);
  });
}
