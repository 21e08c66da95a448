// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { RequestOutput } from '../../../../main/bridge/contract';
import { FakeBridge } from '../../bridge/fake';
import { printCondition, usePrintJob } from './usePrintJob';

const bridge = new FakeBridge();
window.estation = bridge;

type JobStatus = RequestOutput<'kiosk.printJob'>;
/** The printer's answers to successive polls; a missing answer is a failed poll. */
const printerSays = (...answers: (JobStatus | Error)[]) =>
  bridge.answer('kiosk.printJob', () => {
    const next = answers.shift() ?? new Error('PRINTER_NO_SUCH_JOB');
    if (next instanceof Error) throw next;
    return next;
  });
const poll = () => act(() => vi.advanceTimersByTimeAsync(400));

beforeEach(() => {
  bridge.reset();
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('printCondition', () => {
  it('is the code before the detail, or null when nothing holds the job', () => {
    expect(printCondition({ id: 'cert-1', state: 'unknown', reason: 'PRINTER_OUTCOME_UNKNOWN: the printer stopped answering' })).toBe(
      'PRINTER_OUTCOME_UNKNOWN',
    );
    expect(printCondition({ id: 'cert-1', state: 'waiting', reason: 'PRINTER_PAPER_OUT' })).toBe('PRINTER_PAPER_OUT');
    expect(printCondition({ id: 'cert-1', state: 'sending', reason: null })).toBeNull();
    expect(printCondition(null)).toBeNull();
  });
});

describe('usePrintJob', () => {
  it('does not poll before there is a job', async () => {
    const { result } = renderHook(() => usePrintJob());
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(result.current.job).toBeNull();
    expect(bridge.calls).toEqual([]);
  });

  it('follows a job through a paper-out until it is done, then stops polling', async () => {
    printerSays({ state: 'waiting', reason: 'PRINTER_PAPER_OUT' }, { state: 'sending', reason: null }, { state: 'done', reason: null });
    const { result } = renderHook(() => usePrintJob());
    act(() => result.current.follow('cert-1'));
    expect(result.current.job).toEqual({ id: 'cert-1', state: 'queued', reason: null });

    await poll();
    expect(result.current.job).toEqual({ id: 'cert-1', state: 'waiting', reason: 'PRINTER_PAPER_OUT' });
    await poll();
    expect(result.current.job).toEqual({ id: 'cert-1', state: 'sending', reason: null });
    await poll();
    expect(result.current.job).toEqual({ id: 'cert-1', state: 'done', reason: null });

    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(bridge.inputsOf('kiosk.printJob')).toEqual([{ jobId: 'cert-1' }, { jobId: 'cert-1' }, { jobId: 'cert-1' }]);
  });

  it('stops polling once the outcome is unknown', async () => {
    printerSays({ state: 'unknown', reason: 'PRINTER_OUTCOME_UNKNOWN: the printer stopped answering after the job was sent' });
    const { result } = renderHook(() => usePrintJob());
    act(() => result.current.follow('cert-2'));
    await poll();
    expect(result.current.job?.state).toBe('unknown');
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(bridge.inputsOf('kiosk.printJob')).toHaveLength(1);
  });

  it('keeps the last known state through a failed poll and asks again', async () => {
    printerSays({ state: 'sending', reason: null }, new Error('INTERNAL'), { state: 'done', reason: null });
    const { result } = renderHook(() => usePrintJob());
    act(() => result.current.follow('cert-3'));
    await poll();
    await poll();
    expect(result.current.job).toEqual({ id: 'cert-3', state: 'sending', reason: null });
    await poll();
    expect(result.current.job?.state).toBe('done');
  });
});
