/**
 * Test support for staged updates with real processes: release directories and signed .tar.gz
 * packages (1.x "terminal" releases run this checkout's terminal; "crash" releases exit at once),
 * and terminals run by `estation launch` from their own update slots, as in the field.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FleetServer } from './server';
import type { RunningMosquitto } from './mosquitto';
import { LAUNCH_FILE_NAME, readLaunchFile } from '../main/ground/launch-file';

const repo = path.resolve(import.meta.dirname, '..');

/** The release signing key pair of a test fleet, with the public key as a PEM file in `dir`. */
export function releaseKeys(dir: string): { privateKey: KeyObject; publicPem: string; publicFile: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicFile = path.join(dir, 'release-key.pem');
  fs.writeFileSync(publicFile, publicPem);
  return { privateKey, publicPem, publicFile };
}

/**
 * A release directory's content. `terminal`: a start.mjs that runs the terminal from this
 * checkout. `program`: the same terminal behind an executable entry with "runtime": "exec", the
 * way a packaged Electron shell is started (its own binary); it first notes the arguments it got
 * in `program-started` beside the update slots, so a test can tell it ran. `crash`: exits at once.
 */
export type ReleaseBehaviour = 'terminal' | 'program' | 'crash';

export function writeRelease(into: string, version: string, behaviour: ReleaseBehaviour): void {
  fs.mkdirSync(into, { recursive: true });
  if (behaviour === 'program') {
    fs.writeFileSync(path.join(into, 'estation-release.json'), JSON.stringify({ version, entry: 'e-station', runtime: 'exec' }));
    const script = [
      '#!/bin/sh',
      'printf \'%s\\n\' "$*" > "$ESTATION_UPDATES_DIR/../program-started"',
      `exec ${JSON.stringify(process.execPath)} --unhandled-rejections=strict ${JSON.stringify(path.join(repo, 'bin/estation.js'))} "$@"`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(into, 'e-station'), script, { mode: 0o755 });
    return;
  }
  fs.writeFileSync(path.join(into, 'estation-release.json'), JSON.stringify({ version, entry: 'start.mjs' }));
  const body =
    behaviour === 'terminal'
      ? `await import(${JSON.stringify(pathToFileURL(path.join(repo, 'bin/estation.js')).href)});\n`
      : `console.error('release ${version}: cannot start'); process.exit(3);\n`;
  fs.writeFileSync(path.join(into, 'start.mjs'), body);
}

/** Packs a release into the fleet's releases directory, signs it, and registers it with the server. */
export async function publishRelease(
  server: FleetServer,
  opts: { dir: string; releasesDir: string; privateKey: KeyObject; version: string; behaviour: ReleaseBehaviour },
): Promise<void> {
  const src = fs.mkdtempSync(path.join(opts.dir, `src-${opts.version}-`));
  writeRelease(src, opts.version, opts.behaviour);
  const file = `estation-${opts.version}.tar.gz`;
  execFileSync('tar', ['-czf', path.join(opts.releasesDir, file), '-C', src, '.']);
  const digest = createHash('sha256')
    .update(fs.readFileSync(path.join(opts.releasesDir, file)))
    .digest();
  await server.rollouts.addRelease({ version: opts.version, file, signature: sign(null, digest, opts.privateKey).toString('base64') });
}

export interface LaunchedTerminal {
  id: string;
  home: string;
  child: ChildProcess;
  /** What the launcher and the terminals it ran wrote, for failure messages. */
  stderr(): string;
  /** The update slots' state file, as the launcher left it. */
  slotState(): Record<string, unknown>;
  /** The page address (with its token) of the terminal's current start. */
  launchUrl(): string;
  /** A call on the terminal's bridge, with the token of its current start (each start writes a new one). */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A terminal (counter mode, simulated devices, face off) under `estation launch`, installed as
 * release 1.0.0. `fleet` is the terminal's fleet config (url plus password or tls).
 */
export function launchTerminal(opts: {
  dir: string;
  id: string;
  releaseKeyFile: string;
  fleet: Record<string, unknown>;
  /** More of the terminal's config (face on, say). */
  config?: Record<string, unknown>;
}): LaunchedTerminal {
  const home = path.join(opts.dir, opts.id);
  const updates = path.join(home, 'updates');
  writeRelease(path.join(updates, 'releases', '1.0.0'), '1.0.0', 'terminal');
  const config = {
    dataDir: path.join(home, 'data'),
    mode: 'checkout',
    terminal: { id: opts.id },
    face: { enabled: false },
    platform: { healthIntervalMs: 60_000 },
    fleet: { enabled: true, healthIntervalSeconds: 2, backoff: { minMs: 100, maxMs: 500 }, ...opts.fleet },
    ...opts.config,
  };
  // JSON is YAML too: the terminal reads it as its config file.
  fs.writeFileSync(path.join(home, 'config.yaml'), JSON.stringify(config, null, 2), { mode: 0o600 });
  const args = ['launch', '--updates', updates, '--release-key', opts.releaseKeyFile, '--adopt', '1.0.0', '--'];
  args.push('start', '--headless', '--port', '0', '--config', path.join(home, 'config.yaml'));
  const child = spawn(process.execPath, [path.join(repo, 'bin/estation.js'), ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  // The file each start of the terminal writes: its page address with the token after #token=.
  const launchFile = path.join(home, 'data', LAUNCH_FILE_NAME);
  const launchUrl = () => readLaunchFile(launchFile).launchUrl;
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  return {
    id: opts.id,
    home,
    child,
    stderr: () => err,
    slotState: () => JSON.parse(fs.readFileSync(path.join(updates, 'state.json'), 'utf8')) as Record<string, unknown>,
    launchUrl,
    async call<T>(channel: string, input: unknown): Promise<T> {
      const { launchUrl: url, token } = readLaunchFile(launchFile);
      const res = await fetch(`${new URL(url).origin}/bridge/call/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
      if (!body.ok) throw new Error(`${opts.id} ${channel}: ${body.error?.code}`);
      return body.value as T;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A terminal's TLS files for mosquitto (CA, its certificate with CN = id, its key at 0600), as its fleet.tls names them. */
export function terminalTlsFiles(dir: string, id: string, mosquitto: RunningMosquitto): { ca: string; cert: string; key: string } {
  const pki = path.join(dir, 'pki-files', id);
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  const { cert, key } = mosquitto.credentials(id);
  fs.writeFileSync(path.join(pki, 'ca.pem'), mosquitto.ca);
  fs.writeFileSync(path.join(pki, 'cert.pem'), cert);
  fs.writeFileSync(path.join(pki, 'key.pem'), key, { mode: 0o600 });
  return { ca: path.join(pki, 'ca.pem'), cert: path.join(pki, 'cert.pem'), key: path.join(pki, 'key.pem') };
}
