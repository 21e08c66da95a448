// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { SessionView } from '../../../main/bridge/contract';
import { deferred, FakeBridge } from '../bridge/fake';
import { useSession } from './useSession';

const bridge = new FakeBridge();
window.estation = bridge;

const resident: SessionView = { provenBy: 'qr', certType: '01', maskedName: '王*国', maskedNo: '320102********1234', startedAt: '2026-03-02T08:00:00.000Z' };

beforeEach(() => bridge.reset());
afterEach(cleanup);

describe('useSession', () => {
  it('shows the session main already has when the screen mounts', async () => {
    bridge.answer('session.get', () => ({ session: resident }));
    const { result } = renderHook(() => useSession());
    expect(result.current).toBeNull();
    await waitFor(() => expect(result.current).toEqual(resident));
  });

  it('follows session.changed: a new person, then nobody', async () => {
    bridge.answer('session.get', () => ({ session: null }));
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(bridge.inputsOf('session.get')).toHaveLength(1));
    act(() => bridge.emit('session.changed', { session: resident }));
    expect(result.current).toEqual(resident);
    act(() => bridge.emit('session.changed', { session: null }));
    expect(result.current).toBeNull();
  });

  it('a snapshot that answers after an event does not undo it (the session ended meanwhile)', async () => {
    const answer = deferred<{ session: SessionView | null }>();
    bridge.answer('session.get', () => answer.promise);
    const { result } = renderHook(() => useSession());
    act(() => bridge.emit('session.changed', { session: null }));
    act(() => bridge.emit('session.changed', { session: resident }));
    await act(async () => answer.resolve({ session: null }));
    expect(result.current).toEqual(resident);
  });

  it('stays without a session when main cannot answer, and still hears the events', async () => {
    const answer = deferred<{ session: SessionView | null }>();
    bridge.answer('session.get', () => answer.promise);
    const { result } = renderHook(() => useSession());
    await act(async () => answer.reject(new Error('BRIDGE_UNAUTHORIZED')));
    expect(result.current).toBeNull();
    act(() => bridge.emit('session.changed', { session: resident }));
    expect(result.current).toEqual(resident);
  });

  it('stops listening when the screen goes away', () => {
    bridge.answer('session.get', () => ({ session: null }));
    const { unmount } = renderHook(() => useSession());
    expect(bridge.listening('session.changed')).toBe(1);
    unmount();
    expect(bridge.listening('session.changed')).toBe(0);
  });
});
