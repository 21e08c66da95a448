/**
 * Accessibility as axe-core measures it (WCAG 2.0/2.1/2.2 A and AA rules): the kiosk's attract,
 * identification, home and a service form, in normal and 长辈版, at the three screens kiosks have
 * (portrait 1080×1920, landscape 1920×1080 and the 10-inch 1280×800), and the counter at 1280×800.
 * A screen passes with no serious or critical violation; the test names every one it finds.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { residentByName } from '../fixtures/people/residents';
import { expect, openTerminal, startHost, test, type RunningHost } from './fixtures';

const SIZES = [
  { name: 'portrait 1080×1920', width: 1080, height: 1920 },
  { name: 'landscape 1920×1080', width: 1920, height: 1080 },
  { name: '10-inch 1280×800', width: 1280, height: 800 },
];
const wang = residentByName('王建国');

let kiosk: RunningHost & { stop(): Promise<void> };
let counter: RunningHost & { stop(): Promise<void> };
test.beforeAll(async () => {
  kiosk = await startHost({ ui: { idleTimeoutSeconds: 300 } });
  counter = await startHost({ mode: 'checkout' });
});
test.afterAll(async () => {
  await kiosk?.stop();
  await counter?.stop();
});
test.setTimeout(120_000);

/** Serious and critical violations on the page as it stands, one line each. */
async function violations(page: Page, screen: string): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.length} node(s): ${v.nodes[0]?.target.join(' ')}`);
}

for (const size of SIZES)
  for (const elderly of [false, true])
    test(`the kiosk at ${size.name}${elderly ? ', 长辈版' : ''}: attract, identification, home and a service form have no serious or critical violation`, async ({
      page,
    }) => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await kiosk.call('session.end', { reason: 'logout' });
      await openTerminal(page, kiosk);
      const found: string[] = [];
      await expect(page.getByTestId('attract')).toBeVisible();
      if (elderly) await page.getByRole('button', { name: '长辈模式' }).click();
      found.push(...(await violations(page, 'attract')));
      await page.getByTestId('attract').getByRole('button').first().click();
      found.push(...(await violations(page, 'identify')));
      await kiosk.call('sim.device', { action: 'scan', code: wang.ecQrCode });
      await expect(page.getByTestId('greeting')).toBeVisible();
      found.push(...(await violations(page, 'home')));
      await page.getByTestId('category-query').click();
      await page.getByTestId('tile-visits').click();
      await expect(page.getByTestId('service-visits')).toBeVisible();
      found.push(...(await violations(page, 'service form')));
      expect(found).toEqual([]);
    });

test('the counter at 1280×800, before the shift and with a customer, has no serious or critical violation', async ({ page }) => {
  await openTerminal(page, counter);
  const found: string[] = [...(await violations(page, 'counter, no shift'))];
  await counter.call('checkout.shift', { action: 'open', cashier: '收银员21' });
  await counter.call('sim.device', { action: 'scan', code: wang.ecQrCode });
  await expect(page.getByTestId('customer')).toBeVisible();
  found.push(...(await violations(page, 'counter, customer')));
  expect(found).toEqual([]);
});
