/**
 * Shared face enrolment across a pharmacy chain, as it runs in the field (issue 19's acceptance):
 * Debian's mosquitto with TLS client certificates and the fleet's ACL, the FleetServer and its
 * console in this process, one platform simulator on 127.0.0.1, and three counter terminals, each
 * its own process (`estation launch … start`, face engine on, ONNX models): FS-A and FS-B of chain
 * YF (益丰大药房), FS-C of chain LB. Everything a person does goes through the counter screen in
 * Chromium, whose fake camera plays LFW photos of one man turning his head:
 * the customer turns on face payment at A (the consent names the chain), pays by face at B, is not
 * recognised at C, withdraws his consent at B, and is no longer recognised at A; the console shows
 * each terminal of YF storing, then deleting, the sealed entry. Waits are on what pages show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { startConsole, type FleetConsole } from '../fleet/http';
import { MOSQUITTO_BIN, startMosquitto, type RunningMosquitto } from '../fleet/mosquitto';
import { FleetServer } from '../fleet/server';
import { migrateStore, openSqliteStore } from '../fleet/store';
import { launchTerminal, releaseKeys, terminalTlsFiles, type LaunchedTerminal } from '../fleet/testing-update';
import { startPlatformSimulator, type PlatformSimulator } from '../fixtures/platform/server';
import { CATALOGUE } from '../fixtures/platform/catalogue';
import { RESIDENTS } from '../fixtures/people/residents';
import { facesAvailable, lfwImage } from '../fixtures/faces';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { CLIPS } from './global-setup';
import { openShift } from './fixtures';

const hasMosquitto = fs.existsSync(MOSQUITTO_BIN);
const TERMINALS = [
  { id: 'FS-A', chain: 'YF' },
  { id: 'FS-B', chain: 'YF' },
  { id: 'FS-C', chain: 'LB' },
] as const;
const CHAIN_NAMES: Record<string, string> = { YF: '益丰大药房', LB: '老百姓大药房' };
/** A drug without prescription or limited scope: the sale needs nothing but the customer. */
const OTC = CATALOGUE.findIndex((d) => !d.prescription && d.lmtUsedScp === null);
const customer = RESIDENTS[6]!;
const factor = customer.phone.slice(-4);

let dir: string;
let mosquitto: RunningMosquitto;
let server: FleetServer;
let fleetConsole: FleetConsole;
let sim: PlatformSimulator;
const terminals = new Map<string, LaunchedTerminal>();
const browsers: Browser[] = [];

test.describe.configure({ mode: 'serial' });
test.setTimeout(420_000);
test.skip(!hasMosquitto, `needs ${MOSQUITTO_BIN} (apt-get install mosquitto)`);
test.skip(!facesAvailable, 'needs ../shared/faces to make the camera clips');

test.beforeAll(async () => {
  test.setTimeout(150_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-e2e-chainfaces-'));
  sim = await startPlatformSimulator();
  // The platform's picture of the customer, which an enrolment must match (a photo in no clip).
  sim.faces.set(customer.idNumber, lfwImage('David_Beckham', 9));
  mosquitto = await startMosquitto({ dir: path.join(dir, 'broker'), terminals: TERMINALS.map((t) => ({ id: t.id, chain: t.chain })) });
  const store = openSqliteStore(path.join(dir, 'fleet.sqlite'));
  await migrateStore(store);
  server = new FleetServer(store);
  await server.connect(mosquitto.url, { ca: mosquitto.ca, ...mosquitto.credentials('fleet-server'), rejectUnauthorized: true });
  fleetConsole = await startConsole({ server });
  const keys = releaseKeys(dir);
  // Each chain's key, the same file on its terminals; the fleet server never has it.
  const chainKeys: Record<string, string> = {};
  for (const chain of ['YF', 'LB']) {
    chainKeys[chain] = path.join(dir, `${chain}.key`);
    fs.writeFileSync(chainKeys[chain], randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  }
  for (const { id, chain } of TERMINALS) {
    await server.register(id, { group: CHAIN_NAMES[chain]!, chain, withToken: false });
    const tls = terminalTlsFiles(dir, id, mosquitto);
    terminals.set(
      id,
      launchTerminal({
        dir,
        id,
        releaseKeyFile: keys.publicFile,
        fleet: { url: mosquitto.url, tls, chain, chainKeyFile: chainKeys[chain], chainName: CHAIN_NAMES[chain] },
        config: {
          face: { enabled: true, challenge: { kinds: ['turn-left'] } },
          platform: { kind: 'remote', url: sim.url, healthIntervalMs: 60_000 },
        },
      }),
    );
  }
});

test.afterAll(async () => {
  for (const b of browsers.splice(0)) await b.close();
  for (const t of terminals.values()) await t.stop();
  await fleetConsole?.close();
  await server?.close();
  await mosquitto?.stop();
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const logs = () => [...terminals.values()].map((t) => `--- ${t.id}\n${t.stderr().slice(-3000)}`).join('\n');

const call = (id: string, channel: string, input: unknown) => terminals.get(id)!.call(channel, input);

const insertIdCard = (id: string) =>
  call(id, 'sim.device', {
    action: 'insert-id-card',
    card: { name: customer.name, idNumber: customer.idNumber, gender: customer.gender, birthDate: customer.birthDate },
  });
const removeIdCard = (id: string) => call(id, 'sim.device', { action: 'remove-id-card' });
const scanDrug = (id: string) => call(id, 'sim.device', { action: 'scan', code: CATALOGUE[OTC]!.barcode, aim: ']E0' });

/**
 * The counter screen of a terminal at 1280×800, in a browser of its own whose camera plays `clip`
 * (Chromium's fake camera; each clip's frames carry their own noise, so no terminal sees a replay).
 */
async function counter(id: string, clip: string, opts = { openShift: true }): Promise<Page> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
  });
  browsers.push(browser);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(terminals.get(id)!.launchUrl());
  await expect(page.getByTestId('checkout')).toBeVisible();
  if (!opts.openShift) return page;
  await openShift(page, `收银员${id.slice(-1)}`);
  return page;
}

/** Starts a face payment for one OTC drug; the caller waits for the outcome it expects. */
async function startFacePayment(page: Page, id: string): Promise<void> {
  await scanDrug(id);
  await expect(page.getByTestId('basket').locator('tbody tr')).toHaveCount(1);
  await page.getByRole('textbox', { name: '手机号后四位' }).fill(factor);
  await page.getByRole('button', { name: '刷脸支付' }).click();
  await expect(page.getByTestId('face-capture')).toBeVisible();
}

async function openConsole(page: Page) {
  await page.goto(`${fleetConsole.url}/#token=${fleetConsole.token}`);
  await expect(page.getByTestId('live')).toHaveAttribute('data-live', 'live');
}

test('enrolled at A, the customer pays by face at B of the same chain and not at C of another; withdrawn at B, his face is gone from A and B', async ({
  page: consolePage,
}) => {
  await openConsole(consolePage);
  for (const { id } of TERMINALS) await expect(consolePage.getByTestId(`state-${id}`), logs()).toHaveAttribute('data-state', 'online', { timeout: 120_000 });

  // At A: the customer shows his ID card and turns on face payment; the consent names the chain.
  const a = await counter('FS-A', CLIPS.enrol);
  await insertIdCard('FS-A');
  await expect(a.getByTestId('customer')).toBeVisible();
  await a.getByRole('button', { name: '开通刷脸支付' }).click();
  await expect(a.getByTestId('counter-consent')).toContainText('在益丰大药房各门店的医保终端之间共享');
  await a.getByTestId('counter-consent').getByRole('textbox').fill(factor);
  await a.getByRole('button', { name: '同意并开通' }).click();
  await expect(a.getByTestId('face-enrolled'), logs()).toBeVisible({ timeout: 90_000 });
  await removeIdCard('FS-A');
  await expect(a.getByTestId('customer')).toHaveCount(0);

  // The console: one sealed entry of YF, stored by A and by B; no entry for LB.
  const entry = consolePage.getByTestId('faces-YF').locator('[data-deleted]');
  await expect(entry).toHaveCount(1, { timeout: 30_000 });
  await expect(entry).toHaveAttribute('data-deleted', 'false');
  await expect(entry, logs()).toContainText('FS-A：已保存；FS-B：已保存', { timeout: 30_000 });
  await expect(consolePage.getByTestId('faces-LB')).toHaveCount(0);
  await expect(consolePage.getByTestId('chain-faces')).not.toContainText(customer.name);
  await expect(consolePage.getByTestId('chain-faces')).not.toContainText(customer.idNumber);

  // At B: he pays by face, no card; the sale settles with the platform and a receipt prints.
  const b = await counter('FS-B', CLIPS.login);
  await startFacePayment(b, 'FS-B');
  await expect(b.getByTestId('customer'), logs()).toContainText('刷脸', { timeout: 90_000 });
  await b.getByRole('button', { name: '预结算' }).click();
  await expect(b.getByTestId('quote')).toBeVisible();
  await b.getByRole('button', { name: '确认收款' }).click();
  await expect(b.getByTestId('sale')).toHaveAttribute('data-state', 'settled');
  await b.getByRole('button', { name: '下一位顾客' }).click();

  // At C, of chain LB: nothing of YF's reached it, so he is not recognised and nothing is charged.
  const c = await counter('FS-C', CLIPS.turnLeft);
  await startFacePayment(c, 'FS-C');
  await expect(c.getByTestId('checkout-error'), logs()).toContainText('未能识别', { timeout: 90_000 });
  await expect(c.getByTestId('customer')).toHaveCount(0);

  // Back at B with his ID card, he turns face payment off; the screen says the chain's shops delete it too.
  await insertIdCard('FS-B');
  await expect(b.getByTestId('customer')).toBeVisible();
  await b.getByTestId('face-withdraw').click();
  await expect(b.getByTestId('face-withdraw-confirm')).toContainText('益丰大药房各门店将一并删除');
  await b.getByRole('button', { name: '确定删除' }).click();
  await expect(b.getByTestId('face-withdrawn')).toBeVisible();
  await removeIdCard('FS-B');

  // The console: the entry withdrawn, and both terminals of YF confirm the deletion.
  await expect(entry).toHaveAttribute('data-deleted', 'true', { timeout: 30_000 });
  await expect(entry, logs()).toContainText('FS-A：已删除；FS-B：已删除', { timeout: 30_000 });

  // At A, where he enrolled, his face no longer pays (a clip A has not seen: no replay, a plain miss).
  await a.close();
  const a2 = await counter('FS-A', CLIPS.turnLeft, { openShift: false });
  await startFacePayment(a2, 'FS-A');
  await expect(a2.getByTestId('checkout-error'), logs()).toContainText('未能识别', { timeout: 90_000 });
});
