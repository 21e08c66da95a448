// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { holdMs, useHoldGesture } from './useHoldGesture';

function TerminalName({ onHold }: { onHold: () => void }) {
  return (
    <button type="button" {...useHoldGesture(onHold)}>
      自助机 01
    </button>
  );
}

const elapse = (ms: number) => act(() => vi.advanceTimersByTime(ms));

describe('the technician holds the terminal name', () => {
  let onHold: ReturnType<typeof vi.fn<() => void>>;
  beforeEach(() => {
    vi.useFakeTimers();
    onHold = vi.fn<() => void>();
    render(<TerminalName onHold={onHold} />);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });
  const name = () => screen.getByRole('button', { name: '自助机 01' });

  it('for 3 s with a finger: service mode opens once', () => {
    fireEvent.pointerDown(name(), { button: 0 });
    elapse(holdMs - 1);
    expect(onHold).not.toHaveBeenCalled();
    elapse(1);
    expect(onHold).toHaveBeenCalledTimes(1);
    elapse(holdMs * 2);
    fireEvent.pointerUp(name(), { button: 0 });
    expect(onHold).toHaveBeenCalledTimes(1);
  });

  it('a resident who taps it, or lets go after 2 s, opens nothing', () => {
    fireEvent.pointerDown(name(), { button: 0 });
    elapse(100);
    fireEvent.pointerUp(name(), { button: 0 });
    fireEvent.pointerDown(name(), { button: 0 });
    elapse(2000);
    fireEvent.pointerUp(name(), { button: 0 });
    elapse(holdMs * 2);
    expect(onHold).not.toHaveBeenCalled();
  });

  it('sliding off the name or a cancelled touch stops the count', () => {
    fireEvent.pointerDown(name(), { button: 0 });
    elapse(2000);
    fireEvent.pointerLeave(name());
    fireEvent.pointerDown(name(), { button: 0 });
    elapse(2000);
    fireEvent.pointerCancel(name());
    elapse(holdMs);
    expect(onHold).not.toHaveBeenCalled();
  });

  it('the right mouse button does not count, and a long press opens no context menu', () => {
    fireEvent.pointerDown(name(), { button: 2 });
    elapse(holdMs);
    expect(onHold).not.toHaveBeenCalled();
    expect(fireEvent.contextMenu(name())).toBe(false);
  });

  it('from the keyboard: holding Enter for 3 s opens it; the key repeating does not restart the count', () => {
    fireEvent.keyDown(name(), { key: 'Enter' });
    elapse(1500);
    fireEvent.keyDown(name(), { key: 'Enter', repeat: true });
    elapse(1500);
    expect(onHold).toHaveBeenCalledTimes(1);
    fireEvent.keyUp(name(), { key: 'Enter' });
  });

  it('from the keyboard: releasing Space early, or moving the focus away, opens nothing', () => {
    fireEvent.keyDown(name(), { key: ' ' });
    elapse(2000);
    fireEvent.keyUp(name(), { key: ' ' });
    fireEvent.keyDown(name(), { key: 'Enter' });
    elapse(2000);
    fireEvent.blur(name());
    fireEvent.keyDown(name(), { key: 'Tab' });
    elapse(holdMs);
    expect(onHold).not.toHaveBeenCalled();
  });
});
