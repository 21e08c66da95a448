/**
 * A throw-away mosquitto for tests and local trials: its own CA, a server certificate for
 * 127.0.0.1, one client certificate per terminal (CN = terminal id) and one for the fleet server,
 * and the ACL from fleet/acl.ts. Clients authenticate by certificate only
 * (`use_identity_as_username`), as in the field.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { FLEET_SERVER_CLIENT, fleetIdSchema } from '../main/bridge/contract/fleet';
import { mosquittoAcl, type AclTerminal } from './acl';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

const run = promisify(execFile);

export interface Credentials {
  cert: Buffer;
  key: Buffer;
}

export interface RunningMosquitto {
  url: string;
  port: number;
  ca: Buffer;
  /** The certificate and key for a terminal id or `fleet-server`; throws for anyone else. */
  credentials(id: string): Credentials;
  /** What mosquitto wrote to stderr so far (its log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export interface TestPki {
  ca: Buffer;
  /** PEM files, for mosquitto.conf. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  credentials(id: string): Credentials;
}

export class MosquittoNotFoundError extends Error {
  readonly code = 'MOSQUITTO_NOT_FOUND';
}

const OPENSSL_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/** An EC P-256 key, its file created 0600 before openssl writes into it. */
async function newKey(dir: string, name: string): Promise<string> {
  const file = path.join(dir, `${name}.key`);
  await fs.writeFile(file, '', { mode: 0o600 });
  await fs.chmod(file, 0o600);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
  await fs.chmod(file, 0o600);
  return file;
}

const serial = () => `0x${randomBytes(15).toString('hex')}`;

async function issue(dir: string, name: string, cn: string, ext: 'server_ext' | 'client_ext', caCert: string, caKey: string, cnf: string): Promise<void> {
  const key = await newKey(dir, name);
  const csr = path.join(dir, `${name}.csr`);
  await openssl(['req', '-new', '-config', cnf, '-key', key, '-subj', `/CN=${cn}`, '-out', csr], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-set_serial',
      serial(),
      '-days',
      '2',
      '-extfile',
      cnf,
      '-extensions',
      ext,
      '-out',
      path.join(dir, `${name}.crt`),
    ],
    dir,
  );
}

/**
 * A CA, a server certificate for 127.0.0.1 and a client certificate per name (CN = the name), all
 * under `dir`. Tests also use it to make a second, foreign CA whose certificates must be refused.
 */
export async function makeTestPki(dir: string, clients: readonly string[]): Promise<TestPki> {
  for (const c of clients) if (c !== FLEET_SERVER_CLIENT) fleetIdSchema.parse(c);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const cnf = path.join(dir, 'openssl.cnf');
  await fs.writeFile(cnf, OPENSSL_CNF);
  const caKey = await newKey(dir, 'ca');
  const caCert = path.join(dir, 'ca.crt');
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-config',
      cnf,
      '-extensions',
      'ca_ext',
      '-key',
      caKey,
      '-subj',
      '/CN=E-Station test CA',
      '-set_serial',
      serial(),
      '-days',
      '2',
      '-out',
      caCert,
    ],
    dir,
  );
  // Two cores: a few openssl processes at a time is as fast as it gets.
  await Promise.all([
    issue(dir, 'server', '127.0.0.1', 'server_ext', caCert, caKey, cnf),
    ...clients.map((c) => issue(dir, `client-${c}`, c, 'client_ext', caCert, caKey, cnf)),
  ]);
  const creds = new Map<string, Credentials>();
  for (const c of clients) {
    creds.set(c, { cert: await fs.readFile(path.join(dir, `client-${c}.crt`)), key: await fs.readFile(path.join(dir, `client-${c}.key`)) });
  }
  return {
    ca: await fs.readFile(caCert),
    caFile: caCert,
    serverCertFile: path.join(dir, 'server.crt'),
    serverKeyFile: path.join(dir, 'server.key'),
    credentials(id) {
      const c = creds.get(id);
      if (!c) throw new Error(`no certificate for ${id}`);
      return c;
    },
  };
}

/** A port free right now on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return port;
}

/** One TLS handshake with the broker: resolves when it completes, rejects on any error or after `ms`. */
function tlsProbe(port: number, ca: Buffer, creds: Credentials, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, cert: creds.cert, key: creds.key });
    const timer = setTimeout(() => socket.destroy(new Error('TLS probe timed out')), ms);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    });
  });
}

export interface MosquittoOptions {
  /** Where the certificates, keys, ACL and configuration go (the caller makes and removes it). */
  dir: string;
  terminals: AclTerminal[];
  /** The broker binary; Debian's package by default. */
  bin?: string;
}

export async function startMosquitto(opts: MosquittoOptions): Promise<RunningMosquitto> {
  const bin = opts.bin ?? MOSQUITTO_BIN;
  if (!existsSync(bin)) throw new MosquittoNotFoundError(`${bin} not found (apt-get install mosquitto)`);
  // mosquitto.conf takes a path up to the first space.
  if (/\s/.test(path.resolve(opts.dir))) throw new Error(`mosquitto cannot use a directory with white space in its path: ${opts.dir}`);
  const acl = mosquittoAcl(opts.terminals);
  const pki = await makeTestPki(path.join(opts.dir, 'pki'), [FLEET_SERVER_CLIENT, ...opts.terminals.map((t) => t.id)]);
  const port = await freePort();
  const aclFile = path.join(opts.dir, 'acl');
  const confFile = path.join(opts.dir, 'mosquitto.conf');
  await fs.writeFile(aclFile, acl, { mode: 0o600 });
  const conf = [
    'per_listener_settings false',
    // Run as root, mosquitto would switch to the `mosquitto` user, who cannot read the 0600 keys.
    // As anyone else this line changes nothing.
    `user ${os.userInfo().username}`,
    `listener ${port} 127.0.0.1`,
    `cafile ${pki.caFile}`,
    `certfile ${pki.serverCertFile}`,
    `keyfile ${pki.serverKeyFile}`,
    'require_certificate true',
    'use_identity_as_username true',
    // The client id becomes the username (the CN): a terminal cannot connect under another's id
    // and take its session over (aedes refuses such a CONNECT; mosquitto renames it).
    'use_username_as_clientid true',
    'allow_anonymous false',
    `acl_file ${aclFile}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    '',
  ].join('\n');
  await fs.writeFile(confFile, conf, { mode: 0o600 });

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  const killOnExit = () => child?.kill('SIGKILL');

  const spawnBroker = async (): Promise<void> => {
    const p = spawn(bin, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = p;
    process.on('exit', killOnExit);
    p.stderr?.setEncoding('utf8');
    p.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-64 * 1024);
    });
    let onExit: (why: string) => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      onExit = (why) => reject(new Error(`mosquitto ${why} before it listened on ${port}:\n${stderr}`));
    });
    // Handled here so that a broker dying later, after startup, is not an unhandled rejection.
    died.catch(() => undefined);
    exited = new Promise<void>((resolve) => {
      p.once('exit', (code, signal) => {
        process.off('exit', killOnExit);
        if (child === p) child = null;
        onExit(`exited (${signal ?? code})`);
        resolve();
      });
      p.once('error', (e) => {
        process.off('exit', killOnExit);
        if (child === p) child = null;
        onExit(`failed to start: ${e.message}`);
        resolve();
      });
    });
    const deadline = Date.now() + 10_000;
    let last: unknown = null;
    while (Date.now() < deadline) {
      try {
        await Promise.race([tlsProbe(port, pki.ca, pki.credentials(FLEET_SERVER_CLIENT), Math.max(1, deadline - Date.now())), died]);
        return;
      } catch (e) {
        if (child !== p) throw e;
        last = e;
      }
      // Not listening yet (connection refused): try again shortly, or stop if it dies meanwhile.
      await Promise.race([new Promise((r) => setTimeout(r, 25)), died]);
    }
    p.kill('SIGKILL');
    await exited;
    throw new Error(`mosquitto did not accept a TLS connection on ${port} within 10 s (${String(last)}):\n${stderr}`);
  };

  const stop = async (): Promise<void> => {
    const p = child;
    if (!p) return;
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await spawnBroker();
  return {
    url: `mqtts://127.0.0.1:${port}`,
    port,
    ca: pki.ca,
    credentials: (id) => pki.credentials(id),
    log: () => stderr,
    stop,
    async restart() {
      await stop();
      await spawnBroker();
    },
  };
}
