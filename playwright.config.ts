import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Pinned rendering, so screenshots of the same screen look the same on every machine (with the
  // font the app ships): no hinting or subpixel differences, one colour profile, scale 1.
  '--font-render-hinting=none',
  '--disable-lcd-text',
  '--force-color-profile=srgb',
  '--force-device-scale-factor=1',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-output/playwright',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  // Waits, not speed checks: a slower CI machine (or a loaded one) gets the same verdicts.
  expect: { timeout: 20_000 },
  reporter: process.env.PW_JSON_OUTPUT ? [['list'], ['json', { outputFile: process.env.PW_JSON_OUTPUT }]] : [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // The renderer in Debian's Chromium against the Node host: runs everywhere.
    { name: 'chromium-node-host', testIgnore: '**/*.electron.spec.ts' },
    // The packaged shell's security and recovery: needs an Electron binary (e2e/electron/launch.ts
    // finds it without importing electron); each spec reports itself skipped with the reason when
    // there is none.
    { name: 'electron', testMatch: '**/*.electron.spec.ts', timeout: 120_000 },
  ],
});
