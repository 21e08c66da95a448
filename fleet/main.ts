/**
 * `npm run fleet`: the fleet server on one machine. The embedded MQTT broker (aedes), the
 * FleetServer on its store (SQLite, or PostgreSQL), and the console (fleet/http.ts), on 127.0.0.1
 * unless --listen says otherwise.
 *
 *   --data-dir DIR        the terminals' passwords, the console URL and the SQLite store (default ./fleet-data)
 *   --store FILE|URL      the store: a SQLite file (default DIR/fleet.sqlite) or a postgres:// URL
 *                         (postgres://USER:PASSWORD@HOST:5432/DATABASE). ESTATION_FLEET_STORE if not
 *                         given: a password there stays off the command line. Its password is never printed.
 *   --mqtt-port N         the broker's port (default 1883; 0 picks a free one)
 *   --console-port N      the console's port (default 8090; 0 picks a free one)
 *   --listen ADDR         the IPv4 address the broker and the console listen on (default 127.0.0.1;
 *                         0.0.0.0 for all). Both speak plain MQTT and HTTP: off loopback, put TLS in
 *                         front (a reverse proxy for the console, mosquitto with certificates for MQTT)
 *   --public-url URL      how terminals and browsers reach the console (http(s)://HOST[:PORT]), when
 *                         that is not http://ADDR:PORT: the terminals fetch packages from it, and its
 *                         Host and Origin are accepted. Required with --listen 0.0.0.0
 *   --release-key FILE    the fleet's release public key (Ed25519, PEM): a package in DIR/releases is
 *                         registered for rollouts only if its signature verifies with it; the
 *                         console also serves the packages to the terminals at /releases/VERSION.tar.gz
 *   --register ID[:CHAIN[:GROUP]]
 *                         registers a terminal (repeatable). A new terminal's password goes to
 *                         DIR/terminals/ID.password (0600), never to stdout; a terminal already
 *                         registered keeps its password (its chain and group are updated).
 *
 * Secrets never reach stdout or stderr (a service journal keeps both): the console URL with its
 * token is in DIR/console-url (0600). The ready line on stdout names the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { fleetIdSchema } from '../main/bridge/contract/fleet';
import { onStopSignal } from '../main/ground/stop-signal';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { startConsole, type FleetConsole } from './http';
import { FleetServer } from './server';
import { connectStore, FleetStoreError, parseStoreSpec, type StoreSpec } from './store';

export const USAGE = `usage: npm run fleet -- [--data-dir DIR] [--store FILE|postgres://...] [--mqtt-port N] [--console-port N] [--listen ADDR] [--public-url URL] [--release-key FILE] [--register ID[:CHAIN[:GROUP]]]...
  (--store defaults to ESTATION_FLEET_STORE, else DIR/fleet.sqlite)
`;

export class UsageError extends Error {
  readonly code = 'FLEET_USAGE';
}

export interface Registration {
  id: string;
  chain: string | null;
  group: string | null;
}

/** `ID[:CHAIN[:GROUP]]`; the group may itself hold colons (everything after the second). */
export function parseRegistration(text: string): Registration {
  const [id = '', chain = '', ...rest] = text.split(':');
  const group = rest.join(':').trim();
  if (!fleetIdSchema.safeParse(id).success) throw new UsageError(`--register ${text}: the terminal id must be letters, digits, _ and -, at most 30`);
  if (chain && !fleetIdSchema.safeParse(chain).success) throw new UsageError(`--register ${text}: the chain must be letters, digits, _ and -, at most 30`);
  if (group.length > 60 || [...group].some((c) => c.charCodeAt(0) < 0x20))
    throw new UsageError(`--register ${text}: the group must be at most 60 printable characters`);
  return { id, chain: chain || null, group: group || null };
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--${name} must be 0..65535, got ${value}`);
  return n;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Where to listen and what origin to give out: checked before anything starts. */
export function parseListen(listen: string | undefined, publicUrl: string | undefined): { host: string; publicOrigin: string | null } {
  const host = listen ?? '127.0.0.1';
  if (!IPV4.test(host)) throw new UsageError(`--listen ${host.slice(0, 60)}: an IPv4 address such as 127.0.0.1, 0.0.0.0 or this machine's LAN address`);
  let publicOrigin: string | null = null;
  if (publicUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(publicUrl);
    } catch {
      throw new UsageError(`--public-url ${publicUrl.slice(0, 100)}: not a URL`);
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash)
      throw new UsageError(`--public-url ${publicUrl.slice(0, 100)}: an origin, http(s)://HOST[:PORT] with nothing after it`);
    publicOrigin = u.origin;
  }
  if (host === '0.0.0.0' && !publicOrigin) throw new UsageError('--listen 0.0.0.0 needs --public-url: the address terminals fetch packages from');
  return { host, publicOrigin };
}

/** Replaces whatever is at `file` (never following a link planted there) with a 0600 file. */
export function writeSecretFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.rmSync(file, { force: true });
  // 'wx' is O_CREAT|O_EXCL: it fails rather than write through a link created in between.
  fs.writeFileSync(file, text + '\n', { mode: 0o600, flag: 'wx' });
}

export interface RunningFleet {
  /** The store: its file, or its URL with the password masked. */
  store: string;
  mqttUrl: string;
  consoleUrl: string;
  /** Where the console listens (differs from consoleUrl behind --public-url). */
  consoleListen: string;
  consoleUrlFile: string;
  registered: { id: string; created: boolean; passwordFile: string | null }[];
  close(): Promise<void>;
}

export async function startFleet(opts: {
  dataDir: string;
  /** A SQLite file or a postgres:// URL (default DIR/fleet.sqlite). */
  store?: string | StoreSpec;
  mqttPort?: number;
  consolePort?: number;
  /** The fleet's release public key (PEM file): packages are registered only if their signature verifies with it. */
  releaseKeyFile?: string;
  register?: Registration[];
  /** The address the broker and console listen on (default 127.0.0.1). */
  listen?: string;
  /** The console's origin as terminals and browsers reach it (default http://LISTEN:PORT). */
  publicOrigin?: string | null;
}): Promise<RunningFleet> {
  const host = opts.listen ?? '127.0.0.1';
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const opened = await connectStore(opts.store ?? path.join(dataDir, 'fleet.sqlite'));
  const store = opened.db;
  // Release packages live in DIR/releases (put there by the release pipeline, registered with their signature).
  const releasesDir = path.join(dataDir, 'releases');
  fs.mkdirSync(releasesDir, { recursive: true, mode: 0o700 });
  let releaseKeyPem: string | null = null;
  if (opts.releaseKeyFile) {
    try {
      releaseKeyPem = fs.readFileSync(opts.releaseKeyFile, 'utf8');
    } catch (err) {
      await store.destroy();
      throw new UsageError(`--release-key ${opts.releaseKeyFile}: ${(err as Error).message}`);
    }
  }
  const server = new FleetServer(store, undefined, { releasesDir, releaseKeyPem });
  let broker: EmbeddedBroker | null = null;
  let console_: FleetConsole | null = null;
  const consoleUrlFile = path.join(dataDir, 'console-url');
  const close = async () => {
    fs.rmSync(consoleUrlFile, { force: true });
    await console_?.close();
    await server.close();
    await broker?.close();
  };
  try {
    const registered: RunningFleet['registered'] = [];
    for (const r of opts.register ?? []) {
      const known = await store.selectFrom('terminal').select('id').where('id', '=', r.id).executeTakeFirst();
      if (known) {
        await server.register(r.id, { chain: r.chain, group: r.group, withToken: false });
        registered.push({ id: r.id, created: false, passwordFile: null });
        continue;
      }
      const password = (await server.register(r.id, { chain: r.chain, group: r.group }))!;
      const passwordFile = path.join(dataDir, 'terminals', `${r.id}.password`);
      writeSecretFile(passwordFile, password);
      registered.push({ id: r.id, created: true, passwordFile });
    }
    broker = await startEmbeddedBroker({ authenticate: server.authenticate, port: opts.mqttPort ?? 1883, host });
    // The server itself reaches its broker over loopback whatever the listening address is.
    await server.connect(host === '0.0.0.0' ? broker.url.replace('//0.0.0.0:', '//127.0.0.1:') : broker.url, server.serverCredentials());
    console_ = await startConsole({ server, port: opts.consolePort ?? 8090, host, publicOrigin: opts.publicOrigin ?? undefined });
    const consoleUrl = opts.publicOrigin ?? console_.url;
    server.packageBaseUrl = consoleUrl;
    writeSecretFile(consoleUrlFile, `${consoleUrl}/#token=${console_.token}`);
    return { store: opened.label, mqttUrl: broker.url, consoleUrl, consoleListen: console_.url, consoleUrlFile, registered, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string', default: './fleet-data' },
        store: { type: 'string' },
        'mqtt-port': { type: 'string' },
        'console-port': { type: 'string' },
        'release-key': { type: 'string' },
        listen: { type: 'string' },
        'public-url': { type: 'string' },
        register: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const storeSpec = values.store ?? (env.ESTATION_FLEET_STORE || undefined);
    const listen = parseListen(values.listen, values['public-url']);
    const fleet = await startFleet({
      listen: listen.host,
      publicOrigin: listen.publicOrigin,
      dataDir: values['data-dir'],
      store: storeSpec === undefined ? undefined : parseStoreSpec(storeSpec),
      mqttPort: port('mqtt-port', values['mqtt-port'], 1883),
      consolePort: port('console-port', values['console-port'], 8090),
      releaseKeyFile: values['release-key'],
      register: values.register.map(parseRegistration),
    });
    const { stopped } = onStopSignal();
    if (listen.host !== '127.0.0.1')
      process.stderr.write(
        `E-Station fleet server: listening on ${listen.host}: the broker speaks plain MQTT and the console plain HTTP; off this machine put TLS in front (README: the fleet in production)\n`,
      );
    process.stdout.write(
      JSON.stringify({
        event: 'ready',
        store: fleet.store,
        mqtt: fleet.mqttUrl,
        console: fleet.consoleUrl,
        consoleListen: fleet.consoleListen,
        consoleUrlFile: fleet.consoleUrlFile,
        registered: fleet.registered,
      }) + '\n',
    );
    process.stderr.write(
      `E-Station fleet server: store ${fleet.store}, MQTT at ${fleet.mqttUrl}, console at ${fleet.consoleUrl} (its URL with the token is in ${fleet.consoleUrlFile})\n`,
    );
    await stopped;
    await fleet.close();
    return 0;
  } catch (err) {
    if (err instanceof FleetStoreError && err.code === 'FLEET_STORE_SPEC') {
      process.stderr.write(`${err.code}: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`fleet server: ${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}\n`);
    return 1;
  }
}

// Run directly (`tsx fleet/main.ts`) as well as through bin/estation-fleet.js.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
