/**
 * Every kiosk screen at the three screens kiosks have (portrait 1080×1920, landscape 1920×1080,
 * the 10-inch 1280×800), in normal and 长辈版: the layout rules of issue 18 measured in the page
 * (e2e/layout/measure.ts) and axe-core's WCAG 2.x A/AA rules (no serious or critical violation).
 * The PIN pads (the social-security card's, alone and inside a service; the technician's after the
 * hold gesture) are walked the same way, and so are the service panels the technician then gets
 * over the kiosk; the counter and a service-mode terminal at 1280×800, normal and 长辈版. The
 * camera screens are in layout-camera.spec.ts. A screenshot of each is kept in
 * test-output/screens/ for review, with the fonts and rendering flags pinned in playwright.config.ts.
 */
import { residentByName } from '../fixtures/people/residents';
import { CATALOGUE } from '../fixtures/platform/catalogue';
import { EMPLOYER_AUTHORISATION, expect, fillAuthorisation, openService, openTerminal, startHost, test, type RunningHost } from './fixtures';
import type { Page } from '@playwright/test';
import { LayoutWalk } from './layout/walk';

const wang = residentByName('王建国');

let kiosk: RunningHost & { stop(): Promise<void> };
let counter: RunningHost & { stop(): Promise<void> };
let service: RunningHost & { stop(): Promise<void> };
test.beforeAll(async () => {
  [kiosk, counter, service] = await Promise.all([
    startHost({ ui: { idleTimeoutSeconds: 900 } }),
    startHost({ mode: 'checkout' }),
    startHost({ mode: 'service' }),
  ]);
});
test.afterAll(async () => {
  await Promise.all([kiosk?.stop(), counter?.stop(), service?.stop()]);
});

test.setTimeout(600_000);

/** The kiosk screens the first test walks, in its order. */
const KIOSK_SERVICES = ['info', 'account', 'certificate', 'records', 'cumulative', 'contributions', 'policy', 'estimate', 'family', 'auth'];
const KIOSK_SCREENS = [
  'attract',
  'identify',
  'public-catalogue',
  'message',
  'home',
  'catalogue-search',
  'face-consent',
  'catalogue-apply',
  'form-remote-filing',
  'result-visits',
  ...KIOSK_SERVICES,
  'agent',
];

test('every kiosk screen keeps the layout rules and has no serious accessibility violation at each size, normal and 长辈版', async ({ page }) => {
  await kiosk.call('session.end', { reason: 'logout' });
  await openTerminal(page, kiosk);
  const walk = new LayoutWalk(page, 'kiosk');
  await expect(page.getByTestId('attract')).toBeVisible();
  // The screens are set in the font the app ships (Noto Sans SC from its own files), not whatever the machine has.
  const font = await page.evaluate(async () => {
    await document.fonts.ready;
    await document.fonts.load('24px "Noto Sans SC"', '医保自助服务');
    const faces = Array.from(document.fonts as unknown as Iterable<FontFace>).filter(
      (f) => f.family.replaceAll('"', '') === 'Noto Sans SC' && f.status === 'loaded',
    );
    const files = performance.getEntriesByType('resource').filter((e) => e.name.includes('noto-sans-sc') && e.name.startsWith(location.origin));
    return { loaded: faces.length, fromApp: files.length, h1: getComputedStyle(document.querySelector('h1')!).fontFamily };
  });
  expect(font.loaded).toBeGreaterThanOrEqual(1);
  expect(font.fromApp).toBeGreaterThanOrEqual(1);
  expect(font.h1).toMatch(/^"?Noto Sans SC"?,/);
  await walk.kiosk('attract');

  await page.getByTestId('attract').getByRole('button').first().click();
  await expect(page.getByTestId('identify')).toBeVisible();
  await walk.kiosk('identify');

  await page.getByTestId('public-services').click();
  await expect(page.getByTestId('catalogue')).toBeVisible();
  await walk.kiosk('public-catalogue');
  await page.getByTestId('back').click();

  // 刷脸登录 in a browser without a camera: the message screen says so (the camera screens themselves
  // are walked in layout-camera.spec.ts, which has a fake camera); 确定 leads back to identifying.
  await page.getByRole('button', { name: '刷脸登录' }).click();
  await expect(page.getByTestId('message')).toContainText('摄像头无法使用');
  await walk.kiosk('message');
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page.getByTestId('identify')).toBeVisible();

  await kiosk.call('sim.device', { action: 'scan', code: wang.ecQrCode });
  await expect(page.getByTestId('greeting')).toBeVisible();
  await walk.kiosk('home', ['[data-testid=categories]']);

  await page.getByTestId('category-search').click();
  await expect(page.getByTestId('service-search')).toBeVisible();
  await page.getByTestId('service-search').fill('备案');
  await walk.kiosk('catalogue-search');
  await page.getByTestId('back').click();

  await page.getByRole('button', { name: '开通刷脸登录' }).click();
  await expect(page.getByTestId('face-consent')).toBeVisible();
  await walk.kiosk('face-consent');
  await page.getByRole('button', { name: '不同意' }).click();
  await expect(page.getByTestId('greeting')).toBeVisible();

  await page.getByTestId('category-apply').click();
  await expect(page.getByTestId('catalogue')).toBeVisible();
  await walk.kiosk('catalogue-apply');

  await page.getByTestId('tile-remote-filing').click();
  await expect(page.getByTestId('service-remote-filing').locator('form')).toBeVisible();
  await walk.kiosk('form-remote-filing');
  await page.getByTestId('back').click();

  await page.getByTestId('category-query').click();
  await page.getByTestId('tile-visits').click();
  await page.getByTestId('service-visits').locator('input[type=date]').first().fill('2026-01-01');
  await page.getByTestId('service-visits').getByRole('button', { name: '查询' }).click();
  await expect(page.getByTestId('service-result')).toBeVisible();
  await walk.kiosk('result-visits');
  await page.getByTestId('back').click();

  // The screens of their own (not the generic form): each opened as a resident would, from home.
  for (const service of KIOSK_SERVICES) {
    await openService(page, service);
    await expect(page.getByTestId(`service-${service}`)).toBeVisible();
    await expect(page.getByText('正在查询，请稍候')).toHaveCount(0);
    await walk.kiosk(service);
    await page.getByTestId('back').click();
  }

  await page.getByTestId('agent-start').click();
  await expect(page.getByTestId('agent')).toBeVisible();
  await walk.kiosk('agent');
  await page.getByTestId('agent-clear').click();

  expect(walk.measured).toEqual(LayoutWalk.kioskNames('kiosk', KIOSK_SCREENS));
  expect(walk.problems).toEqual([]);
});

/**
 * The counter's screens (no shift, a customer with a basket, the three tabs) and a service-mode
 * terminal's (set the PIN, the panels), walked at 1280×800 on hosts started in the type given.
 */
async function walkCounterAndService(page: Page, counter: RunningHost, service: RunningHost): Promise<{ measured: string[]; problems: string[] }> {
  const counterWalk = new LayoutWalk(page, 'counter');
  const serviceWalk = new LayoutWalk(page, 'service');
  await openTerminal(page, counter);
  await expect(page.getByTestId('checkout')).toBeVisible();
  await counterWalk.at1280('no-shift');
  await counter.call('checkout.shift', { action: 'open', cashier: '收银员21' });
  await counter.call('sim.device', { action: 'scan', code: wang.ecQrCode });
  await expect(page.getByTestId('customer')).toBeVisible();
  for (const i of [0, 1, 2]) await counter.call('sim.device', { action: 'scan', code: CATALOGUE[i]!.barcode, aim: ']E0' });
  await expect(page.locator('[data-testid=basket] tbody tr')).toHaveCount(3);
  await counterWalk.at1280('basket', ['[data-testid=quote-request]', '[data-testid=customer]']);
  for (const [tab, name] of [
    ['sales', '今日交易'],
    ['queue', '待处理'],
    ['shift', '交班'],
  ] as const) {
    const tabButton = page.getByRole('navigation', { name: '收银功能' }).getByRole('button', { name, exact: true });
    await tabButton.click();
    await expect(tabButton).toHaveClass(/primary/);
    await counterWalk.at1280(tab);
  }

  await openTerminal(page, service);
  await expect(page.getByTestId('service-set-pin')).toBeVisible();
  await serviceWalk.at1280('set-pin');
  await page.getByRole('textbox', { name: '新的维护密码', exact: true }).fill('246810');
  await page.getByRole('textbox', { name: '再次输入新的维护密码' }).fill('246810');
  await page.getByRole('button', { name: '设置并进入维护' }).click();
  await expect(page.getByTestId('service')).toBeVisible();
  await serviceWalk.at1280('panels');
  return { measured: [...counterWalk.measured, ...serviceWalk.measured], problems: [...counterWalk.problems, ...serviceWalk.problems] };
}

const COUNTER_AND_SERVICE = [
  'counter no-shift 1280x800',
  'counter basket 1280x800',
  'counter sales 1280x800',
  'counter queue 1280x800',
  'counter shift 1280x800',
  'service set-pin 1280x800',
  'service panels 1280x800',
];

test('the counter at 1280×800 (no shift, a customer with a basket) and the service screens keep the layout rules and have no serious accessibility violation', async ({
  page,
}) => {
  const { measured, problems } = await walkCounterAndService(page, counter, service);
  expect(measured).toEqual(COUNTER_AND_SERVICE);
  expect(problems).toEqual([]);
});

test('the same counter and service screens in 长辈版 (ui.elderlyMode: 36 px type) keep the layout rules', async ({ page }) => {
  const [elderlyCounter, elderlyService] = await Promise.all([
    startHost({ mode: 'checkout', ui: { elderlyMode: true } }),
    startHost({ mode: 'service', ui: { elderlyMode: true } }),
  ]);
  try {
    const { measured, problems } = await walkCounterAndService(page, elderlyCounter, elderlyService);
    expect(measured).toEqual(COUNTER_AND_SERVICE.map((n) => `${n} 长辈版`));
    expect(problems).toEqual([]);
  } finally {
    await Promise.all([elderlyCounter.stop(), elderlyService.stop()]);
  }
});

/** What a PIN pad must show without scrolling: the dots, every key and 取消. */
const PIN_PAD = ['.pin-dots', '.pin-key', '[data-testid=pin-pad] > button'];
/** The technician's PIN screens: every field and button, 返回 included. */
const SERVICE_PIN = ['main input', 'main button'];

test('every PIN pad (the social-security card PIN, alone and in a form; the technician PIN after the hold gesture) keeps the layout rules at each size, normal and 长辈版, without scrolling', async ({
  page,
}) => {
  await kiosk.call('session.end', { reason: 'logout' });
  await openTerminal(page, kiosk);
  await expect(page.getByTestId('attract')).toBeVisible();
  const walk = new LayoutWalk(page, 'kiosk');

  // The technician holds the terminal name for 3 s: the PIN screen comes over the kiosk (and hides
  // the 长辈版 switch), so it is opened at each size after 长辈版 is set, and left with 返回.
  const hold = async (screen: string) => {
    await page.getByTestId('terminal-name').hover();
    await page.mouse.down();
    await expect(page.getByTestId(screen)).toBeVisible({ timeout: 8_000 });
    await page.mouse.up();
  };
  const leave = async () => {
    await page.getByRole('button', { name: '返回' }).click();
    await expect(page.getByTestId('attract')).toBeVisible();
  };
  await walk.kiosk('service-set-pin', SERVICE_PIN, { open: () => hold('service-set-pin'), close: leave });
  await hold('service-set-pin');
  await page.getByRole('textbox', { name: '新的维护密码', exact: true }).fill('97531864');
  await page.getByRole('textbox', { name: '再次输入新的维护密码' }).fill('97531864');
  await page.getByRole('button', { name: '设置并进入维护' }).click();
  await expect(page.getByTestId('service')).toBeVisible();
  await page.getByRole('button', { name: '退出维护' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await walk.kiosk('service-lock', SERVICE_PIN, { open: () => hold('service-lock'), close: leave });
  // The service panels themselves, as the technician sees them over the kiosk at each of its sizes.
  await walk.technician('service-panels', [], {
    open: async () => {
      await hold('service-lock');
      await page.getByRole('textbox', { name: '请输入维护密码' }).fill('97531864');
      await page.getByRole('button', { name: '进入维护' }).click();
      await expect(page.getByTestId('service')).toBeVisible();
    },
    close: async () => {
      await page.getByRole('button', { name: '退出维护' }).click();
      await expect(page.getByTestId('attract')).toBeVisible();
    },
  });

  // A social-security card holder opens 个人账户: the card's PIN first, then again after a wrong one.
  await kiosk.call('sim.device', {
    action: 'insert-ss-card',
    card: { cardSn: wang.ssCard.cardSn, cardNumber: wang.ssCard.cardNumber, idNumber: wang.idNumber, name: wang.name, gender: '1', pin: wang.ssCard.pin },
  });
  await expect(page.getByTestId('greeting')).toBeVisible();
  await openService(page, 'account');
  await expect(page.getByTestId('pin-pad')).toBeVisible();
  await walk.kiosk('pin-pad', PIN_PAD);
  for (const d of '000000') await page.getByRole('button', { name: d, exact: true }).click();
  await expect(page.getByTestId('pin-pad').getByRole('alert')).toContainText('密码错误');
  await walk.kiosk('pin-pad-wrong', PIN_PAD);
  for (const d of wang.ssCard.pin) await page.getByRole('button', { name: d, exact: true }).click();
  await expect(page.getByTestId('balance')).toBeVisible();
  await page.getByTestId('back').click();

  // 个人信息授权 confirmed with the card's PIN: the pad inside the service's own screen.
  await openService(page, 'auth');
  await fillAuthorisation(page, EMPLOYER_AUTHORISATION);
  await page.getByRole('button', { name: '输入社保卡密码确认授权' }).click();
  await expect(page.getByTestId('pin-pad')).toBeVisible();
  await walk.kiosk('auth-pin-pad', PIN_PAD);
  await page.getByTestId('pin-pad').getByRole('button', { name: '取消' }).click();
  await expect(page.getByTestId('auth-agreement')).toBeVisible();
  await kiosk.call('sim.device', { action: 'remove-ss-card' });
  await expect(page.getByTestId('attract')).toBeVisible();

  const kioskNames = LayoutWalk.kioskNames('kiosk', ['service-set-pin', 'service-lock', 'pin-pad', 'pin-pad-wrong', 'auth-pin-pad']);
  const technicianNames = LayoutWalk.kioskNames('kiosk', ['service-panels']);
  // The kiosk's PIN screens, then the panels, each at every size, normal and 长辈版.
  expect(walk.measured).toEqual([...kioskNames.slice(0, 12), ...technicianNames, ...kioskNames.slice(12)]);
  expect(walk.problems).toEqual([]);
});
