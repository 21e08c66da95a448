// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { RequestOutput } from '../../../main/bridge/contract';
import { FakeBridge } from '../bridge/fake';
import { initI18n } from '../i18n';
import { BasketPanel } from './Basket';
import { MAX_PACKS } from './basket';
import { useCounterSale } from './useCounterSale';

type Drug = RequestOutput<'checkout.catalogue'>['drugs'][number];

const bridge = new FakeBridge();
window.estation = bridge;

/** Three boxes on the counter as main describes them: a 乙类 statin with 10% 先行自付, a 甲类 granule, a 丙类 mask. */
const statin: Drug = {
  listCode: 'XC10AAA035A001010100987',
  barcode: '6901234560074',
  name: '阿托伐他汀钙片',
  spec: '20mg*7片',
  price: 4480,
  prescription: true,
  classLevel: '02',
  selfPayBp: 1000,
};
const granules: Drug = {
  listCode: 'ZA04AAB0341010106543',
  barcode: '6901234560142',
  name: '板蓝根颗粒',
  spec: '10g*20袋',
  price: 1690,
  prescription: false,
  classLevel: '01',
  selfPayBp: 0,
};
const masks: Drug = {
  listCode: 'QT00000000000000000002',
  barcode: '6901234560203',
  name: '医用外科口罩',
  spec: '10只',
  price: 1500,
  prescription: false,
  classLevel: '03',
  selfPayBp: 10_000,
};

function Counter({ locked = false }: { locked?: boolean }) {
  const sale = useCounterSale(() => undefined);
  return <BasketPanel sale={sale} locked={locked} busy={false} />;
}

/** Renders the counter, scans the drugs and waits for their lines (they show once main's catalogue is in). */
async function counterWith(drugs: Drug[], locked = false) {
  render(<Counter locked={locked} />);
  act(() => drugs.forEach((d) => bridge.emit('checkout.scan', { listCode: d.listCode })));
  return Promise.all(drugs.map((d) => screen.findByTestId(`line-${d.listCode}`)));
}

const row = (d: Drug) => screen.getByRole('row', { name: new RegExp(d.name) });

beforeAll(async () => {
  await initI18n('zh-CN');
});
beforeEach(() => {
  bridge.reset();
  bridge.answer('session.get', () => ({ session: null })).answer('checkout.catalogue', () => ({ drugs: [statin, granules, masks] }));
});
afterEach(cleanup);

describe('the counter basket table', () => {
  it('shows each line under 药品 类别 自付比例 单价 数量 金额 删除, with the class and self-pay share main sent', async () => {
    await counterWith([statin, granules, masks]);
    expect(
      within(screen.getByTestId('basket'))
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['药品', '类别', '自付比例', '单价', '数量', '金额', '删除']);
    const cells = (d: Drug) =>
      within(row(d))
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(within(row(statin)).getByRole('rowheader').textContent).toBe('阿托伐他汀钙片20mg*7片 处方药');
    expect(cells(statin)).toEqual(['乙类', '10%', '￥44.80', '−1+', '￥44.80', '删除']);
    expect(cells(granules).slice(0, 2)).toEqual(['甲类', '0%']);
    expect(cells(masks).slice(0, 2)).toEqual(['丙类', '100%']);
  });

  it('the delete button named after the drug takes its line and its money off the basket', async () => {
    await counterWith([statin, granules]);
    act(() => bridge.emit('checkout.scan', { listCode: statin.listCode }));
    expect(screen.getByTestId('basket-total').textContent).toBe('合计: ￥106.50');
    fireEvent.click(screen.getByRole('button', { name: '删除 阿托伐他汀钙片' }));
    expect(screen.queryByTestId(`line-${statin.listCode}`)).toBeNull();
    expect(screen.getAllByRole('row')).toHaveLength(2);
    expect(screen.getByTestId('basket-total').textContent).toBe('合计: ￥16.90');
    fireEvent.click(screen.getByRole('button', { name: '删除 板蓝根颗粒' }));
    expect(screen.queryByTestId('basket')).toBeNull();
    expect(screen.getByText('收银台就绪，请扫描药品条码')).toBeTruthy();
  });

  it('a deleted line takes its scanned 追溯码 with it: the boxes went back to the shelf', async () => {
    await counterWith([statin]);
    act(() => bridge.emit('checkout.trace', { code: '81234567890123456789' }));
    expect(screen.getByTestId(`traced-${statin.listCode}`).textContent).toBe('追溯码 1/1 盒');
    fireEvent.click(screen.getByRole('button', { name: '删除 阿托伐他汀钙片' }));
    act(() => bridge.emit('checkout.scan', { listCode: statin.listCode }));
    await screen.findByTestId(`line-${statin.listCode}`);
    expect(screen.queryByTestId(`traced-${statin.listCode}`)).toBeNull();
  });

  it('the stepper keeps whole packs from 1 to MAX_PACKS, and the line amount follows it', async () => {
    await counterWith([granules]);
    const less = screen.getByRole('button', { name: '减少 板蓝根颗粒' }) as HTMLButtonElement;
    const more = screen.getByRole('button', { name: '增加 板蓝根颗粒' }) as HTMLButtonElement;
    const packs = () => screen.getByTestId(`packs-${granules.listCode}`).textContent;
    expect(less.disabled).toBe(true);
    fireEvent.click(more);
    expect(packs()).toBe('2');
    expect(screen.getByTestId(`amount-${granules.listCode}`).textContent).toBe('￥33.80');
    fireEvent.click(less);
    fireEvent.click(less);
    expect(packs()).toBe('1');
    act(() => {
      for (let i = 1; i < MAX_PACKS + 5; i++) bridge.emit('checkout.scan', { listCode: granules.listCode });
    });
    expect(packs()).toBe(String(MAX_PACKS));
    expect(more.disabled).toBe(true);
    expect(less.disabled).toBe(false);
  });

  it('while a pay runs or once paid, no line can change', async () => {
    await counterWith([statin], true);
    for (const name of ['减少', '增加', '删除'])
      expect((screen.getByRole('button', { name: `${name} 阿托伐他汀钙片` }) as HTMLButtonElement).disabled).toBe(true);
  });
});
