/**
 * One access contract, run against both brokers the fleet may use: the embedded aedes
 * (fleet/broker.ts, `fleetAccess` in code) and mosquitto (fleet/mosquitto.ts, the ACL file from
 * fleet/acl.ts). Terminals T1 and T2 in chain C1, T3 in chain C2, and the fleet server.
 *
 * Only what is DELIVERED is asserted: mosquitto 2.0 accepts any SUBSCRIBE and filters each
 * message, aedes answers a refused filter with SUBACK 0x80; aedes disconnects a client that
 * publishes where it may not, mosquitto drops the message and keeps the client.
 *
 * "Nothing arrives" is not waited for with a sleep. After the forbidden message, a marker is sent
 * that the receiver IS allowed to get, over a path that the forbidden message would have taken
 * first: the broker routes a message to every subscriber when it handles it, and one client's
 * messages reach another in order. So when the marker arrives, the forbidden message would
 * already have, and its absence is the answer.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_SERVER_CLIENT, chainTopics, devTopics } from '../main/bridge/contract/fleet';
import { startEmbeddedBroker, type EmbeddedBroker, type Principal } from './broker';
import { MOSQUITTO_BIN, makeTestPki, startMosquitto, type RunningMosquitto } from './mosquitto';

const hasMosquitto = existsSync(MOSQUITTO_BIN);
const SKIP_REASON = `skipped: ${MOSQUITTO_BIN} not installed; apt-get install mosquitto`;

/** How long something that must arrive may take: a deadline, not a pause. */
const DEADLINE_MS = 5_000;

const TERMINALS = [
  { id: 'T1', chain: 'C1' },
  { id: 'T2', chain: 'C1' },
  { id: 'T3', chain: 'C2' },
];
const SERVER = FLEET_SERVER_CLIENT;
const T1 = devTopics('T1');
const T2 = devTopics('T2');
const T3 = devTopics('T3');
const MANIFEST_C1 = `${chainTopics('C1').base}/faces/manifest`;

const base: IClientOptions = { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: DEADLINE_MS, clean: true };

interface Harness {
  /** Connects as `id` with its own credentials, under client id `clientId` (normally `id`). */
  connect(id: string, clientId?: string): Promise<MqttClient>;
  /** Connection attempts the broker must refuse, by description. */
  refused: [string, () => Promise<MqttClient>][];
  stop(): Promise<void>;
}

/** connectAsync that rejects on any close before CONNACK (allowRetries = false) and within the deadline. */
const connectAsync = (url: string, opts: IClientOptions) => mqtt.connectAsync(url, opts, false);

async function aedesHarness(): Promise<Harness> {
  const principals = new Map<string, Principal>([
    [SERVER, { kind: 'server' }],
    ...TERMINALS.map((t): [string, Principal] => [t.id, { kind: 'terminal', id: t.id, chain: t.chain }]),
  ]);
  const broker: EmbeddedBroker = await startEmbeddedBroker({
    authenticate: async (username, password) => {
      const p = principals.get(username);
      return p && password?.toString('utf8') === `pw-${username}` ? p : null;
    },
  });
  const as = (username: string, password: string, clientId = username) => connectAsync(broker.url, { ...base, clientId, username, password });
  return {
    connect: (id, clientId = id) => as(id, `pw-${id}`, clientId),
    refused: [
      ['a wrong password', () => as('T1', 'pw-T2')],
      ['an unknown user', () => as('T9', 'pw-T9')],
      ['no password', () => connectAsync(broker.url, { ...base, clientId: 'T1', username: 'T1' })],
      ['no username', () => connectAsync(broker.url, { ...base, clientId: 'T1' })],
    ],
    stop: () => broker.close(),
  };
}

async function mosquittoHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'estation-mosquitto-'));
  let broker: RunningMosquitto | null = null;
  try {
    broker = await startMosquitto({ dir, terminals: TERMINALS });
    // A second CA the broker does not know, issuing a certificate in T1's name.
    const rogue = await makeTestPki(path.join(dir, 'rogue'), ['T1']);
    const b = broker;
    const tlsAs = (extra: IClientOptions) => connectAsync(b.url, { ...base, ca: b.ca, ...extra });
    return {
      connect: (id, clientId = id) => tlsAs({ clientId, ...b.credentials(id) }),
      refused: [
        ['a certificate from another CA', () => tlsAs({ clientId: 'T1', ...rogue.credentials('T1') })],
        ['no client certificate', () => tlsAs({ clientId: 'T1' })],
        ['no client certificate, with a username and password', () => tlsAs({ clientId: 'T1', username: 'T1', password: 'pw-T1' })],
      ],
      async stop() {
        await b.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Every message a client receives, and a way to wait for one with a deadline. */
class Inbox {
  readonly messages: Received[] = [];
  closed = false;
  private waiters = new Set<{ match: (m: Received) => boolean; resolve: (m: Received) => void; reject: (e: Error) => void }>();

  constructor(
    readonly name: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload: payload.toString('utf8'), retain: packet.retain };
      this.messages.push(m);
      for (const w of this.waiters) if (w.match(m)) w.resolve(m);
    });
    client.on('close', () => {
      this.closed = true;
      for (const w of this.waiters) w.reject(new Error(`${this.name}: connection closed while waiting`));
    });
    // Errors show up as a close (and in the assertions); without a listener they would throw.
    client.on('error', () => undefined);
  }

  /** The first message matching, among those from index `since` on (0: all so far), or the next one to arrive. */
  waitFor(match: (m: Received) => boolean, what: string, since = 0): Promise<Received> {
    const seen = this.messages.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error(`${this.name}: closed, ${what} cannot arrive`));
    return new Promise<Received>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`${this.name}: ${what} did not arrive within ${DEADLINE_MS} ms; got ${JSON.stringify(this.messages)}`)),
        DEADLINE_MS,
      );
      const w = {
        match,
        resolve: (m: Received) => done(null, m),
        reject: (e: Error) => done(e),
      };
      const done = (e: Error | null, m?: Received) => {
        clearTimeout(timer);
        this.waiters.delete(w);
        if (e) reject(e);
        else resolve(m as Received);
      };
      this.waiters.add(w);
    });
  }

  /** Resolves when the connection closes (or has), rejects after the deadline. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: still open after ${DEADLINE_MS} ms`)), DEADLINE_MS);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  from(prefix: string): Received[] {
    return this.messages.filter((m) => m.topic === prefix || m.topic.startsWith(`${prefix}/`));
  }
}

let counter = 0;
const nonce = (what: string) => `${what}-${process.pid}-${++counter}-${Date.now()}`;

// Rows, not objects: `%s` prints the whole title, `$title` would cut it at 40 characters (and with it the skip reason).
describe.each([
  ['aedes (embedded broker, fleetAccess)', 'aedes', true],
  [hasMosquitto ? `mosquitto (${MOSQUITTO_BIN}, ACL file)` : `mosquitto (${SKIP_REASON})`, 'mosquitto', hasMosquitto],
] as const)('fleet access contract on %s', (_title, kind, available) => {
  const test = it.skipIf(!available);
  let harness: Harness | null = null;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    if (!available) return;
    harness = kind === 'aedes' ? await aedesHarness() : await mosquittoHarness();
  });
  afterEach(async () => {
    const open = clients.splice(0);
    await Promise.all(open.map((c) => c.endAsync(true)));
  });
  afterAll(async () => {
    await harness?.stop();
    harness = null;
  });

  const h = (): Harness => {
    if (!harness) throw new Error('broker not started');
    return harness;
  };
  async function open(id: string, clientId = id): Promise<Inbox> {
    const client = await h().connect(id, clientId);
    clients.push(client);
    return new Inbox(id, client);
  }
  /** A subscription fleetAccess allows: granted on both brokers. */
  async function subscribe(inbox: Inbox, filter: string): Promise<void> {
    const granted = await inbox.client.subscribeAsync(filter, { qos: 1 });
    expect(
      granted.map((g) => g.qos),
      `${inbox.name} subscribing ${filter}`,
    ).toEqual([1]);
  }
  /** A subscription fleetAccess refuses: aedes answers 0x80 (MQTT.js rejects), mosquitto grants it and filters. Either way, go on. */
  async function trySubscribe(inbox: Inbox, filter: string): Promise<'granted' | 'refused'> {
    try {
      const granted = await inbox.client.subscribeAsync(filter, { qos: 1 });
      return granted.every((g) => g.qos !== 128) ? 'granted' : 'refused';
    } catch {
      return 'refused';
    }
  }
  /** The server publishes a marker to `topic` and each receiver must get it: everything routed to them before has arrived. */
  async function marker(server: Inbox, topic: string, ...receivers: Inbox[]): Promise<void> {
    const payload = nonce('marker');
    await server.client.publishAsync(topic, payload, { qos: 1 });
    await Promise.all(receivers.map((r) => r.waitFor((m) => m.topic === topic && m.payload === payload, `marker on ${topic}`)));
  }

  test("a terminal's own topics reach the server, not another terminal (live and retained)", async () => {
    const server = await open(SERVER);
    await subscribe(server, 'est/v1/#');
    const t2 = await open('T2');
    await subscribe(t2, `${T2.base}/#`);
    for (const f of ['est/v1/#', 'est/v1/dev/+/status', `${T1.base}/#`, '#']) await trySubscribe(t2, f);

    const t1 = await open('T1');
    const status = nonce('status');
    await t1.client.publishAsync(T1.status, status, { qos: 1, retain: true });
    await server.waitFor((m) => m.topic === T1.status && m.payload === status, "T1's status");
    await marker(server, T2.command, t2);
    expect(t2.from(T1.base)).toEqual([]);

    // Retained: a new subscription gets the retained status, if it may read it at all.
    const before = server.messages.length;
    await subscribe(server, T1.status);
    await server.waitFor((m) => m.topic === T1.status && m.payload === status && m.retain, "T1's retained status on a new subscription", before);
    await trySubscribe(t2, T1.status);
    await trySubscribe(t2, `${T1.base}/+`);
    await marker(server, T2.command, t2);
    expect(t2.from(T1.base)).toEqual([]);
  });

  const forbidden: [string, string][] = [
    ["another terminal's status", T2.status],
    ["another terminal's command results", T2.result],
    ['its own bare prefix', T1.base],
    ["its chain's topics", MANIFEST_C1],
    ['$SYS', '$SYS/x'],
    ['outside the prefix', 'other/topic'],
  ];
  test.each(forbidden)('a terminal publishing to %s (%s) reaches nobody', async (_what, topic) => {
    const server = await open(SERVER);
    await subscribe(server, 'est/v1/#');
    await trySubscribe(server, '$SYS/#');
    await trySubscribe(server, '#');
    const t2 = await open('T2');
    await subscribe(t2, `${T2.base}/#`);
    await subscribe(t2, `${chainTopics('C1').base}/#`);

    const t1 = await open('T1');
    const payload = nonce('forged');
    const own = nonce('own');
    // QoS 0, both written at once and in order, their callbacks not waited for: aedes drops the
    // connection on a refused publish, and neither a PUBACK nor the second write may happen then.
    t1.client.publish(topic, payload, { qos: 0 }, () => undefined);
    t1.client.publish(T1.health, own, { qos: 0 }, () => undefined);
    // The broker has handled the forged message when it has either passed on the next one (mosquitto) or dropped the client (aedes).
    const outcome = await Promise.race([
      server.waitFor((m) => m.topic === T1.health && m.payload === own, "T1's next message").then(() => 'dropped' as const),
      t1.whenClosed().then(() => 'disconnected' as const),
    ]);
    expect(['dropped', 'disconnected']).toContain(outcome);
    await marker(server, T2.command, server, t2);
    expect(server.messages.filter((m) => m.payload === payload)).toEqual([]);
    expect(t2.messages.filter((m) => m.payload === payload)).toEqual([]);
  });

  test("the server's chain topic reaches that chain's terminals only (live and retained)", async () => {
    const server = await open(SERVER);
    const t1 = await open('T1');
    await subscribe(t1, `${chainTopics('C1').base}/#`);
    const t2 = await open('T2');
    await subscribe(t2, MANIFEST_C1);
    const t3 = await open('T3');
    await subscribe(t3, `${T3.base}/#`);
    await trySubscribe(t3, `${chainTopics('C1').base}/#`);
    await trySubscribe(t3, '#');

    const manifest = nonce('manifest');
    await server.client.publishAsync(MANIFEST_C1, manifest, { qos: 1, retain: true });
    await t1.waitFor((m) => m.topic === MANIFEST_C1 && m.payload === manifest, 'the C1 manifest');
    await t2.waitFor((m) => m.topic === MANIFEST_C1 && m.payload === manifest, 'the C1 manifest');
    await marker(server, T3.command, t3);
    expect(t3.from(chainTopics('C1').base)).toEqual([]);

    // Retained: T1 gets it again on a new subscription; T3 does not.
    const before = t1.messages.length;
    await subscribe(t1, MANIFEST_C1);
    await t1.waitFor((m) => m.topic === MANIFEST_C1 && m.payload === manifest && m.retain, 'the retained C1 manifest', before);
    await trySubscribe(t3, MANIFEST_C1);
    await marker(server, T3.command, t3);
    expect(t3.from(chainTopics('C1').base)).toEqual([]);
  });

  test('nobody reads $SYS', async () => {
    // What can be observed: mosquitto keeps retained $SYS topics (sent at once to a subscriber
    // allowed them) and updates them every 10 s; aedes publishes $SYS/<id>/new/clients and
    // …/disconnect/clients as clients come and go, so a client connects and leaves meanwhile.
    const server = await open(SERVER);
    await subscribe(server, 'est/v1/#');
    await trySubscribe(server, '$SYS/#');
    const t1 = await open('T1');
    await subscribe(t1, `${T1.base}/#`);
    await trySubscribe(t1, '$SYS/#');
    await trySubscribe(t1, '#');
    const t3 = await open('T3');
    await t3.client.endAsync();
    await marker(server, T1.command, server, t1);
    expect(server.messages.filter((m) => m.topic.startsWith('$'))).toEqual([]);
    expect(t1.messages.filter((m) => m.topic.startsWith('$'))).toEqual([]);
  });

  test("a terminal cannot take over another's client id", async () => {
    const server = await open(SERVER);
    const t1 = await open('T1');
    await subscribe(t1, `${T1.base}/#`);
    // aedes refuses the CONNECT; mosquitto (use_username_as_clientid) connects it as T2.
    const attempt = await h()
      .connect('T2', 'T1')
      .then((c) => {
        clients.push(c);
        return 'connected';
      })
      .catch(() => 'refused');
    expect(['connected', 'refused']).toContain(attempt);
    await marker(server, T1.command, t1);
    expect(t1.closed).toBe(false);
  });

  test('the fleet server and terminals connect with their own credentials', async () => {
    for (const id of [SERVER, ...TERMINALS.map((t) => t.id)]) {
      const c = await open(id);
      expect(c.client.connected).toBe(true);
    }
  });

  // Titles are known before the broker starts; the attempts are the harness's, in this order.
  const refusedTitles =
    kind === 'aedes'
      ? ['a wrong password', 'an unknown user', 'no password', 'no username']
      : ['a certificate from another CA', 'no client certificate', 'no client certificate, with a username and password'];
  test.each(refusedTitles)('refuses a client with %s', async (title) => {
    const attempt = h().refused.find(([t]) => t === title);
    if (!attempt) throw new Error(`no attempt "${title}" in the harness`);
    const outcome = await attempt[1]().then(
      (c) => {
        clients.push(c);
        return 'connected';
      },
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(Error);
  });
});

describe.skipIf(!hasMosquitto)(hasMosquitto ? 'startMosquitto lifecycle' : `startMosquitto lifecycle (${SKIP_REASON})`, () => {
  let dir = '';
  let broker: RunningMosquitto | null = null;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'estation-mosquitto-'));
    broker = await startMosquitto({ dir, terminals: [{ id: 'T1', chain: null }] });
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keys are 0600, the URL is mqtts on 127.0.0.1, unknown ids have no credentials', async () => {
    const b = broker!;
    expect(b.url).toBe(`mqtts://127.0.0.1:${b.port}`);
    expect(() => b.credentials('T9')).toThrow(/no certificate/);
    const keys = (await readdir(path.join(dir, 'pki'))).filter((f) => f.endsWith('.key'));
    expect(keys.sort()).toEqual(['ca.key', 'client-T1.key', 'client-fleet-server.key', 'server.key']);
    for (const k of keys) expect(((await stat(path.join(dir, 'pki', k))).mode & 0o777).toString(8), k).toBe('600');
  });

  it('stop() ends the broker, restart() brings it back on the same port without the retained messages', async () => {
    const b = broker!;
    const opts = (id: string): IClientOptions => ({ ...base, clientId: id, ca: b.ca, ...b.credentials(id) });
    const before = await connectAsync(b.url, opts(SERVER));
    clients.push(before);
    await before.publishAsync(devTopics('T1').desired, 'kept only in memory', { qos: 1, retain: true });
    await before.endAsync();

    await b.stop();
    await expect(connectAsync(b.url, opts(SERVER))).rejects.toThrow(/ECONNREFUSED/);
    await b.restart();

    const after = new Inbox(SERVER, await connectAsync(b.url, opts(SERVER)));
    clients.push(after.client);
    await after.client.subscribeAsync('est/v1/#', { qos: 1 });
    const payload = nonce('marker');
    await after.client.publishAsync(devTopics('T1').health, payload, { qos: 1 });
    await after.waitFor((m) => m.payload === payload, 'marker after restart');
    expect(after.messages.filter((m) => m.topic === devTopics('T1').desired)).toEqual([]);
  });
});

it('startMosquitto without the binary fails with MOSQUITTO_NOT_FOUND, before writing anything', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'estation-mosquitto-'));
  try {
    await expect(startMosquitto({ dir, terminals: [], bin: path.join(dir, 'no-such-mosquitto') })).rejects.toMatchObject({ code: 'MOSQUITTO_NOT_FOUND' });
    expect(await readdir(dir)).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('startMosquitto reports a broker that exits at once, with its log', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'estation-mosquitto-'));
  try {
    // /bin/false stands for a mosquitto that rejects its configuration: it exits before listening.
    await expect(startMosquitto({ dir, terminals: [{ id: 'T1', chain: null }], bin: '/bin/false' })).rejects.toThrow(/exited \(1\) before it listened/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
