// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { DeviceStatus, NetworkStatus, QueueStatus, StatusSnapshot } from '../../../main/bridge/contract';
import { deferred, FakeBridge } from '../bridge/fake';
import { upsertDevice, useStatus } from './useStatus';

const bridge = new FakeBridge();
window.estation = bridge;

const device = (id: string, kind: DeviceStatus['kind'], state: DeviceStatus['state']): DeviceStatus => ({
  id,
  kind,
  model: 'sim',
  port: null,
  state,
  code: null,
  lastError: null,
  simulated: true,
  updatedAt: '2026-03-02T08:00:00.000Z',
});
const printer = device('printer-1', 'printer', 'ready');
const scanner = device('scanner-1', 'scanner', 'ready');
const online: NetworkStatus = { platform: 'online', latencyMs: 42, checkedAt: '2026-03-02T08:00:00.000Z', lastError: null };
const queue: QueueStatus = { pending: 2, unknown: 0, needsAttention: 1, oldestPendingAt: '2026-03-02T07:59:00.000Z' };

beforeEach(() => bridge.reset());
afterEach(cleanup);

describe('upsertDevice', () => {
  it('replaces a known device in place', () => {
    const outOfPaper = { ...printer, state: 'fault' as const, code: 'PAPER_OUT' };
    expect(upsertDevice([scanner, printer], outOfPaper)).toEqual([scanner, outOfPaper]);
  });

  it('adds a device not seen before at the end', () => {
    expect(upsertDevice([scanner], printer)).toEqual([scanner, printer]);
  });

  it('leaves the list it was given alone', () => {
    const devices = [printer];
    upsertDevice(devices, { ...printer, state: 'busy' });
    expect(devices).toEqual([printer]);
  });
});

describe('useStatus', () => {
  it('starts empty, then shows the snapshot', async () => {
    const snapshot: StatusSnapshot = { devices: [printer, scanner], network: online, queue };
    bridge.answer('status.get', () => snapshot);
    const { result } = renderHook(() => useStatus());
    expect(result.current).toEqual({ devices: [], network: null, queue: null });
    await waitFor(() => expect(result.current).toEqual(snapshot));
  });

  it('applies device, network and queue events as they come', async () => {
    bridge.answer('status.get', () => ({ devices: [printer], network: online, queue }));
    const { result } = renderHook(() => useStatus());
    await waitFor(() => expect(result.current.devices).toEqual([printer]));

    const paperOut = { ...printer, state: 'warning' as const, code: 'PAPER_NEAR_END' };
    act(() => bridge.emit('status.device', paperOut));
    act(() => bridge.emit('status.device', scanner));
    expect(result.current.devices).toEqual([paperOut, scanner]);

    act(() => bridge.emit('status.network', { ...online, platform: 'offline', lastError: 'ETIMEDOUT' }));
    expect(result.current.network?.platform).toBe('offline');
    act(() => bridge.emit('status.queue', { ...queue, pending: 5 }));
    expect(result.current.queue?.pending).toBe(5);
    expect(result.current.devices).toEqual([paperOut, scanner]);
  });

  it('keeps what the events said when the snapshot fails', async () => {
    const answer = deferred<StatusSnapshot>();
    bridge.answer('status.get', () => answer.promise);
    const { result } = renderHook(() => useStatus());
    act(() => bridge.emit('status.device', printer));
    await act(async () => answer.reject(new Error('INTERNAL')));
    expect(result.current).toEqual({ devices: [printer], network: null, queue: null });
  });

  it('a snapshot that answers after events fills in only what they did not say', async () => {
    const answer = deferred<StatusSnapshot>();
    bridge.answer('status.get', () => answer.promise);
    const { result } = renderHook(() => useStatus());
    const paperOut = { ...printer, state: 'fault' as const, code: 'PRINTER_PAPER_OUT' };
    act(() => bridge.emit('status.device', paperOut));
    act(() => bridge.emit('status.queue', { ...queue, pending: 7 }));
    await act(async () => answer.resolve({ devices: [printer, scanner], network: online, queue }));
    expect(result.current).toEqual({ devices: [paperOut, scanner], network: online, queue: { ...queue, pending: 7 } });
  });

  it('unsubscribes from all three events on unmount', () => {
    bridge.answer('status.get', () => deferred<StatusSnapshot>().promise);
    const { unmount } = renderHook(() => useStatus());
    expect([bridge.listening('status.device'), bridge.listening('status.network'), bridge.listening('status.queue')]).toEqual([1, 1, 1]);
    unmount();
    expect([bridge.listening('status.device'), bridge.listening('status.network'), bridge.listening('status.queue')]).toEqual([0, 0, 0]);
  });

  it('ignores the snapshot of an abandoned mount (StrictMode mounts twice) when it arrives last', async () => {
    const answers = [deferred<StatusSnapshot>(), deferred<StatusSnapshot>()];
    bridge.answer('status.get', () => answers[bridge.inputsOf('status.get').length - 1]!.promise);
    const { result } = renderHook(() => useStatus(), { reactStrictMode: true });
    expect(bridge.inputsOf('status.get')).toHaveLength(2);
    const current: StatusSnapshot = { devices: [{ ...printer, state: 'fault', code: 'PRINTER_PAPER_OUT' }], network: online, queue };
    await act(async () => answers[1]!.resolve(current));
    await act(async () => answers[0]!.resolve({ devices: [printer], network: online, queue }));
    expect(result.current).toEqual(current);
  });
});
