/**
 * What every HTTP front door of ours does with Node's server (the terminal's bridge and the fleet
 * console): a slow or endless request cannot hold a connection for long, and a request the HTTP
 * parser cannot read gets a typed answer (`reply(err)`, a whole HTTP response) instead of Node's
 * untyped one. The connection then lingers a moment, so what the client still sends is read and
 * dropped and the answer is not lost to a reset.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export function guardHttpServer(server: http.Server, reply: (err: NodeJS.ErrnoException) => string, lingerMs = 2000): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, duplex: Duplex) => {
    const socket = duplex as Socket & { _httpMessage?: { headersSent: boolean } | null };
    if (answered.has(socket)) return;
    // As Node's default handler does: answer only when no other answer has begun on this socket.
    if (!socket.writable || err.code === 'ECONNRESET' || socket._httpMessage?.headersSent) return void socket.destroy();
    answered.add(socket);
    socket.end(reply(err));
    socket.setTimeout(lingerMs, () => socket.destroy());
  });
}
