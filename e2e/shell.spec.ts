import { expect, openTerminal, test } from './fixtures';
import { residentByName } from '../fixtures/people/residents';

test.describe('the kiosk shell on the Node host', () => {
  test('a resident sees the attract screen in Chinese and can switch to English', async ({ page, host }) => {
    await openTerminal(page, host);
    await expect(page.getByRole('heading', { name: '欢迎使用医保自助服务' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await page.getByRole('button', { name: /English/ }).click();
    await expect(page.getByRole('heading', { name: 'Welcome to medical insurance self-service' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // The token left the address bar as soon as the page took it.
    expect(page.url()).not.toContain('token=');
  });

  test('the status bar shows live device, network and queue values and follows service events', async ({ page, host }) => {
    await openTerminal(page, host);
    const printer = page.getByTestId('device-printer');
    await expect(printer).toHaveAttribute('data-state', 'ready');
    await expect(printer).toContainText('打印机: 正常');
    await expect(page.getByTestId('network')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('queue')).toHaveAttribute('data-pending', '0');

    await host.call('sim.device', { deviceId: 'printer', action: 'unplug' });
    await expect(printer).toHaveAttribute('data-state', 'absent');
    await expect(printer).toContainText('打印机: 未连接');

    await host.call('sim.device', { deviceId: 'printer', action: 'replug' });
    await expect(printer).toHaveAttribute('data-state', 'ready');
  });

  test('a page without the token gets no data and shows a plain notice', async ({ page, host }) => {
    await page.goto(host.url + '/');
    await expect(page.getByRole('alert')).toContainText('Terminal unavailable');
  });
});

test.describe('modes chosen by config', () => {
  test.use({ hostConfig: { mode: 'checkout' } });
  test('the checkout mode opens the cashier screen', async ({ page, host }) => {
    await openTerminal(page, host);
    await expect(page.getByTestId('checkout')).toBeVisible();
    await expect(page.locator('.shell')).toHaveAttribute('data-mode', 'checkout');
    // A shift opened or closed elsewhere (another page, a driver) shows here at once (checkout.shift event).
    await expect(page.getByTestId('shift-status')).toHaveAttribute('data-open', 'false');
    await host.call('checkout.shift', { action: 'open', cashier: '收银员07' });
    await expect(page.getByTestId('shift-status')).toHaveAttribute('data-open', 'true');
    await expect(page.getByTestId('shift-status')).toContainText('收银员07');
    await host.call('checkout.shift', { action: 'close' });
    await expect(page.getByTestId('shift-status')).toHaveAttribute('data-open', 'false');
  });
});

test.describe('a counter without face recognition (face.enabled: false)', () => {
  test.use({ hostConfig: { mode: 'checkout', face: { enabled: false } } });
  test('offers neither face payment nor its enrolment: no button that can only fail', async ({ page, host }) => {
    await host.call('checkout.shift', { action: 'open', cashier: '收银员30' });
    await openTerminal(page, host);
    // Once main has answered whether face recognition runs here (face.status), not before.
    await expect(page.getByTestId('customer-panel')).toHaveAttribute('data-face', 'off');
    await expect(page.getByRole('button', { name: '刷脸支付' })).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: '手机号后四位' })).toHaveCount(0);
    await host.call('sim.device', { action: 'scan', code: residentByName('王建国').ecQrCode });
    await expect(page.getByTestId('customer')).toBeVisible();
    await expect(page.getByTestId('customer-panel')).toHaveAttribute('data-face', 'off');
    await expect(page.getByRole('button', { name: '开通刷脸支付' })).toHaveCount(0);
  });
});

test.describe('service mode', () => {
  test.use({ hostConfig: { mode: 'service', locale: 'en' } });
  test('the first technician sets the PIN and sees every device; leaving locks, the PIN unlocks', async ({ page, host }) => {
    await openTerminal(page, host);
    await expect(page.getByRole('heading', { name: 'Devices and system' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Set the service PIN' })).toBeVisible();
    await page.getByRole('textbox', { name: 'New service PIN', exact: true }).fill('80421795');
    await page.getByRole('textbox', { name: 'New service PIN again' }).fill('80421795');
    await page.getByRole('button', { name: 'Set and unlock' }).click();
    // The header, the three devices of a service terminal, and the camera (its face engine).
    await expect(page.getByTestId('service').getByRole('row')).toHaveCount(5);
    await expect(page.getByTestId('service').getByRole('row').filter({ hasText: 'Camera' })).toHaveCount(1);
    await page.getByRole('button', { name: 'Leave service mode' }).click();
    await page.getByRole('textbox', { name: 'Enter the service PIN' }).fill('80421795');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByTestId('service').getByRole('row')).toHaveCount(5);
  });
});
