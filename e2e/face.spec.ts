/**
 * Face login end to end: Chromium's fake camera plays a clip made from a real photo; the kiosk
 * enrols a consenting resident, then logs them in by face in another browser; a clip of a
 * print attack is refused by the liveness check.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { facesAvailable } from '../fixtures/faces';
import { wangJianguo } from '../fixtures/people/id-cards';
import { CLIPS } from './global-setup';
import { expect, fillAuthorisation, openService, test, type RunningHost } from './fixtures';

async function withCamera(clip: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
  });
}

async function open(browser: Browser, host: RunningHost): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(host.launchUrl);
  await expect(page.getByTestId('attract')).toBeVisible();
  return page;
}

const card = {
  name: wangJianguo.name,
  idNumber: wangJianguo.idNumber,
  gender: '1' as const,
  birthDate: wangJianguo.birthDate,
  address: '江苏省南京市玄武区中山路100号',
};

test.describe('face login with a fake camera', () => {
  test.skip(!facesAvailable, 'needs ../shared/faces to make the camera clips');
  // The clips turn the head left: ask for that challenge (main picks among the allowed ones).
  test.use({ hostConfig: { face: { challenge: { kinds: ['turn-left'] } } } });
  test.setTimeout(120_000);

  test('a consenting resident enrols after reading the ID card, then logs in by face; an attack clip is refused', async ({ host }) => {
    const enrolBrowser = await withCamera(CLIPS.enrol);
    try {
      const page = await open(enrolBrowser, host);
      await host.call('sim.device', { action: 'insert-id-card', card });
      await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
      await page.getByRole('button', { name: '开通刷脸登录' }).click();
      await expect(page.getByRole('heading', { name: '人脸识别单独同意书' })).toBeVisible();
      await page.getByRole('button', { name: '同意并开通' }).click();
      await expect(page.getByTestId('face-capture')).toBeVisible();
      await expect(page.getByTestId('message')).toHaveText(/刷脸登录已开通/, { timeout: 60_000 });
      await page.getByRole('button', { name: '确定' }).click();

      // 个人信息授权: an insurer may read two kinds of record for 90 days, twice in all, confirmed by his face, then revoked.
      const today = (await host.call<{ options: { today: string } }>('kiosk.auths', {})).options.today;
      const grant = async (grantee: string) => ({
        ticket: (await host.call<{ ticket: string }>('kiosk.authOpen', {})).ticket,
        grantee,
        purpose: '02',
        items: ['insu'],
        start: today,
        days: 90,
        perDay: null,
        total: null,
        agreementVersion: '2026.1',
      });
      await expect(host.call('kiosk.authorise', await grant('INS000101'))).rejects.toThrow(/^AUTH_VERIFICATION_REQUIRED/);
      await openService(page, 'auth');
      await fillAuthorisation(page, {
        grantee: '中国人寿保险股份有限公司',
        purpose: '商业健康保险理赔',
        items: ['参保信息', '就诊结算记录', '定点药店购药'],
        days: 90,
        limit: { per: '累计最多', times: 2 },
      });
      await page.getByRole('button', { name: '刷脸确认授权' }).click();
      await expect(page.getByTestId('auth-result')).toHaveText('授权成功', { timeout: 60_000 });
      await expect(page.getByTestId('auths').locator('li[data-state="active"]')).toContainText('中国人寿保险股份有限公司 · 参保信息、就诊结算记录');
      const auths = await host.call<{ auths: { state: string; from: string; to: string; verifiedBy: string }[] }>('kiosk.auths', {});
      expect(auths.auths).toHaveLength(1);
      expect(auths.auths[0]!.verifiedBy).toBe('face');
      expect((Date.parse(auths.auths[0]!.to) - Date.parse(auths.auths[0]!.from)) / 86_400_000).toBe(89);
      // The verification was used up: another grant needs the face again.
      await expect(host.call('kiosk.authorise', await grant('INS000102'))).rejects.toThrow(/^AUTH_VERIFICATION_REQUIRED/);
      await page.getByRole('button', { name: '撤销授权 中国人寿保险股份有限公司' }).click();
      await expect(page.getByTestId('auth-result')).toHaveText('已撤销授权');
      await expect(page.getByTestId('auths').locator('li[data-state="revoked"]')).toHaveCount(1);
      await page.getByRole('button', { name: '返回' }).click();
      await page.getByRole('button', { name: '退出' }).click();
      await expect(page.getByTestId('attract')).toBeVisible();
      await host.call('sim.device', { action: 'remove-id-card' });
    } finally {
      await enrolBrowser.close();
    }

    const loginBrowser = await withCamera(CLIPS.login);
    try {
      const page = await open(loginBrowser, host);
      await page.getByTestId('attract').getByRole('button').click();
      await page.getByRole('button', { name: '刷脸登录' }).click();
      // Either outcome ends the wait; a refusal is reported with the host's account of the session.
      const outcome = page.getByTestId('greeting').or(page.getByRole('alert'));
      await expect(outcome).toBeVisible({ timeout: 60_000 });
      expect(await outcome.textContent(), host.faceLog()).toBe('王*国，您好');
      await expect(page.getByText(/刷脸 · 320\*+/)).toBeVisible();
      await page.getByRole('button', { name: '退出' }).click();
    } finally {
      await loginBrowser.close();
    }

    const attackBrowser = await withCamera(CLIPS.attack);
    try {
      const page = await open(attackBrowser, host);
      await page.getByTestId('attract').getByRole('button').click();
      await page.getByRole('button', { name: '刷脸登录' }).click();
      await expect(page.getByRole('alert')).toHaveText(/未通过活体检测/, { timeout: 60_000 });
      expect(await host.call<{ session: unknown }>('session.get', {})).toEqual({ session: null });
    } finally {
      await attackBrowser.close();
    }
  });
});
