/**
 * Help on the kiosk, on the screen a resident uses: 呼叫工作人员 raises one call in main however often
 * it is pressed (status bar and log), 亲友代办 takes the helper's own ID card and the form then shows
 * the helper as 代办人, the step indicator counts the steps, and the voice controls act on the
 * prompt that is playing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { residentByName } from '../fixtures/people/residents';
import { expect, openService, openTerminal, startHost, test, type RunningHost } from './fixtures';

const wang = residentByName('王建国');
const liu = residentByName('刘佳怡');

let host: RunningHost & { stop(): Promise<void> };
test.beforeAll(async () => {
  host = await startHost({ ui: { idleTimeoutSeconds: 600 } });
});
test.afterAll(async () => {
  await host?.stop();
});

const logLines = (msg: string) =>
  fs
    .readFileSync(path.join(host.dataDir, 'logs', 'estation.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`));

test('呼叫工作人员: one call in main however often pressed, on the status bar and in the log, until withdrawn', async ({ page }) => {
  await host.call('session.end', { reason: 'logout' });
  await openTerminal(page, host);
  await page.getByTestId('attract').getByRole('button').first().click();
  await expect(page.getByTestId('steps')).toHaveAttribute('data-step', '1');
  await page.getByTestId('help-call').click();
  await expect(page.getByTestId('help-called')).toBeVisible();
  await expect(page.getByTestId('status-help')).toBeVisible();
  // The same call from another window (a second page of the terminal sees it too), pressed again.
  await host.call('help.call', { screen: 'identify' });
  const { call } = await host.call<{ call: { presses: number; screen: string } }>('help.get', {});
  expect(call).toMatchObject({ presses: 2, screen: 'identify' });
  await expect.poll(() => logLines('help.requested').length).toBe(1);
  expect(logLines('help.requested')[0]).not.toContain(wang.idNumber);
  await page.getByTestId('help-withdraw').click();
  await expect(page.getByTestId('status-help')).toHaveCount(0);
  await expect(page.getByTestId('help-call')).toBeVisible();
  expect((await host.call<{ call: unknown }>('help.get', {})).call).toBeNull();
});

test('亲友代办: the helper proves who they are with their own ID card; the form shows them as 代办人; 第 n 步 counts', async ({ page }) => {
  await host.call('session.end', { reason: 'logout' });
  await openTerminal(page, host);
  await host.call('sim.device', { action: 'scan', code: wang.ecQrCode });
  await expect(page.getByTestId('greeting')).toBeVisible();
  await expect(page.getByTestId('steps')).toHaveAttribute('data-step', '2');
  await page.getByTestId('agent-start').click();
  await expect(page.getByTestId('agent')).toBeVisible();
  await host.call('sim.device', {
    action: 'insert-id-card',
    card: { name: liu.name, idNumber: liu.idNumber, gender: liu.gender, birthDate: liu.birthDate },
  });
  await expect(page.getByTestId('agent-recorded')).toContainText(liu.idNumber.slice(-4));
  await expect(page.getByTestId('agent-recorded')).not.toContainText(liu.idNumber);
  await page.getByRole('button', { name: '完成' }).click();
  // Still 王建国's session: the helper's card did not log the helper in.
  await expect(page.getByTestId('greeting')).toContainText('王');
  await expect(page.getByTestId('agent-line')).toContainText(liu.idNumber.slice(-4));
  await openService(page, 'remote-filing');
  await expect(page.getByTestId('fixed-agnter_certno')).toContainText(liu.idNumber.slice(-4));
  await expect(page.getByTestId('fixed-agnter_name')).not.toContainText(liu.name);
  await expect(page.getByTestId('steps')).toHaveAttribute('data-step', '3');
  // 异地就医备案 needs a fresh verification: identify, choose, fill in, verify, result.
  await expect(page.getByTestId('steps')).toHaveAttribute('data-total', '5');
  await page.getByTestId('back').click();
  await page.getByTestId('agent-line').getByRole('button').click();
  await expect(page.getByTestId('agent-line')).toHaveCount(0);
  await host.call('sim.device', { action: 'remove-id-card' });
});

test('长辈版 voice controls: 重听 speaks the last prompt again, 停止 stops it, volume steps within range', async ({ page }) => {
  await host.call('session.end', { reason: 'logout' });
  await openTerminal(page, host);
  // Count what the page asks main to speak; the page's policy must let it play (media from blob:, not data:).
  const refused: string[] = [];
  page.on('console', (m) => m.text().includes('Content Security Policy') && refused.push(m.text()));
  const spoken: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/bridge/call/voice.say')) spoken.push((JSON.parse(r.postData() ?? '{}') as { text: string }).text);
  });
  await page.getByRole('button', { name: '长辈模式' }).click();
  await expect(page.getByTestId('caption')).toBeVisible();
  const caption = await page.getByTestId('caption').innerText();
  const before = spoken.length;
  await page.getByTestId('voice-repeat').click();
  await expect.poll(() => spoken.length).toBe(before + 1);
  expect(spoken.at(-1)).toBe(caption);
  await page.getByTestId('voice-stop').click();
  await expect(page.getByTestId('voice-volume')).toHaveAttribute('data-volume', '2');
  await page.getByTestId('voice-louder').click();
  await expect(page.getByTestId('voice-louder')).toBeDisabled();
  for (let i = 0; i < 3; i++) await page.getByTestId('voice-quieter').click();
  await expect(page.getByTestId('voice-volume')).toHaveAttribute('data-volume', '0');
  await expect(page.getByTestId('voice-quieter')).toBeDisabled();
  expect(refused).toEqual([]);
});
