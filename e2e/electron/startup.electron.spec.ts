/** Start-up failures show the out-of-service page, never a blank window; one instance only. */
import { expect, test } from '@playwright/test';
import { electronBinary, launchTerminal } from './launch';

const binary = electronBinary();
test.skip(!binary.path, binary.reason ?? '');

test('a wrong config shows the service page naming the key, not a blank window', async () => {
  const t = await launchTerminal({ rawConfig: 'ui:\n  idleTimeoutSeconds: soon\n' });
  try {
    await expect(t.page.locator('body')).toHaveAttribute('data-fatal-code', 'CONFIG_INVALID', { timeout: 30_000 });
    await expect(t.page.locator('body')).toContainText('暂停服务');
    await expect(t.page.locator('body')).toContainText('ui.idleTimeoutSeconds');
  } finally {
    await t.close();
  }
});
