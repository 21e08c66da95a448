/**
 * The pharmacy counter end to end against the simulator: a card checkout with the split on
 * screen and on the receipt, an e-voucher checkout, a refund, an offline checkout that settles
 * when the platform returns, and a shift close blocked by it until then.
 */
import type { Page } from '@playwright/test';
import { startPlatformSimulator, type PlatformSimulator } from '../fixtures/platform/server';
import { residentByName, RESIDENTS } from '../fixtures/people/residents';
import { CATALOGUE } from '../fixtures/platform/catalogue';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { facesAvailable } from '../fixtures/faces';
import { CLIPS } from './global-setup';
import { expect, openTerminal, startHost, test, type RunningHost } from './fixtures';

const wang = residentByName('王建国');
let sim: PlatformSimulator;
let host: RunningHost & { stop(): Promise<void> };
type Receipt = { lines: string[]; qr: string[]; cut: boolean };

test.beforeAll(async () => {
  sim = await startPlatformSimulator();
  host = await startHost({ mode: 'checkout', platform: { kind: 'remote', url: sim.url, timeoutMs: 1500, healthIntervalMs: 60_000 }, outbox: { drainIntervalMs: 600_000 } });
});
test.afterAll(async () => {
  await host?.stop();
  await sim?.close();
});
test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

const receipts = async () => (await host.call<{ receipts: Receipt[] }>('sim.printed', {})).receipts;
const scanDrug = (i: number) => host.call('sim.device', { action: 'scan', code: CATALOGUE[i]!.barcode, aim: ']E0' });

const RX = { rxno: 'RX20261124-0017', doctorName: '李文', doctorCode: 'D440300012' };

/** A prescription drug in the basket needs the prescription before pre-settlement. */
async function fillPrescription(page: Page) {
  await expect(page.getByRole('button', { name: '预结算' })).toBeDisabled();
  await page.getByRole('textbox', { name: '处方号' }).fill(RX.rxno);
  await page.getByRole('textbox', { name: '开方医师' }).fill(RX.doctorName);
  await page.getByRole('textbox', { name: '医师编码' }).fill(RX.doctorCode);
}

async function sell(page: Page, identify: () => Promise<unknown>, drugs: number[]) {
  await identify();
  await expect(page.getByTestId('customer')).toBeVisible();
  for (const d of drugs) await scanDrug(d);
  await expect(page.getByTestId('basket').locator('li')).toHaveCount(new Set(drugs).size);
  if (drugs.some((d) => CATALOGUE[d]!.prescription)) await fillPrescription(page);
  else await expect(page.getByTestId('prescription')).toHaveCount(0);
  await page.getByRole('button', { name: '预结算' }).click();
  await expect(page.getByTestId('quote')).toBeVisible();
}

test('a card checkout: split on screen and on the receipt; an e-voucher checkout; a refund', async ({ page }) => {
  await openTerminal(page, host);
  await page.getByRole('button', { name: '交班' }).click();
  await page.getByTestId('shift-open').click();
  await page.getByRole('button', { name: '收银', exact: true }).click();

  await sell(page, () => host.call('sim.device', { action: 'insert-id-card', card: { name: wang.name, idNumber: wang.idNumber, gender: '1', birthDate: wang.birthDate } }), [0, 6, 6]);
  await expect(page.getByTestId('customer')).toContainText('王*国');
  await expect(page.getByTestId('quote')).toHaveAttribute('data-mode', 'online');
  const fund = await page.getByTestId('quote-fund').innerText();
  const account = await page.getByTestId('quote-account').innerText();
  const cash = await page.getByTestId('quote-cash').innerText();
  await page.getByRole('button', { name: '顾客确认，结算' }).click();
  await expect(page.getByTestId('sale')).toHaveAttribute('data-state', 'done');
  await expect.poll(async () => (await receipts()).at(-1)?.lines[0]).toBe('医保购药结算单');
  const r = (await receipts()).at(-1)!;
  expect(r.lines.find((l) => l.startsWith('医保基金支付'))!.endsWith(fund)).toBe(true);
  expect(r.lines.find((l) => l.startsWith('  其中统筹基金'))).toBeDefined();
  expect(r.lines.find((l) => l.startsWith('个人账户支付'))!.endsWith(account)).toBe(true);
  expect(r.lines.find((l) => l.startsWith('现金支付'))!.endsWith(cash)).toBe(true);
  expect(r.lines.some((l) => l.includes(CATALOGUE[6]!.name) && l.includes('×2'))).toBe(true);
  expect(r.lines).toContain(`处方号 ${RX.rxno}`);
  expect(r.lines).toContain(`开方医师 ${RX.doctorName}`);
  expect(fund).toMatch(/^￥\d+\.\d\d$/);
  expect(r.qr[0]).toMatch(/^SETL:\d+$/);
  expect(r.cut).toBe(true);
  await page.getByRole('button', { name: '下一位顾客' }).click();
  await host.call('sim.device', { action: 'remove-id-card' });
  await expect(page.getByTestId('customer')).toHaveCount(0);

  const q = RESIDENTS[8]!;
  await sell(page, () => host.call('sim.device', { action: 'scan', code: q.ecQrCode }), [4]);
  await expect(page.getByTestId('customer')).toContainText('医保码');
  // The counter service itself refuses a prescription drug without its prescription, whatever the screen does.
  await expect(host.call('checkout.quote', { items: [{ listCode: CATALOGUE[0]!.hilistCode, quantity: 1 }], useAccount: true })).rejects.toThrow(/^CHECKOUT_PRESCRIPTION_REQUIRED/);
  await page.getByRole('button', { name: '顾客确认，结算' }).click();
  await expect(page.getByTestId('sale')).toHaveAttribute('data-state', 'done');
  await page.getByRole('button', { name: '下一位顾客' }).click();

  await page.getByRole('button', { name: '今日交易' }).click();
  await expect(page.getByTestId('sales').locator('li')).toHaveCount(2);
  await page.getByRole('button', { name: '撤销结算' }).first().click();
  await page.getByRole('button', { name: '确认撤销' }).click();
  await expect(page.getByRole('status')).toContainText('已撤销结算');
  await expect.poll(async () => (await receipts()).at(-1)?.lines[0]).toBe('医保结算撤销单');
  expect((sim.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE refd_setl_flag = '1'").get() as { n: number }).n).toBe(1);
});

test('offline: the platform goes away, the sale is taken and marked pending, the shift cannot close until it settles', async ({ page }) => {
  await openTerminal(page, host);
  await sim.setReachable(false);
  await sell(page, () => host.call('sim.device', { action: 'insert-id-card', card: { name: wang.name, idNumber: wang.idNumber, gender: '1', birthDate: wang.birthDate } }), [1]);
  await expect(page.getByTestId('quote')).toHaveAttribute('data-mode', 'offline');
  await expect(page.getByTestId('quote')).toContainText('先就医后结算');
  await page.getByRole('button', { name: '顾客确认，结算' }).click();
  await expect(page.getByTestId('sale')).toHaveAttribute('data-offline', 'true');
  await expect(page.getByTestId('sale')).toContainText('待结算');
  await expect.poll(async () => (await receipts()).at(-1)?.lines[0]).toBe('医保购药单（待结算）');
  expect((await receipts()).at(-1)!.qr[0]).toMatch(/^PENDING:/);
  await page.getByRole('button', { name: '下一位顾客' }).click();
  await host.call('sim.device', { action: 'remove-id-card' });

  await page.getByRole('button', { name: '交班' }).click();
  await page.getByTestId('shift-close').click();
  await expect(page.getByRole('alert')).toContainText('不能交班');

  await sim.setReachable(true);
  await page.getByRole('button', { name: '待处理' }).click();
  await expect(page.getByTestId('queue-counts')).toContainText('待上传 1 笔');
  await expect(async () => {
    await page.getByRole('button', { name: '立即上传' }).click();
    await expect(page.getByTestId('queue-counts')).toContainText('待上传 0 笔', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole('button', { name: '今日交易' }).click();
  await expect(page.getByTestId('sales')).not.toContainText('待上传');

  await page.getByRole('button', { name: '交班' }).first().click();
  await page.getByTestId('shift-close').click();
  await expect(page.getByTestId('shift-report')).toContainText('笔数');
  await expect.poll(async () => (await receipts()).at(-1)?.lines[0]).toBe('交班报表');
});

test.describe('face payment', () => {
  test.skip(!facesAvailable, 'needs ../shared/faces to make the camera clip');
  test('a customer turns on face payment at the counter, then pays by face with a head-turn challenge and the last four phone digits', async () => {
    const faceHost = await startHost({ mode: 'checkout', platform: { kind: 'remote', url: sim.url }, face: { challenge: { kinds: ['turn-left'] } } });
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${CLIPS.turnLeft}`] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
      await openTerminal(page, faceHost);
      const p = RESIDENTS[6]!;
      await faceHost.call('sim.device', { action: 'insert-id-card', card: { name: p.name, idNumber: p.idNumber, gender: p.gender, birthDate: p.birthDate } });
      await expect(page.getByTestId('customer')).toBeVisible();
      await page.getByRole('button', { name: '开通刷脸支付' }).click();
      await page.getByTestId('counter-consent').getByRole('textbox').fill(p.phone.slice(-4));
      await page.getByRole('button', { name: '同意并开通' }).click();
      await expect(page.getByTestId('face-enrolled')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('checkout-error')).toHaveCount(0);
      await faceHost.call('sim.device', { action: 'remove-id-card' });
      await expect(page.getByTestId('customer')).toHaveCount(0);

      const started = Date.now();
      await faceHost.call('sim.device', { action: 'scan', code: CATALOGUE[0]!.barcode, aim: ']E0' });
      await page.getByRole('textbox', { name: '手机号后四位' }).fill(p.phone.slice(-4));
      await page.getByRole('button', { name: '刷脸支付' }).click();
      await expect(page.getByTestId('face-hint')).toContainText('请向左转头');
      await expect(page.getByTestId('customer')).toContainText('刷脸', { timeout: 60_000 });
      await fillPrescription(page);
      await page.getByRole('button', { name: '预结算' }).click();
      await expect(page.getByTestId('quote')).toBeVisible();
      const faceToQuoteMs = Date.now() - started;
      const onScreen = { fund: await page.getByTestId('quote-fund').innerText(), account: await page.getByTestId('quote-account').innerText(), cash: await page.getByTestId('quote-cash').innerText() };
      await page.getByRole('button', { name: '顾客确认，结算' }).click();
      await expect(page.getByTestId('sale')).toHaveAttribute('data-state', 'done');
      const printed = async () => (await faceHost.call<{ receipts: Receipt[] }>('sim.printed', {})).receipts;
      await expect.poll(async () => (await printed()).at(-1)?.lines[0]).toBe('医保购药结算单');
      const r = (await printed()).at(-1)!;
      // The split the customer confirmed on screen is the split on the receipt.
      expect(r.lines.find((l) => l.startsWith('医保基金支付'))!.endsWith(onScreen.fund)).toBe(true);
      expect(r.lines.find((l) => l.startsWith('个人账户支付'))!.endsWith(onScreen.account)).toBe(true);
      expect(r.lines.find((l) => l.startsWith('现金支付'))!.endsWith(onScreen.cash)).toBe(true);
      expect(faceToQuoteMs).toBeGreaterThan(0);
    } finally {
      await browser.close();
      await faceHost.stop();
    }
  });
});
