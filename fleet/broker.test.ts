/**
 * The embedded broker's own life cycle: it must close while terminals are still connected (a
 * restart of the fleet server, `npm run fleet` stopped with terminals online). Before the fix,
 * close() waited for the listener, which waits for every connection, which only broker.close()
 * ends: it never returned.
 */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './broker';

describe('embedded broker', () => {
  it('closes with a terminal still connected, and that terminal sees its connection end', async () => {
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      authenticate: async (username, password) =>
        username === 'T1' && password?.toString() === 'token-1' ? { kind: 'terminal', id: 'T1', chain: null } : null,
    });
    const client = await mqtt.connectAsync(broker.url, { clientId: 'T1', username: 'T1', password: 'token-1', protocolVersion: 4, reconnectPeriod: 0 });
    expect(broker.connectedClients()).toBe(1);
    const ended = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await broker.close();
    await ended;
    expect(client.connected).toBe(false);
    await client.endAsync(true);
  });
});
