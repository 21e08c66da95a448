import { describe, expect, it } from 'vitest';
import { FLEET_MAX_PAYLOAD, fleetStatusSchema, parseFleetPayload, statusSupersedes, type FleetStatus } from './fleet';

const s = (state: FleetStatus['state'], bootId: string, seq: number, at = '2026-12-02T08:00:00.000Z'): FleetStatus => ({
  state,
  bootId,
  seq,
  at,
  version: '0.1.0',
  mode: 'kiosk',
  chain: null,
});
const A = 'a'.repeat(16);
const B = 'b'.repeat(16);

describe('which presence message wins', () => {
  it('the will of a connection follows its online; a will of an earlier connection does not beat a later online', () => {
    expect(statusSupersedes(s('online', A, 1), s('offline', A, 1))).toBe(true);
    expect(statusSupersedes(s('online', A, 2), s('offline', A, 1))).toBe(false);
    expect(statusSupersedes(s('offline', A, 1), s('online', A, 2))).toBe(true);
    expect(statusSupersedes(s('offline', A, 1), s('online', A, 1))).toBe(false);
  });

  it('a new boot replaces an older one by its time, whatever its sequence', () => {
    expect(statusSupersedes(s('offline', A, 7, '2026-12-02T08:00:00.000Z'), s('online', B, 1, '2026-12-02T09:00:00.000Z'))).toBe(true);
    expect(statusSupersedes(s('online', B, 1, '2026-12-02T09:00:00.000Z'), s('offline', A, 7, '2026-12-02T08:00:00.000Z'))).toBe(false);
    expect(statusSupersedes(null, s('offline', A, 1))).toBe(true);
  });
});

describe('fleet payloads', () => {
  const bytes = (v: string) => new TextEncoder().encode(v);
  it('refuses what is too large, not JSON or the wrong shape with FLEET_PAYLOAD_INVALID naming the topic and field', () => {
    const topic = 'est/v1/dev/T1/status';
    expect(() => parseFleetPayload(fleetStatusSchema, new Uint8Array(FLEET_MAX_PAYLOAD + 1), topic)).toThrow(/est\/v1\/dev\/T1\/status: 65537 bytes/);
    expect(() => parseFleetPayload(fleetStatusSchema, bytes('{"state":'), topic)).toThrow(expect.objectContaining({ code: 'FLEET_PAYLOAD_INVALID' }));
    expect(() => parseFleetPayload(fleetStatusSchema, bytes(JSON.stringify({ ...s('online', A, 1), seq: -1 })), topic)).toThrow(/seq/);
    expect(() => parseFleetPayload(fleetStatusSchema, bytes(JSON.stringify({ ...s('online', A, 1), extra: 1 })), topic)).toThrow(/extra|Unrecognized/);
    expect(parseFleetPayload(fleetStatusSchema, bytes(JSON.stringify(s('online', A, 1))), topic)).toEqual(s('online', A, 1));
  });
});
