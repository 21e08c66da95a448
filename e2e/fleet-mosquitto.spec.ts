/**
 * The fleet as it runs in the field, in Chromium: Debian's mosquitto with TLS client certificates
 * (CN = terminal id) and the fleet's ACL, the FleetServer and its console in this process, and
 * three real terminals, each its own process run by `estation launch` from its update slots, as a
 * service manager would run it. Through the console page: a printer unplugged shows within two
 * health periods, a config edited is applied and reported, a good version rolled out to 1 then 2
 * terminals is committed everywhere, a version that crashes is rolled back on the canary and the
 * rollout aborts with the others untouched, and a terminal killed goes offline. Waits are
 * Playwright's expects on what the page shows, never sleeps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startConsole, type FleetConsole } from '../fleet/http';
import { MOSQUITTO_BIN, startMosquitto, type RunningMosquitto } from '../fleet/mosquitto';
import { FleetServer } from '../fleet/server';
import { migrateStore, openSqliteStore } from '../fleet/store';
import { launchTerminal, publishRelease, releaseKeys, terminalTlsFiles, type LaunchedTerminal } from '../fleet/testing-update';

const hasMosquitto = fs.existsSync(MOSQUITTO_BIN);
const IDS = ['MQ-01', 'MQ-02', 'MQ-03'];
const GROUP = '鼓楼区 服务大厅';
const HEALTH_SECONDS = 2;

let dir: string;
let mosquitto: RunningMosquitto;
let server: FleetServer;
let fleetConsole: FleetConsole;
let keys: ReturnType<typeof releaseKeys>;
const terminals = new Map<string, LaunchedTerminal>();

test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);
test.skip(!hasMosquitto, `needs ${MOSQUITTO_BIN} (apt-get install mosquitto)`);

test.beforeAll(async () => {
  test.setTimeout(150_000);
  // mosquitto.conf cannot take a path with white space; os.tmpdir() has none here.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-e2e-mosquitto-'));
  fs.mkdirSync(path.join(dir, 'releases'));
  keys = releaseKeys(dir);
  mosquitto = await startMosquitto({ dir: path.join(dir, 'broker'), terminals: IDS.map((id) => ({ id, chain: null })) });
  const store = openSqliteStore(path.join(dir, 'fleet.sqlite'));
  await migrateStore(store);
  server = new FleetServer(store, undefined, { releasesDir: path.join(dir, 'releases'), releaseKeyPem: keys.publicPem });
  await server.connect(mosquitto.url, { ca: mosquitto.ca, ...mosquitto.credentials('fleet-server'), rejectUnauthorized: true });
  fleetConsole = await startConsole({ server });
  server.packageBaseUrl = fleetConsole.url;
  for (const id of IDS) {
    await server.register(id, { group: GROUP, withToken: false });
    const tls = terminalTlsFiles(dir, id, mosquitto);
    terminals.set(id, launchTerminal({ dir, id, releaseKeyFile: keys.publicFile, fleet: { url: mosquitto.url, tls } }));
  }
});

test.afterAll(async () => {
  for (const t of terminals.values()) await t.stop();
  await fleetConsole?.close();
  await server?.close();
  await mosquitto?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const call = (id: string, channel: string, input: unknown) => terminals.get(id)!.call(channel, input);

/** The one child process of `pid`, from /proc (no procps needed). */
function childOf(pid: number): number {
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/PID/stat is the parent; the name before it is in parentheses and may hold spaces.
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
  if (children.length !== 1) throw new Error(`expected one child of ${pid}, found ${children.join(', ') || 'none'}`);
  return children[0]!;
}

async function openConsole(page: Page) {
  await page.goto(`${fleetConsole.url}/#token=${fleetConsole.token}`);
  await expect(page.getByTestId('live')).toHaveAttribute('data-live', 'live');
}

async function startRollout(page: Page, version: string) {
  await page.getByTestId('ro-version').fill(version);
  await page.getByTestId('ro-group').selectOption(GROUP);
  await page.getByTestId('ro-canary').fill('33');
  await page.getByTestId('ro-growth').fill('2');
  await page.getByTestId('ro-fail').fill('50');
  await page.getByTestId('ro-min').fill('1');
  await page.getByTestId('ro-window').fill('120');
  await page.getByTestId('ro-start').click();
  await expect(page.getByTestId('ro-result')).toHaveText(`已开始发布 ${version}`);
  return page.locator(`[data-testid^="rollout-"][data-version="${version}"]`);
}

test('on mosquitto with client certificates: health, config, a rollout committed in waves of 1 and 2, a crashing version rolled back and aborted, a killed terminal offline', async ({
  page,
}) => {
  const logs = () => [...terminals.values()].map((t) => `--- ${t.id}\n${t.stderr().slice(-2000)}`).join('\n');
  page.on('pageerror', (e) => {
    throw e;
  });
  await openConsole(page);
  for (const id of IDS) {
    await expect(page.getByTestId(`state-${id}`), logs()).toHaveAttribute('data-state', 'online', { timeout: 90_000 });
    await expect(page.getByTestId(`version-${id}`)).toHaveText('1.0.0');
    await expect(page.getByTestId(`devices-${id}`)).toHaveText('正常', { timeout: 30_000 });
  }

  // A printer pulled out at MQ-01: the console says so within two health periods (plus the page's own refresh).
  await call('MQ-01', 'sim.device', { action: 'unplug', deviceId: 'printer' });
  await expect(page.getByTestId('devices-MQ-01')).toHaveText('打印机 断开', { timeout: 2 * HEALTH_SECONDS * 1000 + 3000 });
  await call('MQ-01', 'sim.device', { action: 'replug', deviceId: 'printer' });
  await expect(page.getByTestId('devices-MQ-01')).toHaveText('正常', { timeout: 2 * HEALTH_SECONDS * 1000 + 3000 });

  // A config edited for MQ-02 in the console: applied and reported.
  await page.getByTestId('open-MQ-02').click();
  await page.getByTestId('config-editor').fill(JSON.stringify({ terminal: { name: '鼓楼 2 号机' } }));
  await page.getByTestId('config-send').click();
  await expect(page.getByTestId('config-MQ-02')).toHaveText('v1 已应用', { timeout: 20_000 });
  await expect(page.getByTestId('config-reported')).toContainText('终端已应用 v1');
  await expect(page.getByTestId('config-reported')).toContainText('terminal.name');
  await page.getByTestId('detail-close').click();

  // A good version: the canary first (1 of 3), then the other 2; committed on each, and each terminal back as 1.1.0.
  await publishRelease(server, { dir, releasesDir: path.join(dir, 'releases'), privateKey: keys.privateKey, version: '1.1.0', behaviour: 'terminal' });
  const good = await startRollout(page, '1.1.0');
  await expect(good.locator('[data-testid^="ro-state-"]'), logs()).toHaveAttribute('data-state', '已完成', { timeout: 150_000 });
  await expect(good.locator('[data-testid^="ro-waves-"]')).toHaveText('1 → 2 台');
  for (const id of IDS) await expect(page.getByTestId(`version-${id}`)).toHaveText('1.1.0', { timeout: 30_000 });

  // A version that crashes at start: the canary's launcher rolls it back, the rollout aborts, the other two never get it.
  await publishRelease(server, { dir, releasesDir: path.join(dir, 'releases'), privateKey: keys.privateKey, version: '1.2.0', behaviour: 'crash' });
  const bad = await startRollout(page, '1.2.0');
  await expect(bad.locator('[data-testid^="ro-state-"]'), logs()).toHaveAttribute('data-state', '已中止', { timeout: 120_000 });
  await expect(bad.locator('[data-testid^="ro-waves-"]')).toHaveText('1 台');
  await expect(bad.locator('li[data-state="rolled-back"]')).toHaveCount(1);
  await expect(bad.locator('li[data-state="rolled-back"]')).toContainText('crashed on trial (exit code 3)');
  await expect(bad.locator('li[data-state="pending"]')).toHaveCount(2);
  for (const id of IDS) await expect(page.getByTestId(`version-${id}`)).toHaveText('1.1.0', { timeout: 30_000 });
  for (const t of terminals.values()) expect((t.slotState() as { current: string }).current).toBe('1.1.0');

  // MQ-03's terminal process killed without a goodbye (its launcher is left alone): offline within 90 s.
  const launcherPid = terminals.get('MQ-03')!.child.pid!;
  const terminalPid = childOf(launcherPid);
  process.kill(terminalPid, 'SIGKILL');
  await expect(page.getByTestId('state-MQ-03')).toHaveAttribute('data-state', 'offline', { timeout: 90_000 });
  for (const id of ['MQ-01', 'MQ-02']) await expect(page.getByTestId(`state-${id}`)).toHaveAttribute('data-state', 'online');
});
