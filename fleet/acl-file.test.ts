/**
 * The mosquitto ACL file (fleet/acl.ts) against `fleetAccess`, without a broker: the exact text,
 * then a table of cases where `fleetAccess` and a reading of that text must give the same answer.
 * fleet/acl.test.ts checks the same rules on running brokers.
 */
import { describe, expect, it } from 'vitest';
import { FLEET_SERVER_CLIENT, fleetAccess } from '../main/bridge/contract/fleet';
import { mosquittoAcl } from './acl';
import type { Principal } from './broker';

const TERMINALS = [
  { id: 'T1', chain: 'C1' },
  { id: 'T2', chain: 'C1' },
  { id: 'T3', chain: 'C2' },
  { id: 'T4', chain: null },
];

const EXPECTED_ACL = `# Written by fleet/acl.ts (mosquittoAcl): the rules of fleetAccess in main/bridge/contract/fleet.ts.
# Username = the client certificate CN (use_identity_as_username). Nothing grants $SYS.

# Every terminal: read and write under its own prefix (the bare prefix is denied per user below).
pattern readwrite est/v1/dev/%u/#

# The fleet server: everything under the prefix.
user fleet-server
topic readwrite est/v1/#
topic deny est/v1

user T1
topic deny est/v1/dev/T1
topic read est/v1/chain/C1/#
topic deny est/v1/chain/C1

user T2
topic deny est/v1/dev/T2
topic read est/v1/chain/C1/#
topic deny est/v1/chain/C1

user T3
topic deny est/v1/dev/T3
topic read est/v1/chain/C2/#
topic deny est/v1/chain/C2

user T4
topic deny est/v1/dev/T4
`;

type Access = 'read' | 'write' | 'readwrite' | 'deny';
interface Rule {
  access: Access;
  filter: string;
}

/**
 * A reading of a mosquitto 2.0 ACL file: `user` starts a user's section, `topic` adds a rule to
 * it, `pattern` adds one for every user with `%u` (and `%c`; here the same) replaced.
 */
function parseAcl(text: string): { users: Map<string, Rule[]>; patterns: Rule[] } {
  const users = new Map<string, Rule[]>();
  const patterns: Rule[] = [];
  let current: Rule[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'user') {
      const name = rest.join(' ');
      current = users.get(name) ?? [];
      users.set(name, current);
      continue;
    }
    const access: Access = rest.length === 2 ? (rest[0] as Access) : 'readwrite';
    const filter = rest[rest.length - 1] ?? '';
    if (!['read', 'write', 'readwrite', 'deny'].includes(access)) throw new Error(`unknown access in: ${line}`);
    if (word === 'pattern') patterns.push({ access, filter });
    else if (word === 'topic') {
      if (!current) throw new Error(`topic before any user: ${line}`);
      current.push({ access, filter });
    } else throw new Error(`unknown ACL line: ${line}`);
  }
  return { users, patterns };
}

/**
 * Does the ACL filter cover all of `sub` (a topic, or a subscription filter)? MQTT matching with
 * the filter's wildcards: `+` one level (not a `#`), `#` the rest including nothing (`a/#` covers
 * `a`); a filter not starting with `$` never covers a `$` topic.
 */
function covers(acl: string, sub: string): boolean {
  if (acl.startsWith('$') !== sub.startsWith('$')) return false;
  const a = acl.split('/');
  const s = sub.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true; // the rest, including nothing: `a/#` covers `a`
    if (i >= s.length) return false;
    if (a[i] === '+') {
      if (s[i] === '#') return false;
      continue;
    }
    if (a[i] !== s[i]) return false;
  }
  return a.length === s.length;
}

/**
 * What the ACL lets `username` do. Publish: the topic must be a valid topic name and covered by a
 * `write` grant; subscribe: the filter must be covered by a `read` grant (what mosquitto
 * delivers through it is then everything it matches; for a concrete topic, the read check at
 * delivery). A `deny` rule that covers it wins, as in mosquitto.
 */
function aclAllows(acl: ReturnType<typeof parseAcl>, username: string, action: 'publish' | 'subscribe', topic: string): boolean {
  if (action === 'publish' && /[+#]/.test(topic)) return false; // not a topic name: the broker drops the client
  const rules = [
    ...(acl.users.get(username) ?? []),
    ...acl.patterns.map((p) => ({ ...p, filter: p.filter.replaceAll('%u', username).replaceAll('%c', username) })),
  ];
  if (rules.some((r) => r.access === 'deny' && covers(r.filter, topic))) return false;
  const need = action === 'publish' ? 'write' : 'read';
  return rules.some((r) => (r.access === need || r.access === 'readwrite') && covers(r.filter, topic));
}

const who = (name: string): Principal => {
  if (name === FLEET_SERVER_CLIENT) return { kind: 'server' };
  const t = TERMINALS.find((x) => x.id === name);
  if (!t) throw new Error(name);
  return { kind: 'terminal', id: t.id, chain: t.chain };
};

// [who, action, topic or filter, expected]
const CASES: [string, 'publish' | 'subscribe', string, boolean][] = [
  // own topics
  ['T1', 'publish', 'est/v1/dev/T1/status', true],
  ['T1', 'publish', 'est/v1/dev/T1/cmd/res', true],
  ['T1', 'subscribe', 'est/v1/dev/T1/cmd/req', true],
  ['T1', 'subscribe', 'est/v1/dev/T1/#', true],
  ['T1', 'subscribe', 'est/v1/dev/T1/+', true],
  ['T1', 'publish', 'est/v1/dev/T1', false],
  ['T1', 'subscribe', 'est/v1/dev/T1', false],
  // someone else's
  ['T1', 'publish', 'est/v1/dev/T2/status', false],
  ['T1', 'publish', 'est/v1/dev/T10/status', false],
  ['T1', 'subscribe', 'est/v1/dev/T2/status', false],
  ['T1', 'subscribe', 'est/v1/dev/T2/#', false],
  ['T1', 'subscribe', 'est/v1/dev/+/status', false],
  // wildcards in a publish
  ['T1', 'publish', 'est/v1/dev/T1/#', false],
  ['T1', 'publish', 'est/v1/dev/T1/+', false],
  // broad filters
  ['T1', 'subscribe', 'est/v1/#', false],
  ['T1', 'subscribe', '#', false],
  ['T1', 'subscribe', 'est/#', false],
  // chain
  ['T1', 'subscribe', 'est/v1/chain/C1/faces/manifest', true],
  ['T1', 'subscribe', 'est/v1/chain/C1/#', true],
  ['T2', 'subscribe', 'est/v1/chain/C1/#', true],
  ['T1', 'subscribe', 'est/v1/chain/C1', false],
  ['T3', 'subscribe', 'est/v1/chain/C1/#', false],
  ['T3', 'subscribe', 'est/v1/chain/C1/faces/manifest', false],
  ['T1', 'subscribe', 'est/v1/chain/C2/faces/manifest', false],
  ['T1', 'subscribe', 'est/v1/chain/+/faces/manifest', false],
  ['T4', 'subscribe', 'est/v1/chain/C1/#', false],
  ['T1', 'publish', 'est/v1/chain/C1/faces/manifest', false],
  ['T3', 'publish', 'est/v1/chain/C2/faces/manifest', false],
  // $SYS: nobody
  ['T1', 'subscribe', '$SYS/#', false],
  ['T1', 'subscribe', '$SYS/broker/version', false],
  ['T1', 'publish', '$SYS/x', false],
  [FLEET_SERVER_CLIENT, 'subscribe', '$SYS/#', false],
  [FLEET_SERVER_CLIENT, 'subscribe', '$SYS/broker/clients/connected', false],
  [FLEET_SERVER_CLIENT, 'publish', '$SYS/x', false],
  // the server
  [FLEET_SERVER_CLIENT, 'subscribe', 'est/v1/#', true],
  [FLEET_SERVER_CLIENT, 'subscribe', 'est/v1/dev/+/status', true],
  [FLEET_SERVER_CLIENT, 'subscribe', 'est/v1/dev/T1/status', true],
  [FLEET_SERVER_CLIENT, 'publish', 'est/v1/dev/T1/cfg/desired', true],
  [FLEET_SERVER_CLIENT, 'publish', 'est/v1/dev/T1/cmd/req', true],
  [FLEET_SERVER_CLIENT, 'publish', 'est/v1/chain/C1/faces/manifest', true],
  [FLEET_SERVER_CLIENT, 'publish', 'est/v1/dev/fleet-server', true],
  [FLEET_SERVER_CLIENT, 'subscribe', '#', false],
  [FLEET_SERVER_CLIENT, 'subscribe', '+/v1/#', false],
  [FLEET_SERVER_CLIENT, 'publish', 'est/v1', false],
  [FLEET_SERVER_CLIENT, 'publish', 'other/topic', false],
];

describe('mosquittoAcl', () => {
  it('writes the expected file', () => {
    expect(mosquittoAcl(TERMINALS)).toBe(EXPECTED_ACL);
  });

  it('refuses ids that would write other rules, the server name and duplicates', () => {
    expect(() => mosquittoAcl([{ id: 'T1\ntopic readwrite #', chain: null }])).toThrow();
    expect(() => mosquittoAcl([{ id: 'T 1', chain: null }])).toThrow();
    expect(() => mosquittoAcl([{ id: '#', chain: null }])).toThrow();
    expect(() => mosquittoAcl([{ id: 'T1', chain: 'C1/#' }])).toThrow();
    expect(() => mosquittoAcl([{ id: FLEET_SERVER_CLIENT, chain: null }])).toThrow(/may not be called/);
    expect(() => mosquittoAcl([TERMINALS[0]!, TERMINALS[0]!])).toThrow(/twice/);
  });

  it('the reading of ACL filters matches MQTT', () => {
    expect(covers('a/#', 'a')).toBe(true);
    expect(covers('a/#', 'a/b/c')).toBe(true);
    expect(covers('a/#', 'a/#')).toBe(true);
    expect(covers('a/+', 'a/b')).toBe(true);
    expect(covers('a/+', 'a/#')).toBe(false);
    expect(covers('a/+', 'a')).toBe(false);
    expect(covers('a/b', 'a/+')).toBe(false);
    expect(covers('a', 'a/b')).toBe(false);
    expect(covers('a/b', 'a')).toBe(false);
    expect(covers('#', '$SYS/x')).toBe(false);
    expect(covers('est/v1/dev/T1/#', 'est/v1/dev/T10/x')).toBe(false);
  });

  const acl = parseAcl(mosquittoAcl(TERMINALS));

  // A wildcard is not a topic name: both brokers drop a client that publishes one. The ACL reading
  // says no; fleetAccess says yes for the server (it checks wildcards only for terminals). Marked
  // `fails` so that it turns red, to be moved into CASES, once fleetAccess refuses it.
  it('the server publishing to a wildcard: the ACL refuses', () => {
    expect(aclAllows(acl, FLEET_SERVER_CLIENT, 'publish', 'est/v1/#')).toBe(false);
  });
  it('the server may not publish to a wildcard either (est/v1/#)', () => {
    expect(fleetAccess({ kind: 'server' }, 'publish', 'est/v1/#')).toBe(false);
  });
  it.each(CASES)('%s %s %s: %s on both', (name, action, topic, expected) => {
    expect(fleetAccess(who(name), action, topic), 'fleetAccess').toBe(expected);
    expect(aclAllows(acl, name, action, topic), 'mosquitto ACL').toBe(expected);
  });
});
