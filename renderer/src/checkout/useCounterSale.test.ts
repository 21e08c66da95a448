// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { BridgeError, type RequestOutput, type SessionView } from '../../../main/bridge/contract';
import { FakeBridge } from '../bridge/fake';
import { useCounterSale } from './useCounterSale';

const bridge = new FakeBridge();
window.estation = bridge;

const split = { medfee: 4730, fund: 3000, hifp: 3000, hifmi: 0, hifob: 0, maf: 0, acct: 1000, mulaid: 0, cash: 730, balance: 9000 };
const drug = (listCode: string, prescription = false) => ({
  listCode,
  barcode: `690${listCode}`,
  name: listCode,
  spec: '1盒',
  price: 1250,
  prescription,
  classLevel: '01' as const,
  selfPayBp: 0,
});
const wang: SessionView = { provenBy: 'id-card', certType: '02', maskedName: '王*国', maskedNo: '4403**********1234', startedAt: '2026-05-01T02:00:00.000Z' };
let quotes = 0;

function settled(quoteId: string): RequestOutput<'checkout.pay'> {
  return {
    saleId: quoteId,
    itemId: `item-${quoteId}`,
    state: 'settled',
    offline: false,
    split,
    setlId: 'S1',
    cashCollected: 730,
    collect: null,
    receiptJobId: `sale-${quoteId}`,
    reason: null,
  };
}

beforeEach(() => {
  bridge.reset();
  quotes = 0;
  bridge
    .answer('session.get', () => ({ session: wang }))
    .answer('checkout.catalogue', () => ({ drugs: [drug('A'), drug('B'), drug('RX', true)] }))
    .answer('checkout.customer', () => ({
      customer: { maskedName: '王*国', maskedNo: '4403**********1234', insutype: '310', balance: 9000, provenBy: 'id-card' },
    }))
    .answer('checkout.quote', () => ({
      quoteId: `00000000-0000-4000-8000-00000000000${++quotes}`,
      mode: 'online',
      split,
      tiers: [],
      audit: { source: 'platform', warnings: [], blocked: false, open: 0 },
      expiresAt: '2026-05-01T02:05:00.000Z',
    }))
    .answer('checkout.endCustomer', () => ({ ok: true }));
});
afterEach(cleanup);

async function counterWithQuote() {
  const hook = renderHook(() => useCounterSale(() => undefined));
  await waitFor(() => expect(hook.result.current.customer).not.toBeNull());
  await waitFor(() => expect(hook.result.current.drugs).toHaveLength(3));
  act(() => hook.result.current.add('A'));
  await act(() => hook.result.current.requestQuote());
  expect(hook.result.current.quote?.quoteId).toMatch(/1$/);
  return hook;
}

describe('useCounterSale', () => {
  it('pays the shown quote by its id with both confirmations, and nothing else', async () => {
    bridge.answer('checkout.pay', (i) => settled(i.quoteId));
    const { result } = await counterWithQuote();
    await act(() => result.current.pay());
    expect(bridge.inputsOf('checkout.pay')).toEqual([{ quoteId: '00000000-0000-4000-8000-000000000001', cashierConfirmed: true, customerConfirmed: true }]);
    expect(result.current.outcome?.state).toBe('settled');
    expect(result.current.paid).toBe(true);
    expect(result.current.quote).toBeNull();
  });

  it.each([
    ['another pack', (c: ReturnType<typeof useCounterSale>) => c.add('A')],
    ['another drug', (c: ReturnType<typeof useCounterSale>) => c.add('B')],
    ['a deleted line', (c: ReturnType<typeof useCounterSale>) => c.removeLine('A')],
    ['the account flag', (c: ReturnType<typeof useCounterSale>) => c.setUseAccount(false)],
  ])('drops the quote on %s', async (_change, change) => {
    const { result } = await counterWithQuote();
    act(() => change(result.current));
    expect(result.current.quote).toBeNull();
  });

  it('drops the quote when the prescription changes', async () => {
    const hook = renderHook(() => useCounterSale(() => undefined));
    await waitFor(() => expect(hook.result.current.customer).not.toBeNull());
    await waitFor(() => expect(hook.result.current.drugs).toHaveLength(3));
    act(() => hook.result.current.add('RX'));
    act(() => hook.result.current.changePrescription({ rxno: 'RX1', doctorCode: 'D1', doctorName: '李文' }));
    await act(() => hook.result.current.requestQuote());
    expect(bridge.inputsOf('checkout.quote').at(-1)?.prescription).toEqual({ rxno: 'RX1', doctorCode: 'D1', doctorName: '李文', external: false });
    act(() => hook.result.current.changePrescription({ external: true }));
    expect(hook.result.current.quote).toBeNull();
  });

  it('drops the quote when another customer comes to the counter', async () => {
    const { result } = await counterWithQuote();
    act(() => bridge.emit('session.changed', { session: { ...wang, provenBy: 'qr', maskedNo: '1101**********0001', startedAt: '2026-05-01T02:01:00.000Z' } }));
    expect(result.current.quote).toBeNull();
  });

  it('drops a quote main no longer accepts, and reports the refusal', async () => {
    bridge.answer('checkout.pay', () => {
      throw new BridgeError('CHECKOUT_QUOTE_EXPIRED', 'the quote has expired: pre-settle again');
    });
    const { result } = await counterWithQuote();
    let refusal: unknown;
    await act(() => result.current.pay().catch((e: unknown) => void (refusal = e)));
    expect(refusal).toMatchObject({ code: 'CHECKOUT_QUOTE_EXPIRED' });
    expect(result.current.quote).toBeNull();
  });

  it('after a paid sale, the next scanned drug starts the next customer', async () => {
    bridge.answer('checkout.pay', (i) => settled(i.quoteId));
    const { result } = await counterWithQuote();
    await act(() => result.current.pay());
    await act(async () => bridge.emit('checkout.scan', { listCode: 'B' }));
    expect(bridge.inputsOf('checkout.endCustomer')).toHaveLength(1);
    expect(result.current.outcome).toBeNull();
    expect(result.current.lines.map((l) => [l.drug.listCode, l.packs])).toEqual([['B', 1]]);
  });
});
