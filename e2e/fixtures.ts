/**
 * Starts E-Station's Node host (`estation start --headless --port 0`) with a fresh data
 * directory for each test file, waits for its ready line instead of sleeping, and reads the
 * launch URL from the file the ready line names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { test as base, expect, type Page } from '@playwright/test';
import YAML from 'yaml';
import { readLaunchFile } from '../main/ground/launch-file';
import { DECLARATIONS } from '../main/kiosk/catalogue/declarations';

export interface RunningHost {
  url: string;
  launchUrl: string;
  token: string;
  dataDir: string;
  /** Calls the bridge directly, as a test driver would drive simulated hardware. */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  stderr(): string;
  /** The host's log lines about face sessions: what to print when a face step goes wrong. */
  faceLog(): string;
  /** The host process has not exited. */
  alive(): boolean;
}

const root = path.resolve(import.meta.dirname, '..');

export async function startHost(config: Record<string, unknown> = {}): Promise<RunningHost & { stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-e2e-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, YAML.stringify({ dataDir, ...config }));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<{ url: string; launchFile: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start in 60 s:\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; launchFile: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code}:\n${err}`));
    });
  });
  // The launch URL (with the token) is never printed; the host writes it to a 0600 file for us.
  const { launchUrl, token } = readLaunchFile(ready.launchFile);
  return {
    url: ready.url,
    launchUrl,
    token,
    dataDir,
    stderr: () => err,
    faceLog: () => {
      const file = path.join(dataDir, 'logs', 'estation.log');
      if (!fs.existsSync(file)) return '(no log file)';
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"msg":"face.'))
        .join('\n');
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    async call<T>(channel: string, input: unknown): Promise<T> {
      const res = await fetch(`${ready.url}/bridge/call/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!body.ok) throw new Error(`${body.error?.code}: ${body.error?.message}`);
      return body.value as T;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

/**
 * Watches a kiosk page for the whole test: any text that reaches a resident's screen looking like
 * a code instead of a name (a 6-digit region code, an insurance type code, 未知(…) from a missing
 * dictionary entry) is recorded, and the test fails at its end naming it.
 */
export async function watchForCodes(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __codesSeen: string[] };
    w.__codesSeen = [];
    const pattern = /未知\([^)]*\)|(?<![\d\w-])(\d{6}|310|390|340)(?![\d\w-])/g;
    const scan = () => {
      const shell = document.querySelector('.shell[data-mode="kiosk"] main');
      if (!shell) return;
      for (const m of (shell as HTMLElement).innerText.matchAll(pattern)) if (!w.__codesSeen.includes(m[0])) w.__codesSeen.push(m[0]);
    };
    new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return async () => page.evaluate(() => (window as unknown as { __codesSeen?: string[] }).__codesSeen ?? []).catch(() => []);
}

export const test = base.extend<{ host: RunningHost; hostConfig: Record<string, unknown> }>({
  page: async ({ page }, use) => {
    const seen = await watchForCodes(page);
    await use(page);
    expect(await seen(), 'code-shaped values shown to a resident').toEqual([]);
  },
  hostConfig: [{}, { option: true }],
  host: async ({ hostConfig }, use) => {
    const h = await startHost(hostConfig);
    await use(h);
    await h.stop();
  },
});

/** Opens a kiosk service from the home screen: its tile if it is among the most used, else through its category. */
export async function openService(page: Page, id: string): Promise<void> {
  await expect(page.locator('nav.services .tile').first()).toBeVisible();
  if ((await page.getByTestId(`tile-${id}`).count()) === 0) {
    const decl = DECLARATIONS.find((d) => d.id === id);
    if (!decl) throw new Error(`no service ${id} in the catalogue`);
    await page.getByTestId(`category-${decl.category}`).click();
  }
  await page.getByTestId(`tile-${id}`).click();
}

/** A new 个人信息授权 as a resident fills it in: who, what for, which records, how long, how often. */
export interface AuthorisationChoice {
  grantee: string;
  /** The purpose, where the grantee has more than one. */
  purpose?: string;
  items: string[];
  days: number;
  limit: { per: '每日最多' | '累计最多'; times: number };
}

/** Fills in a new 个人信息授权 and accepts its agreement: ready to be confirmed (face or card PIN). */
export async function fillAuthorisation(page: Page, a: AuthorisationChoice): Promise<void> {
  await page.getByRole('button', { name: '新增授权' }).click();
  for (const radio of [a.grantee, ...(a.purpose ? [a.purpose] : [])]) await page.getByRole('radio', { name: radio }).check();
  for (const item of a.items) await page.getByRole('checkbox', { name: item }).check();
  await page.getByRole('radio', { name: `${a.days} 天` }).check();
  await page.getByLabel(a.limit.per).selectOption({ label: `${a.limit.times} 次` });
  await page.getByRole('button', { name: '下一步：阅读授权协议' }).click();
  await page.getByRole('checkbox', { name: '我已阅读并同意以上协议' }).check();
}

/** 本人所在单位 may read 缴费记录 for 30 days, once a day. */
export const EMPLOYER_AUTHORISATION: AuthorisationChoice = { grantee: '本人所在单位', items: ['缴费记录'], days: 30, limit: { per: '每日最多', times: 1 } };

export async function openTerminal(page: Page, host: RunningHost): Promise<void> {
  await page.goto(host.launchUrl);
  await expect(page.locator('.shell')).toBeVisible();
}

export { expect };

/** Shows one of the counter's tabs. */
export const showTab = (page: Page, name: '收银' | '今日交易' | '待处理' | '交班') =>
  page.getByRole('navigation', { name: '收银功能' }).getByRole('button', { name, exact: true }).click();

/**
 * Opens the counter's shift through its screen (no sale without a cashier) and returns to 收银.
 * `prefilled`: the cashier name the form must offer first (the terminal's default).
 */
export async function openShift(page: Page, cashier: string, prefilled?: string): Promise<void> {
  await showTab(page, '交班');
  if (prefilled !== undefined) await expect(page.getByTestId('shift-cashier')).toHaveValue(prefilled);
  await page.getByTestId('shift-cashier').fill(cashier);
  await page.getByTestId('shift-open').click();
  await expect(page.getByTestId('shift-status')).toContainText(`${cashier} 已开班`);
  await showTab(page, '收银');
}
