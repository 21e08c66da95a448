import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { BridgeError } from '../bridge/contract';
import { refuse } from './http-bridge';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json; charset=utf-8',
  '.wav': 'audio/wav',
};

import { CONTENT_SECURITY_POLICY } from '../lockdown/policy';

export { CONTENT_SECURITY_POLICY };

/**
 * Resolves a URL path inside `root`, refusing anything that escapes it (.., encoded slashes,
 * absolute paths, NUL). Returns null when the path is not a file under root.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').includes('..')) return null;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  const rootResolved = path.resolve(root);
  if (full !== rootResolved && !full.startsWith(rootResolved + path.sep)) return null;
  return full;
}

export function serveStatic(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, new BridgeError('BRIDGE_METHOD_NOT_ALLOWED', 'only GET and HEAD are served here'));
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  } catch {
    return refuse(req, res, new BridgeError('BRIDGE_BAD_PATH', 'malformed path'));
  }
  let file = resolveInside(root, pathname === '/' ? '/index.html' : pathname);
  // Single-page app: unknown paths without an extension get the shell.
  if (file && !path.extname(file) && !fs.existsSync(file)) file = path.join(root, 'index.html');
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return refuse(req, res, new BridgeError('BRIDGE_NOT_FOUND', 'not found'));
  const headers: http.OutgoingHttpHeaders = {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
  };
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file).pipe(res);
}
