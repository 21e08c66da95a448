/**
 * The resident kiosk end to end: named residents identify four ways (ID card, social-security
 * card with PIN, e-voucher QR; face is in face.spec.ts), use ten services against the platform
 * simulator, print a certificate the printer receives, survive paper running out mid-print, use
 * elderly mode, and leave nothing behind when the idle timeout ends their session.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startPlatformSimulator, type PlatformSimulator } from '../fixtures/platform/server';
import { residentByName, RESIDENTS } from '../fixtures/people/residents';
import { CATALOGUE } from '../fixtures/platform/catalogue';
import { clientFor } from '../main/platform/testing';
import { infTime } from '../main/platform/envelope';
import { formatMoney } from '../main/bridge/contract/money';
import { EMPLOYER_AUTHORISATION, expect, fillAuthorisation, openService, openTerminal, startHost, test, type RunningHost } from './fixtures';

const shots = path.resolve(import.meta.dirname, '../test-output/screenshots');
fs.mkdirSync(shots, { recursive: true });
const wang = residentByName('王建国');
const card = (p = wang) => ({ name: p.name, idNumber: p.idNumber, gender: p.gender, birthDate: p.birthDate, address: '江苏省南京市玄武区中山路100号' });

let sim: PlatformSimulator;
let host: RunningHost & { stop(): Promise<void> };

test.beforeAll(async () => {
  sim = await startPlatformSimulator();
  // 王建国 bought medicine at a pharmacy last week: something for 就诊结算记录 to show.
  const c = clientFor(sim.url);
  const d = CATALOGUE[1]!;
  await c.send('2102', {
    druginfo: {
      psn_no: wang.psnNo,
      mdtrt_cert_type: '02',
      mdtrt_cert_no: wang.idNumber,
      begntime: infTime(Date.now()),
      medfee_sumamt: d.price,
      insutype: '310',
      acct_used_flag: '1',
      med_type: '41',
    },
    drugdetail: [
      {
        feedetl_sn: '1',
        rx_circ_flag: '0',
        fee_ocur_time: infTime(Date.now()),
        med_list_codg: d.hilistCode,
        medins_list_codg: d.hilistCode,
        det_item_fee_sumamt: d.price,
        cnt: 1,
        pric: d.price,
      },
    ],
  });
  host = await startHost({ platform: { kind: 'remote', url: sim.url }, ui: { idleTimeoutSeconds: 20 } });
});
test.afterAll(async () => {
  await host?.stop();
  await sim?.close();
});
test.setTimeout(120_000);

async function start(page: Page) {
  await openTerminal(page, host);
  await expect(page.getByTestId('attract')).toBeVisible();
}
async function service(page: Page, name: string) {
  await openService(page, name);
}
async function back(page: Page) {
  await page.getByRole('button', { name: '返回' }).click();
}

test('王建国 reads his ID card and uses ten services; a filing reaches the platform; the certificate prints', async ({ page }) => {
  await start(page);
  await page.screenshot({ path: path.join(shots, 'attract-zh.png') });
  await host.call('sim.device', { action: 'insert-id-card', card: card() });
  await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
  await page.screenshot({ path: path.join(shots, 'home-zh.png') });
  // The most used services, every category, the search and the way out fit on the screen without scrolling.
  await expect(page.getByRole('button', { name: '退出' })).toBeInViewport({ ratio: 1 });
  await expect(page.locator('nav.services .tile')).toHaveCount(12);
  for (const c of ['query', 'apply', 'print', 'auth', 'search']) await expect(page.getByTestId(`category-${c}`)).toBeInViewport({ ratio: 1 });

  await service(page, 'info');
  await expect(page.getByTestId('record-310')).toContainText('职工基本医疗保险');
  await expect(page.getByTestId('service-info')).toContainText('王*国');
  await expect(page.getByTestId('service-info')).not.toContainText('王建国');
  await back(page);

  await service(page, 'account');
  await expect(page.getByTestId('balance')).toContainText('￥');
  await back(page);

  await service(page, 'records');
  await page
    .getByRole('button', { name: /药店购药/ })
    .first()
    .click();
  await expect(page.getByTestId('settlement-detail')).toContainText(CATALOGUE[1]!.name);
  // 一站式: every tier by name.
  for (const tier of ['统筹基金', '大病保险', '医疗救助', '个人账户', '现金']) await expect(page.getByTestId('settlement-detail')).toContainText(tier);
  await back(page);
  await back(page);

  await service(page, 'cumulative');
  await expect(page.getByTestId('service-cumulative')).toContainText('门诊统筹已支付');
  await back(page);

  await service(page, 'chronic');
  await expect(page.getByTestId('service-chronic')).toContainText('高血压');
  await page.getByRole('button', { name: '糖尿病' }).click();
  await expect(page.getByTestId('filing-outcome')).toContainText('备案成功');
  const filed = sim.db.prepare("SELECT sn, state FROM filing WHERE psn_no = ? AND kind = '2503' AND data LIKE '%M01600%'").get(wang.psnNo) as {
    sn: string;
    state: string;
  };
  expect(filed.state).toBe('active');
  await page.getByRole('button', { name: '撤销 糖尿病' }).click();
  await expect(page.getByTestId('filing-outcome')).toContainText('已撤销备案');
  expect((sim.db.prepare('SELECT state FROM filing WHERE sn = ?').get(filed.sn) as { state: string }).state).toBe('cancelled');
  await back(page);

  await service(page, 'designated');
  await page.getByRole('button', { name: '玄武区社区卫生服务中心' }).click();
  await expect(page.getByTestId('filing-outcome')).toContainText('备案成功');
  await back(page);

  await service(page, 'transfer');
  await page.getByRole('button', { name: '南京市第一医院' }).click();
  await expect(page.getByTestId('filing-outcome')).toContainText(/备案成功 \(ZY/);
  await back(page);

  await service(page, 'estimate');
  await page.getByRole('button', { name: new RegExp(CATALOGUE[0]!.name) }).click();
  await page.getByRole('button', { name: new RegExp(CATALOGUE[0]!.name) }).click();
  await page.getByRole('button', { name: '开始测算' }).click();
  await expect(page.getByTestId('estimate-result')).toContainText('医疗费总额');
  await expect(page.getByTestId('estimate-result')).toContainText(formatMoney(CATALOGUE[0]!.price * 2));
  for (const tier of ['统筹基金', '大病保险', '医疗救助', '个人账户', '现金']) await expect(page.getByTestId('estimate-result')).toContainText(tier);
  await back(page);

  await service(page, 'policy');
  await expect(page.getByTestId('service-policy')).toContainText('大病保险');
  await back(page);

  await service(page, 'certificate');
  await page.getByRole('button', { name: '打印参保凭证' }).click();
  await expect(page.getByTestId('print-state')).toHaveAttribute('data-state', 'done');
  const { receipts } = await host.call<{ receipts: { lines: string[]; qr: string[]; cut: boolean }[] }>('sim.printed', {});
  const cert = receipts.at(-1)!;
  expect(cert.lines).toContain('医疗保障参保凭证');
  expect(cert.lines.some((l) => l.startsWith('姓名') && l.endsWith('王*国'))).toBe(true);
  expect(cert.lines.some((l) => l.includes('320***********'))).toBe(true);
  expect(cert.qr[0]).toMatch(/^ESV1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
  expect(cert.lines.some((l) => /^核验码 [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(l))).toBe(true);
  expect(cert.cut).toBe(true);
  await back(page);

  // Taking the card away logs the resident out.
  await host.call('sim.device', { action: 'remove-id-card' });
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.locator('body')).not.toContainText('王*国');
});

test('paper runs out mid-print: the resident is told in large type, and the certificate prints once when paper is loaded', async ({ page }) => {
  await start(page);
  const p = RESIDENTS[2]!;
  await host.call('sim.device', { action: 'insert-id-card', card: card(p) });
  await expect(page.getByTestId('greeting')).toBeVisible();
  const before = (await host.call<{ receipts: unknown[] }>('sim.printed', {})).receipts.length;
  await host.call('sim.device', { action: 'printer', condition: 'paper-runs-out-soon' });
  await service(page, 'certificate');
  await page.getByRole('button', { name: '打印参保凭证' }).click();
  await expect(page.getByRole('alert')).toContainText('打印机缺纸');
  // Half the certificate is on paper; the rest waits in the printer. The session stays.
  const partial = (await host.call<{ receipts: { lines: string[]; cut: boolean }[] }>('sim.printed', {})).receipts;
  expect(partial.at(-1)!.cut).toBe(false);
  expect((await host.call<{ session: unknown }>('session.get', {})).session).not.toBeNull();
  await host.call('sim.device', { action: 'printer', condition: 'paper-loaded' });
  await expect(page.getByTestId('print-state')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  const after = (await host.call<{ receipts: { lines: string[]; cut: boolean }[] }>('sim.printed', {})).receipts;
  // One certificate, completed once: not reprinted from the start.
  expect(after.length - before).toBe(1);
  expect(after.at(-1)!.lines.filter((l) => l === '医疗保障参保凭证')).toHaveLength(1);
  expect(after.at(-1)!.cut).toBe(true);
  await host.call('sim.device', { action: 'remove-id-card' });
});

test('a social-security card holder confirms with the PIN pad; a scanned e-voucher opens a session', async ({ page }) => {
  await start(page);
  await host.call('sim.device', {
    action: 'insert-ss-card',
    card: { cardSn: wang.ssCard.cardSn, cardNumber: wang.ssCard.cardNumber, idNumber: wang.idNumber, name: wang.name, gender: '1', pin: '123456' },
  });
  await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
  await expect(page.getByText(/社保卡 · /)).toBeVisible();
  await service(page, 'account');
  await expect(page.getByTestId('pin-pad')).toBeVisible();
  for (const d of '111111') await page.getByRole('button', { name: d, exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('密码错误');
  for (const d of '123456') await page.getByRole('button', { name: d, exact: true }).click();
  await expect(page.getByTestId('balance')).toBeVisible();
  await back(page);

  // 个人信息授权 without face enrolment: the card's PIN confirms it is him.
  await service(page, 'auth');
  await fillAuthorisation(page, EMPLOYER_AUTHORISATION);
  await expect(page.getByRole('button', { name: '输入社保卡密码确认授权' })).toBeEnabled();
  await expect(page.getByRole('button', { name: '刷脸确认授权' })).toHaveCount(0);
  await page.getByRole('button', { name: '输入社保卡密码确认授权' }).click();
  for (const d of '123456') await page.getByRole('button', { name: d, exact: true }).click();
  // Main waits up to 20 s for the platform's answer to the record (settleNow): the screen may take that long.
  await expect(page.getByTestId('auth-result')).toHaveText('授权成功', { timeout: 45_000 });
  expect(
    sim.db.prepare("SELECT verify_way, items, grantee_name, purpose, day_lmt FROM auth_grant WHERE psn_no = ? AND state = 'active'").get(wang.psnNo),
  ).toEqual({
    verify_way: 'card-pin',
    items: 'contrib',
    grantee_name: '南京机床厂（退休）',
    purpose: '03',
    day_lmt: 1,
  });
  await page.getByRole('button', { name: /^撤销授权/ }).click();
  await expect(page.getByTestId('auth-result')).toHaveText('已撤销授权');
  await back(page);
  await host.call('sim.device', { action: 'remove-ss-card' });
  await expect(page.getByTestId('attract')).toBeVisible();

  const q = RESIDENTS[4]!;
  await host.call('sim.device', { action: 'scan', code: q.ecQrCode });
  await expect(page.getByTestId('greeting')).toBeVisible();
  await expect(page.getByText(/医保码 · /)).toBeVisible();
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
});

test("a resident reads her contributions and pays next year's premium by QR code; 王建国 binds and unbinds a family member who proves it herself", async ({
  page,
}) => {
  const liu = residentByName('刘佳怡');
  await start(page);
  await host.call('sim.device', { action: 'insert-id-card', card: card(liu) });
  await expect(page.getByTestId('greeting')).toHaveText('刘*怡，您好');
  await service(page, 'contributions');
  await expect(page.getByTestId('contributions').locator('li')).toHaveCount(3);
  await expect(page.getByTestId('contributions').locator('li').first()).toContainText('2026 年度 · ￥400.00');
  await back(page);

  await service(page, 'premium');
  await page.getByRole('button', { name: '生成缴费二维码' }).click();
  await expect(page.getByTestId('premium-order')).toHaveAttribute('data-state', 'unpaid');
  await expect(page.getByRole('img', { name: '缴费二维码' })).toBeVisible();
  await expect(page.getByTestId('premium-order')).toContainText('应缴金额 ￥400.00');
  await page.screenshot({ path: path.join(shots, 'premium-qr-zh.png') });
  const payUrl = (await page.getByTestId('qr').getAttribute('data-text'))!;
  const orderNo = new URL(payUrl).searchParams.get('order');
  // The resident's phone pays the order the QR code names.
  expect(
    await fetch(`${sim.url}/__sim/pay-order`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.adminToken}` },
      body: JSON.stringify({ orderNo }),
    }).then((r) => r.json()),
  ).toEqual({ paid: true });
  await expect(page.getByTestId('premium-order')).toHaveAttribute('data-state', 'paid');
  await expect(page.getByRole('status')).toContainText('缴费成功');
  await back(page);
  await service(page, 'contributions');
  await expect(page.getByTestId('contributions').locator('li').first()).toContainText('2027 年度 · ￥400.00');
  await expect(page.getByTestId('contributions').locator('li').first()).toContainText('自助机扫码');
  await back(page);
  await host.call('sim.device', { action: 'remove-id-card' });
  await expect(page.getByTestId('attract')).toBeVisible();

  // 王建国 logs in with his e-voucher; his wife proves herself by scanning her own.
  await host.call('sim.device', { action: 'scan', code: wang.ecQrCode });
  await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
  await service(page, 'family');
  await expect(page.getByTestId('family-members').locator('li')).toHaveCount(1);
  await page.getByRole('button', { name: '添加家庭成员' }).click();
  await page.getByRole('button', { name: '配偶' }).click();
  await expect(page.getByTestId('family-await')).toBeVisible();
  await host.call('sim.device', { action: 'scan', code: liu.ecQrCode });
  await expect(page.getByTestId('family-confirm')).toContainText('刘*怡');
  await expect(page.getByTestId('greeting')).toHaveCount(0);
  await page.getByRole('button', { name: '确认绑定' }).click();
  await expect(page.getByTestId('family-result')).toHaveText('绑定成功');
  await expect(page.getByTestId('family-members').locator('li')).toHaveCount(2);
  expect(sim.db.prepare('SELECT relation FROM family_link WHERE owner = ? AND member = ?').get(wang.psnNo, liu.psnNo)).toEqual({ relation: '10' });
  // The session is still 王建国's: the wife's scan did not replace it.
  expect(await host.call<{ session: { maskedName: string } }>('session.get', {})).toMatchObject({ session: { maskedName: '王*国' } });
  await page.getByRole('button', { name: '解除绑定 刘*怡' }).click();
  await expect(page.getByTestId('family-result')).toHaveText('已解除绑定');
  await expect(page.getByTestId('family-members').locator('li')).toHaveCount(1);
  await back(page);
  await page.getByRole('button', { name: '退出' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
});

test('elderly mode: large type, 88 px targets, fewer items, spoken prompts with captions; English too; every control named', async ({ page }) => {
  await start(page);
  const minTarget = async () =>
    page
      .locator('button:visible')
      .evaluateAll((els) =>
        Math.min(...els.filter((e) => e.isConnected).map((e) => Math.min(e.getBoundingClientRect().height, e.getBoundingClientRect().width))),
      );
  expect(await minTarget()).toBeGreaterThanOrEqual(64);
  await host.call('sim.device', { action: 'insert-id-card', card: card() });
  await expect(page.getByTestId('greeting')).toBeVisible();
  // Measured once the person's services are in (the list comes from main after the greeting).
  await expect(page.getByTestId('tile-info')).toBeVisible();
  await expect(page.getByTestId('category-search')).toBeVisible();
  expect(await minTarget()).toBeGreaterThanOrEqual(64);
  await page.getByRole('button', { name: '长辈模式' }).click();
  await expect(page.locator('.shell')).toHaveAttribute('data-elderly', 'true');
  await expect(page.getByTestId('caption')).toBeVisible();
  expect(await minTarget()).toBeGreaterThanOrEqual(88);
  expect(await page.locator('nav.services').first().getByRole('button').count()).toBe(6);
  const fontSize = await page.locator('body .shell').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(30);
  await page.screenshot({ path: path.join(shots, 'home-elderly-zh.png') });
  await expect(page.getByRole('button', { name: '退出' })).toBeInViewport({ ratio: 1 });
  await page.getByRole('button', { name: /English/ }).click();
  await page.screenshot({ path: path.join(shots, 'home-elderly-en.png') });
  await page.getByRole('button', { name: 'Standard' }).click();
  await expect(page.locator('.shell')).toHaveAttribute('data-elderly', 'false');
  await page.screenshot({ path: path.join(shots, 'home-en.png') });
  await page.getByTestId('tile-info').click();
  await page.screenshot({ path: path.join(shots, 'service-info-en.png') });
  // Every interactive element has an accessible name.
  const unnamed = await page
    .locator('button, a[href], input, select, textarea, [role="button"]')
    .evaluateAll((els) =>
      els
        .filter((e) => !(e.getAttribute('aria-label') || (e as HTMLElement).innerText.trim() || e.getAttribute('title') || e.getAttribute('aria-labelledby')))
        .map((e) => e.outerHTML.slice(0, 80)),
    );
  expect(unnamed).toEqual([]);
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: /中文/ }).click();
  await host.call('sim.device', { action: 'remove-id-card' });
});

test.describe('idle timeout', () => {
  test('after the countdown the session ends in main and on screen, and the next page shows nothing of the person', async ({ page }) => {
    const short = await startHost({ platform: { kind: 'remote', url: sim.url }, ui: { idleTimeoutSeconds: 10 } });
    try {
      await page.goto(short.launchUrl);
      await expect(page.getByTestId('attract')).toBeVisible();
      await short.call('sim.device', { action: 'insert-id-card', card: card() });
      await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
      await page.getByTestId('tile-info').click();
      await expect(page.getByTestId('service-info')).toContainText('王*国');
      await page.getByRole('button', { name: '长辈模式' }).click();
      await expect(page.getByTestId('idle-warning')).toBeVisible({ timeout: 15_000 });
      // The countdown is spoken (the caption is what is spoken), not only shown.
      await expect(page.getByTestId('caption')).toContainText('您还在吗？');
      await expect(page.getByTestId('attract')).toBeVisible({ timeout: 15_000 });
      expect(await short.call('session.get', {})).toEqual({ session: null });
      await expect(page.locator('body')).not.toContainText('王*国');
      const html = await page.content();
      expect(html).not.toContain(wang.idNumber.slice(-4) + '<');
      // The URL never carried anything about the person.
      expect(page.url()).toBe(`${short.url}/`);
    } finally {
      await short.stop();
    }
  });
});
