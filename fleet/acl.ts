/**
 * The fleet's access rules written for mosquitto (its `acl_file`). The embedded broker
 * (fleet/broker.ts) asks `fleetAccess` directly; mosquitto reads this file. Both must allow the
 * same things: fleet/acl-file.test.ts checks the two against a table of cases, and
 * fleet/acl.test.ts runs one contract against both brokers.
 */
import { FLEET_PREFIX, FLEET_SERVER_CLIENT, fleetIdSchema } from '../main/bridge/contract/fleet';

export interface AclTerminal {
  id: string;
  chain: string | null;
}

/**
 * The ACL file for these terminals. With `use_identity_as_username true` a client's username is
 * its certificate's CN: the terminal id, or `fleet-server`.
 *
 * Why this equals `fleetAccess`. Mosquitto 2.0 checks every PUBLISH against `write` and every
 * message it would deliver (retained ones included) against `read`, on the concrete topic; a
 * `deny` line wins over any grant.
 *
 * - `pattern readwrite est/v1/dev/%u/#` grants the topics under `est/v1/dev/<id>/` and, since in
 *   MQTT `a/#` also matches `a`, the bare `est/v1/dev/<id>`; `fleetAccess` allows only the
 *   former, hence `topic deny est/v1/dev/<id>` for each terminal. What is left is a terminal's
 *   whole write set in `fleetAccess` (a topic that starts with `est/v1/dev/<id>/`) and the own
 *   part of its read set.
 * - `topic read est/v1/chain/<chain>/#` + `topic deny est/v1/chain/<chain>`: the topics that start
 *   with `est/v1/chain/<chain>/`, read only, as `fleetAccess` lets a terminal subscribe there and
 *   never publish there.
 * - `user fleet-server`: `topic readwrite est/v1/#` + `topic deny est/v1`, every topic that
 *   starts with `est/v1/`.
 * - Nothing names `$SYS` (or any `$` topic): an ACL filter that does not itself start with `$`
 *   never matches a `$` topic, so nobody may read or write one, as in `fleetAccess`.
 * - Everything else is denied: once an ACL file is given, mosquitto denies what it does not grant.
 *
 * The `deny` lines are per terminal (not a `pattern deny`): a pattern applies to every user, and
 * would also deny the server the bare `est/v1/dev/fleet-server`, which `fleetAccess` allows it.
 * The grants use `…/#` rather than `…/+/#` (which would need no deny) so that a mosquitto that
 * checks SUBSCRIBE against the ACL still allows the filter `est/v1/dev/<id>/#`.
 *
 * Subscriptions differ in form, not in what arrives: aedes refuses a filter that reaches beyond
 * what `fleetAccess` allows (SUBACK 0x80), mosquitto 2.0 accepts any filter and checks each
 * message it would deliver. A filter `fleetAccess` allows (`est/v1/dev/<id>/#`,
 * `est/v1/chain/<chain>/#`, `est/v1/#` for the server) delivers the same messages on both.
 */
export function mosquittoAcl(terminals: readonly AclTerminal[]): string {
  const seen = new Set<string>();
  for (const t of terminals) {
    // Ids go into the file verbatim: a newline, space or wildcard would write another rule.
    fleetIdSchema.parse(t.id);
    if (t.chain !== null) fleetIdSchema.parse(t.chain);
    if (t.id === FLEET_SERVER_CLIENT) throw new Error(`a terminal may not be called ${FLEET_SERVER_CLIENT}`);
    if (seen.has(t.id)) throw new Error(`terminal ${t.id} listed twice`);
    seen.add(t.id);
  }
  const lines = [
    '# Written by fleet/acl.ts (mosquittoAcl): the rules of fleetAccess in main/bridge/contract/fleet.ts.',
    '# Username = the client certificate CN (use_identity_as_username). Nothing grants $SYS.',
    '',
    '# Every terminal: read and write under its own prefix (the bare prefix is denied per user below).',
    `pattern readwrite ${FLEET_PREFIX}/dev/%u/#`,
    '',
    '# The fleet server: everything under the prefix.',
    `user ${FLEET_SERVER_CLIENT}`,
    `topic readwrite ${FLEET_PREFIX}/#`,
    `topic deny ${FLEET_PREFIX}`,
  ];
  for (const t of terminals) {
    lines.push('', `user ${t.id}`, `topic deny ${FLEET_PREFIX}/dev/${t.id}`);
    if (t.chain !== null) lines.push(`topic read ${FLEET_PREFIX}/chain/${t.chain}/#`, `topic deny ${FLEET_PREFIX}/chain/${t.chain}`);
  }
  return `${lines.join('\n')}\n`;
}
