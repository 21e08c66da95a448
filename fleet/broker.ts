/**
 * The embedded MQTT broker: aedes in the fleet server's process, so `npm run fleet` needs nothing
 * else. It enforces the same access rules as the mosquitto ACL file (fleet/acl.ts): each client
 * logs in as a terminal (client id = username = terminal id, password = its token) or as the fleet
 * server, and `fleetAccess` decides every publish, subscription and delivery.
 */
import net from 'node:net';
import { Aedes, type Client, type AuthenticateError } from 'aedes';
import { fleetAccess } from '../main/bridge/contract/fleet';

export type Principal = { kind: 'terminal'; id: string; chain: string | null } | { kind: 'server' };

/** Who a username and password are, or null. */
export type Authenticator = (username: string, password: Buffer | undefined) => Promise<Principal | null>;

export interface EmbeddedBroker {
  url: string;
  port: number;
  connectedClients(): number;
  close(): Promise<void>;
}

export interface BrokerOptions {
  host?: string;
  port?: number;
  authenticate: Authenticator;
  /** New connections accepted per second before CONNECT is refused for a while (a reconnect storm). */
  connectsPerSecond?: number;
}

export async function startEmbeddedBroker(opts: BrokerOptions): Promise<EmbeddedBroker> {
  const principals = new WeakMap<Client, Principal>();
  const broker = await Aedes.createBroker({ drainTimeout: 30_000, connectTimeout: 10_000, maxTopicLevels: 12, heartbeatInterval: 3_600_000 });
  const rate = opts.connectsPerSecond ?? 2000;
  let windowStart = Date.now();
  let inWindow = 0;
  broker.preConnect = (_client, _packet, done) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      inWindow = 0;
    }
    inWindow++;
    done(null, inWindow <= rate);
  };
  broker.authenticate = (client, username, password, done) => {
    const fail = (code: number) => {
      const e = new Error('not authorised') as AuthenticateError;
      e.returnCode = code;
      done(e, false);
    };
    if (!username) return fail(4);
    opts
      .authenticate(username, password)
      .then((p) => {
        if (!p) return fail(5);
        // A terminal's client id is its terminal id: nobody takes over another's session.
        if (p.kind === 'terminal' && client.id !== p.id) return fail(2);
        principals.set(client, p);
        done(null, true);
      })
      .catch(() => fail(3));
  };
  broker.authorizePublish = (client, packet, done) => {
    // client is null when aedes publishes a will of a client gone before it was seen: it was checked at CONNECT.
    if (!client) return done(null);
    const p = principals.get(client);
    if (!p || !fleetAccess(p, 'publish', packet.topic)) return done(new Error(`publish to ${packet.topic} refused`));
    done(null);
  };
  broker.authorizeSubscribe = (client, sub, done) => {
    const p = principals.get(client);
    // Negated (SUBACK 0x80), not an error: the client stays connected, as with mosquitto.
    done(null, p && fleetAccess(p, 'subscribe', sub.topic) ? sub : null);
  };
  broker.authorizeForward = (client, packet) => {
    const p = principals.get(client);
    return p && fleetAccess(p, 'subscribe', packet.topic) ? packet : null;
  };
  broker.on('clientError', () => undefined);
  broker.on('connectionError', () => undefined);

  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    connectedClients: () => broker.connectedClients,
    async close() {
      // server.close() waits for every open connection to end, and broker.close() is what ends them.
      const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await listenerClosed;
    },
  };
}
