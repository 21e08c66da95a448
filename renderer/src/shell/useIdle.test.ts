// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import { idleCountdown, useIdle } from './useIdle';
import { holdBusy } from './busy';

describe('idleCountdown', () => {
  it('stays quiet until the warning window', () => {
    expect(idleCountdown(0, 60, 15)).toBeNull();
    expect(idleCountdown(44_999, 60, 15)).toBeNull();
  });

  it('counts whole seconds down inside the warning window, rounding up', () => {
    expect(idleCountdown(45_000, 60, 15)).toBe(15);
    expect(idleCountdown(45_001, 60, 15)).toBe(15);
    expect(idleCountdown(59_001, 60, 15)).toBe(1);
  });

  it('times out at zero and after', () => {
    expect(idleCountdown(60_000, 60, 15)).toBe('timeout');
    expect(idleCountdown(600_000, 60, 15)).toBe('timeout');
  });
});

describe('useIdle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  const elapse = (ms: number) => act(() => vi.advanceTimersByTime(ms));
  const mount = (active: boolean, onTimeout: () => void) =>
    renderHook(({ active, onTimeout }) => useIdle(active, 30, 15, onTimeout), { initialProps: { active, onTimeout } });

  it('warns for the last 15 seconds and times out once at 30', () => {
    const onTimeout = vi.fn();
    const idle = mount(true, onTimeout);
    elapse(14_750);
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(250);
    expect(idle.result.current.secondsLeft).toBe(15);
    elapse(10_000);
    expect(idle.result.current.secondsLeft).toBe(5);
    expect(onTimeout).not.toHaveBeenCalled();
    elapse(5_000);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(idle.result.current.secondsLeft).toBeNull();
  });

  it('starts over when the screen is touched', () => {
    const onTimeout = vi.fn();
    const idle = mount(true, onTimeout);
    elapse(20_000);
    expect(idle.result.current.secondsLeft).toBe(10);
    act(() => void window.dispatchEvent(new Event('pointerdown')));
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(14_750);
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(15_000);
    expect(onTimeout).not.toHaveBeenCalled();
    elapse(250);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('starts over from the warning\'s "continue" button (reset)', () => {
    const onTimeout = vi.fn();
    const idle = mount(true, onTimeout);
    elapse(25_000);
    expect(idle.result.current.secondsLeft).toBe(5);
    act(() => idle.result.current.reset());
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(10_000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(idle.result.current.secondsLeft).toBeNull();
  });

  it('does nothing while inactive (the attract screen), and stops listening when deactivated', () => {
    const onTimeout = vi.fn();
    const idle = mount(false, onTimeout);
    elapse(120_000);
    expect(onTimeout).not.toHaveBeenCalled();

    idle.rerender({ active: true, onTimeout });
    elapse(20_000);
    expect(idle.result.current.secondsLeft).toBe(10);
    idle.rerender({ active: false, onTimeout });
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(120_000);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('removes every touch listener it added when deactivated', () => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const idle = mount(true, vi.fn());
    const listeners = added.mock.calls.map(([type, listener]) => [type, listener]);
    expect(listeners.map(([type]) => type)).toEqual(['pointerdown', 'keydown', 'touchstart', 'wheel']);
    idle.rerender({ active: false, onTimeout: vi.fn() });
    expect(removed.mock.calls.map(([type, listener]) => [type, listener])).toEqual(listeners);
  });

  it('calls the latest onTimeout without restarting the countdown', () => {
    const first = vi.fn();
    const latest = vi.fn();
    const idle = mount(true, first);
    elapse(20_000);
    idle.rerender({ active: true, onTimeout: latest });
    expect(idle.result.current.secondsLeft).toBe(10);
    elapse(10_000);
    expect(first).not.toHaveBeenCalled();
    expect(latest).toHaveBeenCalledTimes(1);
  });

  it('does not run while a device works for the resident, and gives the full time again afterwards', () => {
    const onTimeout = vi.fn();
    const idle = mount(true, onTimeout);
    elapse(20_000);
    expect(idle.result.current.secondsLeft).toBe(10);
    let release!: () => void;
    act(() => void (release = holdBusy('print')));
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(300_000); // a printer out of paper for five minutes
    expect(onTimeout).not.toHaveBeenCalled();
    expect(idle.result.current.secondsLeft).toBeNull();
    act(() => release());
    elapse(14_750);
    expect(idle.result.current.secondsLeft).toBeNull();
    elapse(250);
    expect(idle.result.current.secondsLeft).toBe(15);
    elapse(15_000);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });
});
