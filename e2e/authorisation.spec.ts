/**
 * 个人信息授权 end to end (issue 17, part 1): 王建国 identifies with his social-security card,
 * authorises an insurer to read his 参保信息 and pharmacy settlements twice in all, reads the
 * agreement (spoken and captioned in elderly mode) and confirms with his card's PIN. The insurer
 * then queries the platform simulator's third-party interface: inside the limit it gets the
 * records watermarked with its name, the time and a trace id; past the limit it is refused; after
 * he revokes on the kiosk it is refused at once. His usage log on the kiosk shows both the allowed
 * and the refused queries. Every screen is watched for code-shaped text.
 */
import { startPlatformSimulator, type PlatformSimulator } from '../fixtures/platform/server';
import { residentByName } from '../fixtures/people/residents';
import { AUTHORISATION_QUERY_PATH } from '../fixtures/platform/authorisation/query';
import { THIRD_PARTIES } from '../fixtures/platform/authorisation/third-parties';
import { expect, openService, openTerminal, startHost, test, type RunningHost } from './fixtures';

const wang = residentByName('王建国');
const LIFE = THIRD_PARTIES.find((t) => t.code === 'INS000101')!;

let sim: PlatformSimulator;
let host: RunningHost & { stop(): Promise<void> };

test.beforeAll(async () => {
  sim = await startPlatformSimulator();
  host = await startHost({ platform: { kind: 'remote', url: sim.url }, ui: { idleTimeoutSeconds: 120 } });
});
test.afterAll(async () => {
  await host?.stop();
  await sim?.close();
});
test.setTimeout(120_000);

interface Answer {
  ok: boolean;
  trace_id: string;
  error?: { code: string; message: string };
  document?: { watermark: string; items: Record<string, unknown> };
  watermark?: { grantee_name: string; time: string; trace_id: string; text: string };
}

/** The insurer asks the authorisation platform for his records, as its own system would. */
async function insurerAsks(sn: string): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${sim.url}${AUTHORISATION_QUERY_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LIFE.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ auth_sn: sn, certno: wang.idNumber, items: ['insu', 'setl'], med_types: ['41'] }),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

test('王建国 authorises an insurer twice in all; its queries are answered with a watermark, refused past the limit and after he revokes; his usage log shows both', async ({
  page,
}) => {
  await openTerminal(page, host);
  await host.call('sim.device', {
    action: 'insert-ss-card',
    card: {
      cardSn: wang.ssCard.cardSn,
      cardNumber: wang.ssCard.cardNumber,
      idNumber: wang.idNumber,
      name: wang.name,
      gender: wang.gender,
      pin: wang.ssCard.pin,
    },
  });
  await expect(page.getByTestId('greeting')).toHaveText('王*国，您好');
  await openService(page, 'auth');
  await expect(page.getByTestId('service-auth')).toBeVisible();
  await expect(page.getByText('暂无授权')).toBeVisible();

  await page.getByRole('button', { name: '新增授权' }).click();
  const form = page.getByTestId('auth-form');
  await form.getByRole('radio', { name: LIFE.name }).check();
  await form.getByRole('radio', { name: '商业健康保险理赔' }).check();
  await form.getByRole('checkbox', { name: '参保信息' }).check();
  await form.getByRole('checkbox', { name: '就诊结算记录' }).check();
  // Level 4 is never offered, only named as what never leaves.
  await expect(form.getByRole('checkbox', { name: '证件照片' })).toHaveCount(0);
  await expect(form).toContainText('人脸等生物识别信息、证件照片、精神疾病、艾滋病等特殊诊断属敏感4级信息');
  // A level-3 item asks for medical types and a frequency limit, and allows at most 90 days.
  await expect(form.getByRole('radio', { name: '365 天' })).toHaveCount(0);
  const next = page.getByRole('button', { name: '下一步：阅读授权协议' });
  await form.getByRole('radio', { name: '90 天' }).check();
  await expect(next).toBeDisabled();
  await form.getByRole('checkbox', { name: '定点药店购药' }).check();
  await expect(next).toBeDisabled();
  await form.getByLabel('累计最多').selectOption({ label: '2 次' });
  await expect(next).toBeEnabled();

  // The agreement, spoken (and captioned) in elderly mode.
  await page.getByRole('button', { name: '长辈模式' }).click();
  await next.click();
  const agreement = page.getByTestId('auth-agreement');
  await expect(agreement.getByRole('heading', { name: '医保个人信息授权查询和使用协议' })).toBeVisible();
  await expect(agreement).toContainText('协议版本 2026.1');
  await expect(page.getByTestId('caption')).toContainText('医保个人信息授权查询和使用协议');
  await expect(page.getByTestId('caption')).toContainText('第三方只能在您授权的范围内查询1至3级信息');
  await expect(page.getByTestId('auth-summary')).toContainText('查询次数：共 2 次');
  // The preview: what the insurer would see, by field and level, and how much of it there is now.
  await expect(page.getByTestId('auth-preview').locator('li').first()).toHaveText('参保信息（敏感1级）：险种、参保状态、参保地、参保日期，您目前有 1 条');
  await page.getByRole('button', { name: '标准模式' }).click();
  const confirm = page.getByRole('button', { name: '输入社保卡密码确认授权' });
  await expect(confirm).toBeDisabled();
  await page.getByRole('checkbox', { name: '我已阅读并同意以上协议' }).check();
  await confirm.click();
  await expect(page.getByTestId('pin-pad')).toBeVisible();
  for (const d of wang.ssCard.pin) await page.getByRole('button', { name: d, exact: true }).click();
  // Main waits up to 20 s for the platform's answer to the record (settleNow): the screen may take that long.
  await expect(page.getByTestId('auth-result')).toHaveText('授权成功', { timeout: 45_000 });
  const item = page.getByTestId('auth-item').filter({ hasText: LIFE.name });
  await expect(item).toHaveAttribute('data-state', 'active');
  await expect(item).toContainText('参保信息、就诊结算记录');
  await expect(item).toContainText('查询次数：共 2 次');
  await expect(item).toContainText('定点药店购药');

  const { auth_sn: sn } = sim.db.prepare("SELECT auth_sn FROM auth_grant WHERE psn_no = ? AND state = 'active'").get(wang.psnNo) as { auth_sn: string };

  // Inside the limit: answered, watermarked with the insurer, the time and a trace id.
  const first = await insurerAsks(sn);
  expect(first.status).toBe(200);
  expect(first.body.watermark).toMatchObject({
    grantee_name: LIFE.name,
    trace_id: first.body.trace_id,
    time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  });
  expect(first.body.document!.watermark).toBe(`${LIFE.name} ${first.body.watermark!.time} ${first.body.trace_id} 仅限授权用途使用，不得提供给他人`);
  expect(Object.keys(first.body.document!.items)).toEqual(['insu', 'setl']);
  expect((await insurerAsks(sn)).status).toBe(200);
  // Past the limit: refused.
  expect(await insurerAsks(sn)).toMatchObject({
    status: 429,
    body: { ok: false, error: { code: 'AUTH_FREQUENCY_EXCEEDED', message: '已达到授权的累计查询次数（共 2 次）' } },
  });

  // He revokes with one tap; the very next query is refused.
  await page.getByRole('button', { name: `撤销授权 ${LIFE.name}` }).click();
  await expect(page.getByTestId('auth-result')).toHaveText('已撤销授权');
  await expect(item).toHaveAttribute('data-state', 'revoked');
  expect(await insurerAsks(sn)).toMatchObject({ status: 403, body: { ok: false, error: { code: 'AUTH_REVOKED', message: '参保人已撤销该授权' } } });

  // His usage log: the two answered queries and the two refused ones.
  await item.getByRole('button', { name: `使用记录 ${LIFE.name}` }).click();
  const usage = item.getByTestId('auth-usage');
  await expect(usage.locator('li')).toHaveCount(4);
  await expect(usage.locator('li[data-allowed="true"]')).toHaveCount(2);
  await expect(usage.locator('li[data-allowed="false"]')).toHaveCount(2);
  await expect(usage).toContainText('被拒绝：已达到授权的累计查询次数（共 2 次）');
  await expect(usage).toContainText('被拒绝：参保人已撤销该授权');
  await expect(usage.locator('li[data-allowed="true"]').last()).toContainText(
    `查询成功 · 参保信息、就诊结算记录（定点药店购药） · 追踪号 ${first.body.trace_id}`,
  );
  await expect(item).toContainText('已查询 2 次');

  await host.call('sim.device', { action: 'remove-ss-card' });
  await expect(page.getByTestId('attract')).toBeVisible();
});
