/**
 * Service mode on a running kiosk: the technician holds the terminal name for 3 s, sets the PIN,
 * and gets the service panels over the kiosk, with the resident who was using it signed out
 * first. Everything on the service screens is Chinese; a printer out of paper is said in plain
 * words with what to do, on the device row, in the self-test and when the readiness report
 * cannot print. Leaving locks service mode in main and gives back the attract screen; holding
 * Enter on the terminal name opens it again from the keyboard.
 */
import type { Page } from '@playwright/test';
import type { RequestOutput } from '../main/bridge/contract';
import { wangJianguo } from '../fixtures/people/id-cards';
import { expect, openTerminal, test, type RunningHost } from './fixtures';

test.setTimeout(120_000);

const PIN = '80421795';
const PAPER_OUT = '打印机缺纸：请装入 80 mm 热敏纸后点“重试”';
const card = {
  name: wangJianguo.name,
  idNumber: wangJianguo.idNumber,
  gender: '1',
  birthDate: wangJianguo.birthDate,
  address: '江苏省南京市玄武区中山路100号',
};

/**
 * Runs of four or more Latin letters in what the technician can see, leaving out the language
 * switch (it says English on purpose), device model names as configured, file paths, file names
 * and version names. Closed <details> (configuration, raw log) are not visible and so not in innerText.
 */
async function englishOnScreen(page: Page, host: RunningHost): Promise<string[]> {
  const { devices } = await host.call<RequestOutput<'status.get'>>('status.get', {});
  const allowed = ['English', ...devices.map((d) => d.model.replace(/\s*\(simulated\)$/, ''))];
  let text = await page.locator('.shell').innerText();
  for (const a of allowed) text = text.split(a).join(' ');
  // Paths, file names and version names (the face models' faceplugin-0.0.1+estation.1) are names, not words.
  text = text
    .replace(/\S*\/\S*/g, ' ')
    .replace(/[\w.-]+\.(onnx|pdf|html)\b/g, ' ')
    .replace(/\S*\d+\.\d+\.\d+\S*/g, ' ');
  return text.match(/[A-Za-z]{4,}/g) ?? [];
}

test('a technician opens service mode on a running kiosk by holding the terminal name, sees it all in Chinese, is told what to do about a printer out of paper, and leaves to the attract screen', async ({
  page,
  host,
}) => {
  await openTerminal(page, host);
  await expect(page.getByTestId('attract')).toBeVisible();

  // 王建国 left his ID card on the reader and walked away: his session is open.
  await host.call('sim.device', { action: 'insert-id-card', card });
  await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');

  // A short tap on the terminal name does nothing.
  const terminalName = page.getByTestId('terminal-name');
  await terminalName.click();
  await expect(page.getByTestId('greeting')).toBeVisible();

  // Press and hold: the PIN screen, and the resident is gone before it shows.
  await terminalName.hover();
  await page.mouse.down();
  await expect(page.getByTestId('service-set-pin')).toBeVisible({ timeout: 8_000 });
  await page.mouse.up();
  await expect(page.locator('.shell')).toHaveAttribute('data-mode', 'service');
  expect(await host.call<RequestOutput<'session.get'>>('session.get', {})).toEqual({ session: null });
  await expect(page.getByText('王*国')).toHaveCount(0);
  expect(await englishOnScreen(page, host)).toEqual([]);

  // Main enforces the lock on a kiosk as in service mode.
  await expect(host.call('service.logs', { limit: 1 })).rejects.toThrow('SERVICE_LOCKED');
  await page.getByRole('textbox', { name: '新的维护密码', exact: true }).fill(PIN);
  await page.getByRole('textbox', { name: '再次输入新的维护密码' }).fill(PIN);
  await page.getByRole('button', { name: '设置并进入维护' }).click();
  await expect(page.getByTestId('service')).toBeVisible();

  // The self-test panel: every device passes on the simulated hardware.
  await page.getByRole('button', { name: '全部自检' }).click();
  for (const id of ['id-card', 'ss-card', 'scanner', 'printer'])
    await expect(page.getByTestId(`svc-result-${id}`)).toHaveAttribute('data-ok', 'true', { timeout: 20_000 });
  await expect(page.getByTestId('svc-result-printer')).toHaveText('通过');

  // The roll runs out: the device row says what happened and what to do.
  await host.call('sim.device', { action: 'printer', condition: 'paper-out' });
  await expect(page.getByTestId('svc-device-printer')).toHaveAttribute('data-state', 'fault');
  await expect(page.getByTestId('svc-problem-printer')).toContainText(PAPER_OUT);
  await page.getByRole('button', { name: '自检 打印机' }).click();
  await expect(page.getByTestId('svc-result-printer')).toHaveAttribute('data-code', 'PRINTER_PAPER_OUT', { timeout: 20_000 });
  await expect(page.getByTestId('svc-result-printer')).toContainText(PAPER_OUT);

  // The readiness report cannot be printed, and the screen says why instead of staying silent.
  await page.getByRole('button', { name: '签到连通测试（9001）' }).click();
  await expect(page.getByTestId('svc-platform')).toHaveAttribute('data-ok', 'true');
  await page.getByRole('button', { name: '生成并打印就绪报告' }).click();
  await expect(page.getByTestId('svc-report-print')).toContainText(PAPER_OUT, { timeout: 30_000 });
  await expect(page.getByTestId('svc-report')).toHaveAttribute('data-ok', 'false');

  // Everything the technician can see now is Chinese.
  expect(await englishOnScreen(page, host)).toEqual([]);

  // Paper in, 重试: the report prints.
  const printedBefore = (await host.call<RequestOutput<'sim.printed'>>('sim.printed', {})).receipts.length;
  await host.call('sim.device', { action: 'printer', condition: 'paper-loaded' });
  await expect(page.getByTestId('svc-device-printer')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await page.getByTestId('svc-report-print').getByRole('button', { name: '重试' }).click();
  await expect(page.getByTestId('svc-report-print')).toHaveText('就绪报告已打印，请取走', { timeout: 30_000 });
  const receipts = (await host.call<RequestOutput<'sim.printed'>>('sim.printed', {})).receipts.slice(printedBefore);
  expect(receipts.some((r) => r.lines.some((l) => l.includes('设备就绪报告')))).toBe(true);

  // 退出维护: locked in main, and the kiosk is back on its attract screen with nobody signed in.
  await page.getByRole('button', { name: '退出维护' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.locator('.shell')).toHaveAttribute('data-mode', 'kiosk');
  expect(await host.call<RequestOutput<'service.status'>>('service.status', {})).toMatchObject({ pinSet: true, locked: true });
  expect(await host.call<RequestOutput<'session.get'>>('session.get', {})).toEqual({ session: null });
  await expect(host.call('service.logs', { limit: 1 })).rejects.toThrow('SERVICE_LOCKED');

  // From the keyboard: hold Enter on the terminal name, unlock with the PIN, leave again.
  await terminalName.focus();
  await page.keyboard.down('Enter');
  await expect(page.getByTestId('service-lock')).toBeVisible({ timeout: 8_000 });
  await page.keyboard.up('Enter');
  expect(await englishOnScreen(page, host)).toEqual([]);
  await page.getByRole('textbox', { name: '请输入维护密码' }).fill(PIN);
  await page.getByRole('button', { name: '进入维护' }).click();
  await expect(page.getByTestId('service')).toBeVisible();
  await page.getByRole('button', { name: '退出维护' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();

  // 返回 on the PIN screen gives the kiosk back too.
  await terminalName.hover();
  await page.mouse.down();
  await expect(page.getByTestId('service-lock')).toBeVisible({ timeout: 8_000 });
  await page.mouse.up();
  await page.getByRole('button', { name: '返回' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
});
