/**
 * Service mode end to end: a new terminal asks for a PIN (weak ones refused), leaving locks it,
 * a wrong PIN makes the next one wait and five lock it out (shown on the status bar); behind the
 * PIN, every self-test passes on the simulated devices and
 * fails with the right message when a device is unplugged or the printer cover is open; the
 * platform round trip, storage, models and log are shown; the readiness report is written as
 * HTML and PDF with each device's result; the camera preview finds a face.
 */
import fs from 'node:fs';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { facesAvailable } from '../fixtures/faces';
import { CLIPS } from './global-setup';
import { expect, startHost, test } from './fixtures';

test.setTimeout(120_000);

test('service mode: first PIN, leave and unlock, self-tests pass and fail by name, platform, readiness report PDF, camera preview', async () => {
  // A gateway key in the config, to see it hidden on the technician's screen.
  const host = await startHost({ mode: 'service', platform: { signing: { kind: 'apikey', apikey: 'e2e-gateway-key' } } });
  const args = [
    ...CHROMIUM_ARGS,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    ...(facesAvailable ? [`--use-file-for-fake-video-capture=${CLIPS.enrol}`] : []),
  ];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    await page.goto(host.launchUrl);
    // No PIN out of the box: the first technician sets one, twice, and a weak one is refused.
    await expect(page.getByTestId('service-set-pin')).toContainText('本终端还没有维护密码');
    const setPin = async (pin: string, confirm: string) => {
      await page.getByRole('textbox', { name: '新的维护密码', exact: true }).fill(pin);
      await page.getByRole('textbox', { name: '再次输入新的维护密码' }).fill(confirm);
      await page.getByRole('button', { name: '设置并进入维护' }).click();
    };
    await setPin('123456', '123456');
    await expect(page.getByRole('alert')).toHaveText('密码太简单：不能是相同、连续或重复的数字，也不能是常见密码');
    await setPin('246810', '246801');
    await expect(page.getByRole('alert')).toHaveText('两次输入的密码不一致');
    await setPin('246810', '246810');
    await expect(page.getByTestId('service')).toBeVisible();

    // Leaving locks in main; a wrong PIN makes the next try wait.
    await page.getByRole('button', { name: '退出维护' }).click();
    await expect(page.getByTestId('service-lock')).toBeVisible();
    await expect(host.call('service.logs', { limit: 1 })).rejects.toThrow('SERVICE_LOCKED');
    const pinBox = page.getByRole('textbox', { name: '请输入维护密码' });
    const unlock = page.getByRole('button', { name: '进入维护' });
    await pinBox.fill('000000');
    await unlock.click();
    await expect(page.getByRole('alert')).toHaveText('维护密码错误');
    await pinBox.fill('246810');
    await expect(unlock).toBeEnabled();
    await unlock.click();
    await expect(page.getByTestId('service')).toBeVisible();

    await page.getByRole('button', { name: '全部自检' }).click();
    for (const id of ['id-card', 'ss-card', 'scanner', 'printer'])
      await expect(page.getByTestId(`svc-result-${id}`)).toHaveAttribute('data-ok', 'true', { timeout: 20_000 });

    await host.call('sim.device', { action: 'unplug', deviceId: 'id-card' });
    await host.call('sim.device', { action: 'printer', condition: 'cover-open' });
    await expect(page.getByTestId('svc-device-id-card')).toContainText('未连接');
    await expect(page.getByTestId('svc-device-printer')).toContainText('故障');
    await page.getByRole('button', { name: '全部自检' }).click();
    await expect(page.getByTestId('svc-result-id-card')).toHaveAttribute('data-ok', 'false');
    // Each failure in words with what to do; the code stays with it for support, off the screen.
    await expect(page.getByTestId('svc-result-id-card')).toHaveAttribute('data-code', 'DEVICE_ABSENT');
    await expect(page.getByTestId('svc-result-id-card')).toContainText('身份证读卡器未连接：请检查数据线和电源');
    await expect(page.getByTestId('svc-result-printer')).toHaveAttribute('data-code', 'PRINTER_COVER_OPEN');
    await expect(page.getByTestId('svc-result-printer')).toContainText('打印机盖未合上：请合上打印机盖后点“重试”');
    await expect(page.getByTestId('svc-result-scanner')).toHaveAttribute('data-ok', 'true');

    await page.getByRole('button', { name: '签到连通测试（9001）' }).click();
    await expect(page.getByTestId('svc-platform')).toHaveAttribute('data-ok', 'true');
    await expect(page.getByTestId('svc-storage')).toContainText('数据库完好');
    await expect(page.getByTestId('svc-overview')).toContainText('已校验 · fr_feature.onnx');
    await expect(page.getByTestId('svc-overview')).toContainText('"apikey": "[hidden]"');
    await expect(page.getByTestId('svc-overview')).not.toContainText('e2e-gateway-key');

    // The report records the faults as they are now.
    await page.getByRole('button', { name: '生成并打印就绪报告' }).click();
    await expect(page.getByTestId('svc-report')).toHaveAttribute('data-ok', 'false');
    const pdfPath = (await page.getByTestId('svc-report').innerText()).split(' · ').at(-1)!;
    const pdf = fs.readFileSync(pdfPath, 'latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    // Text in a PDF string escapes its parentheses.
    for (const line of [
      'FAIL id-card \\(idCardReader\\) DEVICE_ABSENT',
      'PASS ss-card',
      'PASS scanner',
      'FAIL printer \\(printer\\) PRINTER_COVER_OPEN',
      'Platform: PASS',
      'NOT READY',
    ])
      expect(pdf).toContain(line);
    expect(fs.readFileSync(pdfPath.replace(/\.pdf$/, '.html'), 'utf8')).toContain('就绪报告');

    await host.call('sim.device', { action: 'replug', deviceId: 'id-card' });
    await host.call('sim.device', { action: 'printer', condition: 'cover-closed' });
    await expect(page.getByTestId('svc-device-id-card')).toContainText('正常', { timeout: 15_000 });
    await page.getByRole('button', { name: '全部自检' }).click();
    for (const id of ['id-card', 'printer']) await expect(page.getByTestId(`svc-result-${id}`)).toHaveAttribute('data-ok', 'true', { timeout: 20_000 });

    await page.getByText('查看原始日志').click();
    await expect(page.getByTestId('svc-logs').locator('li').first()).toBeVisible();
    // Restarting the program is the Electron shell's job; the Node host says it cannot.
    await page.getByRole('button', { name: '重启终端程序' }).click();
    await expect(page.getByTestId('svc-restart')).toContainText('本终端不支持此功能');
    if (facesAvailable) {
      await page.getByRole('button', { name: '摄像头预览' }).click();
      await expect(page.getByTestId('svc-camera-stats')).toHaveAttribute('data-faces', '1', { timeout: 20_000 });
    }

    // Five wrong PINs, each after the doubling wait (1, 2, 4, 8 s), lock service mode out: the
    // right PIN cannot even be tried, and the status bar says so.
    await page.getByRole('button', { name: '退出维护' }).click();
    for (let n = 1; n <= 5; n++) {
      await pinBox.fill('135790');
      await expect(unlock).toBeEnabled({ timeout: 10_000 });
      await unlock.click();
      if (n === 4) await expect(page.getByTestId('service-wait')).toHaveText(/^请 [5-8] 秒后再试$/);
    }
    await expect(page.getByTestId('service-locked-out')).toContainText('维护密码连续错误次数过多，维护已锁定至');
    await expect(page.getByTestId('service-lockout')).toContainText('维护已锁定');
    await pinBox.fill('246810');
    await expect(unlock).toBeDisabled();
    await expect(host.call('service.unlock', { pin: '246810' })).rejects.toThrow('SERVICE_LOCKED_OUT');
  } finally {
    await browser.close();
    await host.stop();
  }
});
