// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { BridgeError } from '../../../../main/bridge/contract';
import { deferred } from '../../bridge/fake';
import { useLoad } from './common';

afterEach(cleanup);

describe('useLoad', () => {
  it('is loading at first, then has the data', async () => {
    const { result } = renderHook(() => useLoad(() => Promise.resolve({ rows: ['a'] })));
    expect(result.current.data).toBeNull();
    expect(result.current.error).toBeNull();
    await waitFor(() => expect(result.current.data).toEqual({ rows: ['a'] }));
    expect(result.current.error).toBeNull();
  });

  it('reports a failure by its error code, for the message catalogue', async () => {
    const refused = renderHook(() => useLoad(() => Promise.reject(new BridgeError('PLATFORM_OFFLINE', 'platform offline'))));
    await waitFor(() => expect(refused.result.current.error).toBe('PLATFORM_OFFLINE'));
    const prefixed = renderHook(() => useLoad(() => Promise.reject(new Error('DEVICE_ABSENT: printer-1'))));
    await waitFor(() => expect(prefixed.result.current.error).toBe('DEVICE_ABSENT'));
    const unexplained = renderHook(() => useLoad(() => Promise.reject(new Error('boom'))));
    await waitFor(() => expect(unexplained.result.current.error).toBe('INTERNAL'));
    expect(unexplained.result.current.data).toBeNull();
  });

  it('loads again on reload, clearing the old error', async () => {
    const load = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new BridgeError('PLATFORM_OFFLINE', 'offline')).mockResolvedValueOnce('filed');
    const { result } = renderHook(() => useLoad(load));
    await waitFor(() => expect(result.current.error).toBe('PLATFORM_OFFLINE'));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.data).toBe('filed'));
    expect(result.current.error).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('loads again when a dependency changes, and drops the answer to the old one', async () => {
    const answers = { 'zh-CN': deferred<string>(), en: deferred<string>() };
    const { result, rerender } = renderHook(({ locale }: { locale: 'zh-CN' | 'en' }) => useLoad(() => answers[locale].promise, [locale]), {
      initialProps: { locale: 'zh-CN' },
    });
    rerender({ locale: 'en' });
    await act(async () => answers.en.resolve('policy in English'));
    await act(async () => answers['zh-CN'].resolve('中文政策'));
    expect(result.current.data).toBe('policy in English');
  });
});
