// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import { FakeBridge } from '../../bridge/fake';
import { usePremiumOrder, type PremiumOrder } from './usePremiumOrder';

const bridge = new FakeBridge();
window.estation = bridge;

const unpaid: PremiumOrder = {
  orderId: 'po-1',
  orderNo: 'JM3201020260302A7F3',
  amount: 40000,
  payUrl: 'https://pay.example.invalid/po-1',
  expireTime: '2026-03-02 08:30:00',
  state: 'unpaid',
  paidAt: null,
};
/** The platform's answers to successive polls; a missing answer is a failed poll. */
const platformSays = (...answers: (PremiumOrder | Error)[]) =>
  bridge.answer('kiosk.premiumOrder', () => {
    const next = answers.shift() ?? new Error('PLATFORM_OFFLINE');
    if (next instanceof Error) throw next;
    return next;
  });
const poll = () => act(() => vi.advanceTimersByTimeAsync(1_500));

beforeEach(() => {
  bridge.reset();
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('usePremiumOrder', () => {
  it('polls an unpaid order every 1.5 s until it is paid, then stops', async () => {
    const paid = { ...unpaid, state: 'paid' as const, paidAt: '2026-03-02 08:12:09' };
    platformSays(unpaid, paid);
    const { result } = renderHook(() => usePremiumOrder());
    act(() => result.current.show(unpaid));
    await act(() => vi.advanceTimersByTimeAsync(1_499));
    expect(bridge.calls).toEqual([]);

    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(result.current.order).toEqual(unpaid);
    await poll();
    expect(result.current.order).toEqual(paid);

    await act(() => vi.advanceTimersByTimeAsync(15_000));
    expect(bridge.inputsOf('kiosk.premiumOrder')).toEqual([{ orderId: 'po-1' }, { orderId: 'po-1' }]);
  });

  it('stops polling an order that expired', async () => {
    platformSays({ ...unpaid, state: 'expired' });
    const { result } = renderHook(() => usePremiumOrder());
    act(() => result.current.show(unpaid));
    await poll();
    expect(result.current.order?.state).toBe('expired');
    await act(() => vi.advanceTimersByTimeAsync(15_000));
    expect(bridge.inputsOf('kiosk.premiumOrder')).toHaveLength(1);
  });

  it('keeps showing the QR code through a failed poll', async () => {
    platformSays(new Error('PLATFORM_OFFLINE'), { ...unpaid, state: 'paid', paidAt: '2026-03-02 08:13:00' });
    const { result } = renderHook(() => usePremiumOrder());
    act(() => result.current.show(unpaid));
    await poll();
    expect(result.current.order).toEqual(unpaid);
    await poll();
    expect(result.current.order?.state).toBe('paid');
  });

  it('does not poll an order that is already paid when shown', async () => {
    const { result } = renderHook(() => usePremiumOrder());
    act(() => result.current.show({ ...unpaid, state: 'paid', paidAt: '2026-03-02 08:12:09' }));
    await act(() => vi.advanceTimersByTimeAsync(15_000));
    expect(bridge.calls).toEqual([]);
  });
});
