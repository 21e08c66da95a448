/**
 * What app://kiosk/ answers: the built renderer's files with the CSP header, a path-traversal
 * guard, and the out-of-service page at /__fatal. No electron import: tested under Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY } from '../lockdown/policy';
import { resolveInside } from '../node-host/static';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export function appResponse(requestUrl: string, rendererDir: string, fatalHtml: () => string | null): Response {
  const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('bad request', { status: 400, headers });
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('not found', { status: 404, headers });
  if (url.pathname === '/__fatal')
    return new Response(fatalHtml() ?? 'no error', { headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  const file = resolveInside(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return new Response('not found', { status: 404, headers });
  return new Response(fs.readFileSync(file), { headers: { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' } });
}
