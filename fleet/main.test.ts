/**
 * `npm run fleet` as a process (bin/estation-fleet.js): the ready line, the secrets only in 0600
 * files (never on stdout or stderr), a registered terminal able to log in to the broker, the
 * console answering with the token from its file, a clean stop on SIGTERM, and a second start
 * that keeps the terminal's password. The store: a malformed --store is a usage error, a store
 * that cannot be reached a typed one, neither showing its password; on PostgreSQL (ESTATION_TEST_PG)
 * the fleet starts with its rows there.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parseListen, parseRegistration } from './main';
import { freshStoreSpec, PG_SKIPPED, STORES, TEST_PG, withPg } from './testing-pg';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-fleet-main-'));
const dataDir = path.join(dir, 'data');
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Ready {
  event: 'ready';
  store: string;
  mqtt: string;
  console: string;
  consoleListen: string;
  consoleUrlFile: string;
  registered: { id: string; created: boolean; passwordFile: string | null }[];
}

function startFleetProcess(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', path.join(root, 'bin/estation-fleet.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ESTATION_FLEET_STORE: '', ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Ready>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) resolve(JSON.parse(line) as Ready);
    });
    void exited.then((code) => reject(new Error(`fleet exited with ${code}:\n${err}`)));
  });
  return { child, ready, exited, output: () => out + err };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('npm run fleet', () => {
  it('starts broker, server and console; secrets only in 0600 files; a registered terminal logs in; SIGTERM stops it cleanly; a restart keeps the password', async () => {
    const args = ['--data-dir', dataDir, '--mqtt-port', '0', '--console-port', '0', '--register', 'T-MAIN-1:C1:南山店', '--register', 'T-MAIN-2'];
    const first = startFleetProcess(args);
    const ready = await first.ready;
    expect(ready.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.consoleUrlFile).toBe(path.join(dataDir, 'console-url'));
    expect(ready.registered).toEqual([
      { id: 'T-MAIN-1', created: true, passwordFile: path.join(dataDir, 'terminals', 'T-MAIN-1.password') },
      { id: 'T-MAIN-2', created: true, passwordFile: path.join(dataDir, 'terminals', 'T-MAIN-2.password') },
    ]);
    const password = fs.readFileSync(ready.registered[0]!.passwordFile!, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(mode(ready.registered[0]!.passwordFile!)).toBe(0o600);
    expect(mode(ready.consoleUrlFile)).toBe(0o600);
    // The store holds the terminals' token hashes and their health: the directory is the fleet
    // server's alone, and so is every file in it (the database and its WAL included).
    expect(mode(dataDir)).toBe(0o700);
    const stored = fs.readdirSync(dataDir).filter((f) => f.startsWith('fleet.sqlite'));
    expect(stored).toContain('fleet.sqlite');
    for (const f of stored) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
    const consoleUrl = fs.readFileSync(ready.consoleUrlFile, 'utf8').trim();
    const token = new URL(consoleUrl).hash.replace('#token=', '');
    expect(consoleUrl).toBe(`${ready.console}/#token=${token}`);
    expect(first.output()).not.toContain(password);
    expect(first.output()).not.toContain(token);

    const list = await fetch(`${ready.console}/api/terminals`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { terminals: { id: string; chain: string | null; group: string | null }[] };
    expect(body.terminals.find((t) => t.id === 'T-MAIN-1')).toMatchObject({ chain: 'C1', group: '南山店' });

    const terminal = await mqtt.connectAsync(ready.mqtt, { clientId: 'T-MAIN-1', username: 'T-MAIN-1', password, protocolVersion: 4, reconnectPeriod: 0 });
    await terminal.endAsync();
    await expect(
      mqtt.connectAsync(ready.mqtt, { clientId: 'T-MAIN-2', username: 'T-MAIN-2', password, protocolVersion: 4, reconnectPeriod: 0 }),
    ).rejects.toThrow();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(ready.consoleUrlFile)).toBe(false);

    const second = startFleetProcess(['--data-dir', dataDir, '--mqtt-port', '0', '--console-port', '0', '--register', 'T-MAIN-1:C2:福田店']);
    const again = await second.ready;
    expect(again.registered).toEqual([{ id: 'T-MAIN-1', created: false, passwordFile: null }]);
    expect(fs.readFileSync(ready.registered[0]!.passwordFile!, 'utf8').trim()).toBe(password);
    const back = await mqtt.connectAsync(again.mqtt, { clientId: 'T-MAIN-1', username: 'T-MAIN-1', password, protocolVersion: 4, reconnectPeriod: 0 });
    await back.endAsync();
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('a wrong option is a usage error (exit 2) that names it', async () => {
    const bad = startFleetProcess(['--data-dir', dataDir, '--mqtt-port', 'abc']);
    bad.ready.catch(() => undefined);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--mqtt-port must be 0..65535');
    const badId = startFleetProcess(['--data-dir', dataDir, '--register', 'no/slash']);
    badId.ready.catch(() => undefined);
    expect(await badId.exited).toBe(2);
    const noKey = startFleetProcess(['--data-dir', dataDir, '--mqtt-port', '0', '--console-port', '0', '--release-key', path.join(dataDir, 'no-such-key.pem')]);
    noKey.ready.catch(() => undefined);
    expect(await noKey.exited).toBe(2);
    expect(noKey.output()).toContain('--release-key');
    expect(noKey.output()).toContain('ENOENT');
  });

  it('a malformed --store is a usage error (exit 2) naming FLEET_STORE_SPEC; an unreachable one (here from ESTATION_FLEET_STORE) exits 1 with FLEET_STORE_UNAVAILABLE; no password shown, no stack', async () => {
    const bad = startFleetProcess(['--data-dir', dataDir, '--store', 'mysql://root:hunter2@127.0.0.1/fleet']);
    bad.ready.catch(() => undefined);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('FLEET_STORE_SPEC: the store mysql://root:***@127.0.0.1/fleet is neither a SQLite file nor a postgres:// URL');
    // Port 1 on 127.0.0.1: nothing listens there.
    const away = startFleetProcess(['--data-dir', dataDir, '--mqtt-port', '0', '--console-port', '0'], {
      ESTATION_FLEET_STORE: 'postgres://fleet:hunter2@127.0.0.1:1/fleet',
    });
    away.ready.catch(() => undefined);
    expect(await away.exited).toBe(1);
    expect(away.output()).toMatch(/^fleet server: FLEET_STORE_UNAVAILABLE: postgres:\/\/fleet:\*\*\*@127\.0\.0\.1:1\/fleet: .*ECONNREFUSED.*\n$/);
    for (const run of [bad, away]) {
      expect(run.output()).not.toContain('hunter2');
      expect(run.output()).not.toMatch(/^\s+at /m);
    }
  });

  it.skipIf(!TEST_PG)(
    `--store postgres://…: the fleet starts on PostgreSQL, its ready line shows the URL with the password masked, the terminal it registers is a row there${TEST_PG ? '' : ` ${PG_SKIPPED}`}`,
    async () => {
      const fresh = await freshStoreSpec(
        STORES.find((k) => k.dialect === 'postgres')!,
        dir,
      );
      try {
        const pgDir = path.join(dir, 'pg-data');
        const run = startFleetProcess([
          '--data-dir',
          pgDir,
          '--store',
          fresh.spec,
          '--mqtt-port',
          '0',
          '--console-port',
          '0',
          '--register',
          'T-PG-1:C1:南山店',
        ]);
        const ready = await run.ready;
        const secret = new URL(fresh.spec).password;
        expect(ready.store).toBe(fresh.spec.replace(`:${secret}@`, ':***@'));
        expect(run.output()).not.toContain(secret);
        expect(fs.readdirSync(pgDir).filter((f) => f.startsWith('fleet.sqlite'))).toEqual([]);
        const rows = await withPg((c) => c.query<{ id: string; chain: string; grp: string }>('SELECT id, chain, grp FROM terminal'), fresh.schema!);
        expect(rows.rows).toEqual([{ id: 'T-PG-1', chain: 'C1', grp: '南山店' }]);
        run.child.kill('SIGTERM');
        expect(await run.exited).toBe(0);
      } finally {
        await fresh.dispose();
      }
    },
  );

  it('--listen and --public-url: the console accepts its public name and hands it out as the package address; bad values are usage errors', async () => {
    const d = path.join(dir, 'public');
    const fleet = startFleetProcess([
      '--data-dir',
      d,
      '--mqtt-port',
      '0',
      '--console-port',
      '0',
      '--listen',
      '127.0.0.1',
      '--public-url',
      'http://localhost:18090',
    ]);
    const ready = await fleet.ready;
    // The console URL handed out (and in its 0600 file) is the public one.
    expect(ready.console).toBe('http://localhost:18090');
    expect(fs.readFileSync(path.join(d, 'console-url'), 'utf8')).toMatch(/^http:\/\/localhost:18090\/#token=[0-9a-f]{48}\n$/);
    const token = fs.readFileSync(path.join(d, 'console-url'), 'utf8').trim().split('#token=')[1]!;
    // What is bound is still 127.0.0.1: reached there under the public name it answers, under another name it refuses.
    expect(new URL(ready.mqtt).hostname).toBe('127.0.0.1');
    const listen = new URL(ready.consoleListen);
    expect(listen.hostname).toBe('127.0.0.1');
    const asHost = (host: string, origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: Number(listen.port),
            path: '/api/terminals',
            headers: { host, authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await asHost('localhost:18090')).toBe(200);
    expect(await asHost('localhost:18090', 'http://localhost:18090')).toBe(200);
    expect(await asHost('fleet.evil.example:18090')).toBe(421);
    expect(await asHost('localhost:18090', 'http://fleet.evil.example')).toBe(403);
    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);

    expect(parseListen(undefined, undefined)).toEqual({ host: '127.0.0.1', publicOrigin: null });
    expect(parseListen('0.0.0.0', 'https://fleet.example.cn')).toEqual({ host: '0.0.0.0', publicOrigin: 'https://fleet.example.cn' });
    expect(() => parseListen('0.0.0.0', undefined)).toThrow(/needs --public-url/);
    expect(() => parseListen('localhost', undefined)).toThrow(/IPv4 address/);
    expect(() => parseListen('256.1.1.1', undefined)).toThrow(/IPv4 address/);
    expect(() => parseListen(undefined, 'ftp://x')).toThrow(/an origin/);
    expect(() => parseListen(undefined, 'http://x/console?a=1')).toThrow(/an origin/);
    expect(() => parseListen(undefined, 'http://user:pw@x')).toThrow(/an origin/);
    const bad = startFleetProcess(['--data-dir', d, '--listen', '0.0.0.0']);
    bad.ready.catch(() => undefined);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--listen 0.0.0.0 needs --public-url');
  });

  it('parses ID[:CHAIN[:GROUP]]', () => {
    expect(parseRegistration('T1')).toEqual({ id: 'T1', chain: null, group: null });
    expect(parseRegistration('T1:C1')).toEqual({ id: 'T1', chain: 'C1', group: null });
    expect(parseRegistration('T1::服务大厅')).toEqual({ id: 'T1', chain: null, group: '服务大厅' });
    expect(parseRegistration('T1:C1:一方:南山店')).toEqual({ id: 'T1', chain: 'C1', group: '一方:南山店' });
    expect(() => parseRegistration('T 1')).toThrow(/terminal id/);
    expect(() => parseRegistration('T1:C#')).toThrow(/chain/);
  });
});
