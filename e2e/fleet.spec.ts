/**
 * The fleet console in Chromium against a real fleet: the embedded broker, the FleetServer and its
 * console in this process, three real terminals reporting every 2 s (two counters of chain YF in
 * this process, one of chain LB as its own `estation start` process, so that it can really crash).
 * The page must show what the terminals report: online, a printer unplugged, a terminal killed
 * with SIGKILL going offline, a config edited in the console applied by the terminal (and one the
 * server refuses, with the key). Waits are Playwright's expects, never sleeps.
 *
 * The fleet's store is PostgreSQL when ESTATION_TEST_PG names one (as `.ci/run` sets up), else
 * SQLite; the mosquitto specs keep SQLite, so the e2e runs see both stores.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import YAML from 'yaml';
import { createApp, type App } from '../main/app/compose';
import { parseConfig } from '../main/app/config';
import { startEmbeddedBroker, type EmbeddedBroker } from '../fleet/broker';
import { startConsole, type FleetConsole } from '../fleet/http';
import { FleetServer } from '../fleet/server';
import { openTestStore, STORES, type TestStore } from '../fleet/testing-pg';

const HEALTH_SECONDS = 2;
const root = path.resolve(import.meta.dirname, '..');
const T1 = 'YF-NS-01';
const T2 = 'YF-NS-02';
const T3 = 'LB-FT-01';

let dir: string;
let store: TestStore | undefined;
let broker: EmbeddedBroker;
let server: FleetServer;
let fleetConsole: FleetConsole;
const apps: App[] = [];
let child: ChildProcess | null = null;
let childErr = '';

function terminalConfig(id: string, chain: string, password: string, dataDir: string) {
  return {
    dataDir,
    mode: 'checkout',
    terminal: { id },
    face: { enabled: false },
    platform: { healthIntervalMs: 60_000 },
    fleet: { enabled: true, url: broker.url, chain, password, healthIntervalSeconds: HEALTH_SECONDS, backoff: { minMs: 100, maxMs: 500 } },
  };
}

/** A terminal as its own process (`estation start --headless`), to be killed without a goodbye. */
async function startTerminalProcess(config: Record<string, unknown>): Promise<void> {
  const configFile = path.join(dir, `${T3}.yaml`);
  fs.writeFileSync(configFile, YAML.stringify(config), { mode: 0o600 });
  const c = spawn(
    process.execPath,
    ['--unhandled-rejections=strict', path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--config', configFile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = c;
  c.stderr!.on('data', (d: Buffer) => (childErr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`terminal ${T3} did not start in 60 s:\n${childErr}`)), 60_000);
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').some((l) => l.startsWith('{"event":"ready"'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`terminal ${T3} exited with ${code}:\n${childErr}`));
    });
  });
}

async function call<T = Record<string, unknown>>(app: App, channel: string, input: unknown = {}): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

function report(what: string, ms: number) {
  const line = `${what}: ${ms} ms`;
  test.info().annotations.push({ type: 'timing', description: line });
  process.stdout.write(`[fleet console] ${line}\n`);
}

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-e2e-fleet-'));
  fs.mkdirSync(path.join(dir, 'fleet'));
  store = await openTestStore(STORES.find((k) => k.dialect === 'postgres' && !k.skip) ?? STORES[0]!, path.join(dir, 'fleet'));
  server = new FleetServer(store.db);
  broker = await startEmbeddedBroker({ authenticate: server.authenticate });
  await server.connect(broker.url, server.serverCredentials());
  fleetConsole = await startConsole({ server });
  const yf = '一方大药房 南山店';
  const p1 = (await server.register(T1, { chain: 'YF', group: yf }))!;
  const p2 = (await server.register(T2, { chain: 'YF', group: yf }))!;
  const p3 = (await server.register(T3, { chain: 'LB', group: '老百姓大药房 福田店' }))!;
  // The child first: its start (tsx, a fresh Node) is the slow part, and it runs while these two start.
  const third = startTerminalProcess(terminalConfig(T3, 'LB', p3, path.join(dir, T3)));
  third.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
  apps.push(await createApp(parseConfig(terminalConfig(T1, 'YF', p1, path.join(dir, T1))), { host: 'node' }));
  apps.push(await createApp(parseConfig(terminalConfig(T2, 'YF', p2, path.join(dir, T2))), { host: 'node' }));
  await third;
});

test.afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  for (const app of apps.splice(0)) await app.close();
  await fleetConsole?.close();
  await server?.close();
  await broker?.close();
  await store?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function openConsole(page: Page) {
  await page.goto(`${fleetConsole.url}/#token=${fleetConsole.token}`);
  // The token leaves the address bar (it stays in sessionStorage for this tab).
  await expect(page).toHaveURL(`${fleetConsole.url}/`);
  await expect(page.getByTestId('live')).toHaveAttribute('data-live', 'live');
}

test('the console shows the fleet as the terminals report it: online, a printer unplugged, a frozen terminal silent, a killed terminal offline, a config applied', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The one refusal this test provokes (422 for the bad config) is logged by Chromium as a failed load: expected.
  page.on('console', (m) => void (m.type() === 'error' && !/status of 422/.test(m.text()) && errors.push(m.text())));
  await openConsole(page);

  // All three online, in their groups, with their paper, devices and queue as reported.
  await expect(page.getByTestId('group-一方大药房 南山店').getByRole('heading')).toContainText('门店');
  await expect(page.getByTestId('group-一方大药房 南山店').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('group-老百姓大药房 福田店').locator('tbody tr')).toHaveCount(1);
  for (const id of [T1, T2, T3]) {
    await expect(page.getByTestId(`state-${id}`)).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
    await expect(page.getByTestId(`state-${id}`)).toContainText('在线');
    await expect(page.getByTestId(`state-${id}`)).not.toContainText('离线');
    await expect(page.getByTestId(`paper-${id}`)).toHaveText('正常');
    await expect(page.getByTestId(`devices-${id}`)).toHaveText('正常', { timeout: 30_000 });
    await expect(page.getByTestId(`queue-${id}`)).toHaveText('无');
    await expect(page.getByTestId(`version-${id}`)).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(page.getByTestId(`config-${id}`)).toHaveText('本地配置');
  }

  // Terminal 1's printer unplugged: its row says so within two health periods; the others do not.
  const [app1, app2] = apps as [App, App];
  const unplugged = Date.now();
  await call(app1, 'sim.device', { action: 'unplug', deviceId: 'printer' });
  await expect(page.getByTestId(`devices-${T1}`)).toHaveText('打印机 断开', { timeout: 2 * HEALTH_SECONDS * 1000 + 3000 });
  report(`printer unplugged → "打印机 断开" shown (health every ${HEALTH_SECONDS} s)`, Date.now() - unplugged);
  await expect(page.getByTestId(`devices-${T2}`)).toHaveText('正常');
  await expect(page.getByTestId(`devices-${T3}`)).toHaveText('正常');
  await expect(page.getByTestId(`state-${T1}`)).toHaveAttribute('data-state', 'online');

  // Terminal 3 frozen (SIGSTOP: no reports, no keepalive, but its connection open and no will for
  // 1.5 keepalives = 90 s): silent after three missed health periods, online again when it thaws.
  const frozen = Date.now();
  child!.kill('SIGSTOP');
  await expect(page.getByTestId(`state-${T3}`)).toHaveAttribute('data-state', 'silent', { timeout: 30_000 });
  await expect(page.getByTestId(`state-${T3}`)).toContainText('失联');
  report(`terminal process frozen → "失联" shown (3 health periods of ${HEALTH_SECONDS} s, page redraws every 5 s)`, Date.now() - frozen);
  for (const id of [T1, T2]) await expect(page.getByTestId(`state-${id}`)).toHaveAttribute('data-state', 'online');
  child!.kill('SIGCONT');
  await expect(page.getByTestId(`state-${T3}`)).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await expect(page.getByTestId(`state-${T3}`)).not.toContainText('失联');

  // Terminal 3 killed (SIGKILL: no clean stop, no "offline" of its own): the broker's will says offline.
  const killed = Date.now();
  child!.kill('SIGKILL');
  await expect(page.getByTestId(`state-${T3}`)).toHaveAttribute('data-state', 'offline', { timeout: 90_000 });
  await expect(page.getByTestId(`state-${T3}`)).toContainText('离线');
  await expect(page.getByTestId(`state-${T3}`)).not.toContainText('在线');
  report('terminal process SIGKILLed → "离线" shown', Date.now() - killed);
  for (const id of [T1, T2]) await expect(page.getByTestId(`state-${id}`)).toHaveAttribute('data-state', 'online');

  // Terminal 2's idle timeout set in the console: the diff before sending, then applied with its version.
  await page.getByTestId(`open-${T2}`).click();
  await expect(page.getByTestId('detail-title')).toContainText(T2);
  await expect(page.getByTestId('history').locator('tbody tr').first()).toContainText('正常');
  await expect(page.getByTestId('config-current')).toContainText('无');
  await page.getByTestId('config-editor').fill('{"ui": {"idleTimeoutSeconds": 90}}');
  await expect(page.getByTestId('config-diff')).toContainText('新增 ui.idleTimeoutSeconds = 90');
  await page.getByTestId('config-send').click();
  await expect(page.getByTestId('config-result')).toContainText('已发送为 v1');
  await expect(page.getByTestId(`config-${T2}`)).toHaveText('v1 已应用', { timeout: 20_000 });
  await expect(page.getByTestId('config-current')).toContainText('v1');
  await expect(page.getByTestId('config-reported')).toContainText('终端已应用 v1');
  await expect(page.getByTestId('config-reported')).toContainText('ui.idleTimeoutSeconds');
  expect((await call<{ idleTimeoutSeconds: number }>(app2, 'app.hello')).idleTimeoutSeconds).toBe(90);
  await expect(page.getByTestId(`config-${T1}`)).toHaveText('本地配置');

  // A value the terminal's schema cannot take: the server refuses it, naming the key; v1 stays.
  await page.getByTestId('config-editor').fill('{"ui": {"idleTimeoutSeconds": "soon"}}');
  await expect(page.getByTestId('config-diff')).toContainText('修改 ui.idleTimeoutSeconds：90 → "soon"');
  await page.getByTestId('config-send').click();
  await expect(page.getByTestId('config-result')).toContainText('FLEET_CONFIG_INVALID');
  await expect(page.getByTestId('config-result').getByTestId('problems')).toContainText('ui.idleTimeoutSeconds');
  await expect(page.getByTestId(`config-${T2}`)).toHaveText('v1 已应用');

  // A command from its button, with its state.
  await page.getByTestId('cmd-self-test').click();
  await expect(page.getByTestId('cmd-state-self-test')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('commands').locator('tbody tr').first()).toContainText('通过 4 项');

  // 呼叫工作人员 at terminal 2: the console shows it at once (not at the next health period); staff
  // answer it from the console and the terminal's own call ends with it.
  const called = Date.now();
  await call(app2, 'help.call', { screen: 'counter' });
  await expect(page.getByTestId(`help-${T2}`)).toContainText('呼叫工作人员');
  report('help call raised → "呼叫工作人员" shown', Date.now() - called);
  await expect(page.getByTestId(`help-${T1}`)).toHaveCount(0);
  await page.getByTestId('cmd-answer-help').click();
  await expect(page.getByTestId('cmd-state-answer-help')).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(page.getByTestId('commands').locator('tbody tr').first()).toContainText('呼叫已结束');
  await expect(page.getByTestId(`help-${T2}`)).toHaveCount(0);
  expect((await call<{ call: unknown }>(app2, 'help.get')).call).toBeNull();

  // Readable: every text at least 18 px, and contrast of at least 7:1 (axe's WCAG AAA rule).
  const sizes = await page.evaluate(() => {
    const texts = Array.from(document.querySelectorAll('body *')).filter(
      (e) => Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim()) && (e as HTMLElement).offsetParent !== null,
    );
    return {
      checked: texts.length,
      small: texts
        .filter((e) => parseFloat(getComputedStyle(e).fontSize) < 18)
        .map((e) => `${e.tagName} "${e.textContent!.trim().slice(0, 30)}" ${getComputedStyle(e).fontSize}`),
    };
  });
  expect(sizes.checked).toBeGreaterThan(50);
  expect(sizes.small, 'text smaller than 18 px').toEqual([]);
  const axe = await new AxeBuilder({ page }).withRules(['color-contrast-enhanced', 'color-contrast']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  expect(errors).toEqual([]);
});

test('without the token the page says how to open it and shows no terminal', async ({ page }) => {
  await page.goto(`${fleetConsole.url}/`);
  await expect(page.getByTestId('problem')).toContainText('console-url');
  await expect(page.getByTestId(`terminal-${T1}`)).toHaveCount(0);
  await page.goto('about:blank');
  await page.goto(`${fleetConsole.url}/#token=${'0'.repeat(48)}`);
  await expect(page.getByTestId('problem')).toContainText('访问令牌无效');
  await expect(page.getByTestId(`terminal-${T1}`)).toHaveCount(0);
});

test('the console lists a chain’s shared face entries by their sealed id, with each terminal’s answer, and shows a withdrawal', async ({ page }) => {
  await openConsole(page);
  await expect(page.getByTestId('chain-faces')).toContainText('连锁 YF');
  await expect(page.getByTestId('chain-faces')).toContainText('连锁 LB');
  // What a terminal of YF sends when it shares an enrolment: opaque to the server and to this page.
  const sharedId = randomBytes(16).toString('hex');
  const chainPerson = randomBytes(32).toString('hex');
  await server.faces.onOut(T1, 'YF', { op: 'put', sharedId, chainPerson, blob: randomBytes(600).toString('base64'), at: new Date().toISOString() });
  const row = page.getByTestId(`face-${sharedId.slice(0, 8)}`);
  await expect(row).toHaveAttribute('data-deleted', 'false');
  await expect(row).toContainText(T1);
  await expect(row).toContainText('有效');
  // The two counters of YF run without face recognition here: neither has answered.
  await expect(row).toContainText(`${T1}：未确认；${T2}：未确认`);
  await expect(page.getByTestId('faces-LB')).toHaveCount(0);
  // The customer withdraws at T2: the entry becomes a tombstone.
  await server.faces.onOut(T2, 'YF', { op: 'delete', chainPerson, at: new Date().toISOString() });
  await expect(row).toHaveAttribute('data-deleted', 'true');
  await expect(row).toContainText('已撤回');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
});
