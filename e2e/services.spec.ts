/**
 * Every catalogue service with the generic form, one test each: a named resident identifies with
 * her social-security card (or nobody, for the public look-ups), opens the service from the home
 * screen (its tile or its category), sends a wrong form first and reads the Chinese message,
 * then completes it, confirming with the card's PIN where the service needs it, and reads the
 * answer by name. Papers are parsed from the printer; applications are checked at the platform.
 * Every screen is scanned for code-shaped values (a 6-digit region code, an insurance type code,
 * 未知(…)): none may reach a resident.
 */
import type { Page } from '@playwright/test';
import { startPlatformSimulator, type PlatformSimulator } from '../fixtures/platform/server';
import { residentByName, type SeedPerson } from '../fixtures/people/residents';
import { makeIdNumber } from '../fixtures/people/id-number';
import { DECLARATIONS } from '../main/kiosk/catalogue/declarations';
import { expect, openService, openTerminal, startHost, test, type RunningHost } from './fixtures';

const wang = residentByName('王建国'); // 职工 退休, 南京
const zhang = residentByName('张德福'); // 职工 在职, 深圳
const liu = residentByName('刘佳怡'); // 城乡居民, 南京
const huang = residentByName('黄明轩'); // 城乡居民, 特困

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
test.setTimeout(60_000);

type Values = Record<string, string | boolean>;
interface Case {
  id: string;
  who: SeedPerson | null;
  /** A form main refuses, and the message the resident reads. */
  wrong?: { values: Values; message: string };
  values: Values;
  /** What the answer says (table, lines or message). */
  answer: (string | RegExp)[];
  state?: 'done' | 'refused';
  /** The first line of the paper, when the service prints. */
  paper?: string;
  /** What must have reached the platform. */
  platform?: () => void;
  /** What the platform must hold first (each test stands alone: a failed one restarts the worker with a fresh platform). */
  setup?: () => void;
}

/** A filing (备案) of `kind` for a person, as the platform holds it once filed at a counter. */
function ensureFiling2(psnNo: string, kind: '2501' | '2505', sn: string, data: Record<string, unknown>): void {
  if (sim.db.prepare('SELECT 1 FROM filing WHERE sn = ?').get(sn)) return;
  sim.db.prepare("INSERT INTO filing VALUES (?, ?, ?, ?, 'active', ?, 'e2eseedmsgid')").run(sn, psnNo, kind, JSON.stringify(data), new Date().toISOString());
}

/** 张德福's long-term 异地就医备案 to 北京, as the platform holds it once filed. */
function ensureFiling(): void {
  if (application(zhang.psnNo, '2401')) return;
  sim.db
    .prepare("INSERT INTO application VALUES ('SQ20260101999999', 'e2eseed0000000000000000000000', ?, '2401', ?, '3', '备案成功，可在就医地直接结算', ?)")
    .run(zhang.psnNo, JSON.stringify({ rloc_rea: '08', rloc_admdvs: '110000', begndate: today }), new Date().toISOString());
}

const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
const application = (psnNo: string, type: string) =>
  sim.db.prepare('SELECT data, appl_stas, stas_desc FROM application WHERE psn_no = ? AND appl_type = ? ORDER BY created_at DESC').get(psnNo, type) as
    { data: string; appl_stas: string; stas_desc: string } | undefined;

const CASES: Case[] = [
  { id: 'treatment-status', who: wang, values: {}, answer: ['职工基本医疗保险统筹基金', '可以享受'] },
  { id: 'inpatient', who: wang, values: {}, answer: ['当前没有在院记录'] },
  {
    id: 'visits',
    who: wang,
    wrong: { values: { from: '2026-06-01', to: '2026-01-01' }, message: '结束日期不能早于开始日期' },
    values: { from: daysAgo(300), to: today },
    answer: [/这段时间没有就诊记录|就诊日期/],
  },
  {
    id: 'account-detail',
    who: wang,
    wrong: { values: { year: '2099' }, message: '年度不是有效年份' },
    values: { year: today.slice(0, 4) },
    answer: ['划入', '单位缴费划入', '￥120.00'],
    paper: '个人账户收支明细',
  },
  { id: 'annual-statement', who: wang, values: {}, answer: [/该年度没有就诊记录|日期/] },
  { id: 'subsidy', who: huang, values: {}, answer: ['特困人员', '本人应缴', '￥0.00'] },
  {
    id: 'payment-proof',
    who: liu,
    wrong: { values: { from: '', to: '2026' }, message: '请填写起始年度' },
    values: { from: '2025', to: '2026' },
    answer: ['城乡居民基本医疗保险', '￥400.00'],
    paper: '医疗保险缴费证明',
  },
  { id: 'hospitals', who: null, values: { regn: '440300', lv: '1' }, answer: ['深圳市人民医院', '广东省深圳市', '三级'] },
  { id: 'pharmacies', who: null, values: { regn: '320102' }, answer: ['玄武大药房中山路店', '南京市玄武区'] },
  {
    id: 'drugs',
    who: null,
    wrong: { values: { keyword: '' }, message: '请填写药品名称' },
    values: { keyword: '阿托伐他汀' },
    answer: ['阿托伐他汀钙片', '乙类', '10%'],
    paper: '药品目录查询结果',
  },
  { id: 'lists', who: null, wrong: { values: {}, message: '请选择目录' }, values: { type: 'disease', keyword: '透析' }, answer: ['尿毒症透析', '门诊特殊病'] },
  {
    id: 'remote-filing',
    who: zhang,
    wrong: { values: { rea: '08', place: '110000', addr: '北京市朝阳区建国路1号', tel: '13800000001', agent: '0' }, message: '请阅读并勾选"个人承诺书"' },
    values: { rea: '08', place: '110000', addr: '北京市朝阳区建国路1号', tel: '13800000001', agent: '0', commit: true },
    answer: [/异地就医备案已提交，受理号 SQ\d+/],
    paper: '异地就医备案回执',
    platform: () => expect(JSON.parse(application(zhang.psnNo, '2401')!.data)).toMatchObject({ rloc_rea: '08', rloc_admdvs: '110000', psn_cmtm_flag: '1' }),
  },
  { id: 'remote-filings', who: zhang, setup: ensureFiling, values: {}, answer: ['常驻异地工作人员', '北京市', '已办结'] },
  {
    id: 'remote-cancel',
    who: zhang,
    setup: ensureFiling,
    wrong: { values: { sn: '' }, message: '请填写备案号' },
    values: { memo: '计划有变' },
    state: 'refused',
    answer: [/长期备案办理后 180 天内不能变更或撤销/],
  },
  { id: 'progress', who: zhang, setup: ensureFiling, values: {}, answer: ['异地就医备案', '已办结', '备案成功，可在就医地直接结算'] },
  {
    id: 'registration',
    who: liu,
    wrong: {
      values: { certno: '320102201003071', name: '王小宝', place: '320100', addr: '南京市', tel: '13800000003' },
      message: '被登记人身份证号不是有效的 18 位身份证号码',
    },
    values: { certno: makeIdNumber('320102', '20100307', '124'), name: '王小宝', place: '320100', addr: '南京市玄武区', tel: '13800000003' },
    answer: [/参保登记成功（受理号 SQ\d+），请在缴费期内缴纳城乡居民医保费/],
    paper: '城乡居民参保登记回执',
  },
  {
    id: 'newborn',
    who: liu,
    wrong: { values: { name: '刘小宝', gender: '2', born: '2099-01-01', cert: 'Q320012345', rel: '50', tel: '13800000003' }, message: '出生日期不能晚于今天' },
    values: { name: '刘小宝', gender: '2', born: daysAgo(20), cert: 'Q320012345', rel: '50', tel: '13800000003' },
    answer: [/新生儿参保登记已提交/],
    platform: () => expect(application(liu.psnNo, '2102')!.stas_desc).toBe('参保成功，自出生之日起享受待遇'),
  },
  { id: 'flexible', who: liu, values: { addr: '南京市鼓楼区', tel: '13800000003' }, answer: [/灵活就业人员参保登记已提交/] },
  {
    id: 'info-change',
    who: zhang,
    wrong: { values: {}, message: '请至少填写一项要变更的内容' },
    values: { tel: '13800000009' },
    answer: ['参保信息已变更'],
    platform: () => expect(sim.db.prepare('SELECT phone FROM person WHERE psn_no = ?').get(zhang.psnNo)).toEqual({ phone: '13800000009' }),
  },
  {
    id: 'dual-channel',
    who: zhang,
    values: { drug: '奥希替尼', hospital: '深圳市人民医院', diag: '肺癌', tel: '13800000001' },
    answer: [/双通道药品备案已提交/],
  },
  {
    id: 'injury',
    who: zhang,
    wrong: {
      values: { hospital: '深圳市人民医院', when: '2099-01-01', where: '家中', how: '摔倒', third: '0', tel: '13800000001', agent: '0' },
      message: '受伤日期不能晚于今天',
    },
    values: { hospital: '深圳市人民医院', when: daysAgo(3), where: '家中', how: '在家中摔倒，右腕骨折', third: '0', tel: '13800000001', agent: '0' },
    answer: [/意外伤害备案已提交/],
  },
  {
    id: 'reimburse',
    who: wang,
    wrong: {
      values: { rea: '01', hospital: '北京协和医院', date: daysAgo(30), amount: '一千元', bank: '6222020200112233445', tel: '13800000004' },
      message: '医疗费用总额（元）应为金额（元），如 128.50',
    },
    values: { rea: '01', hospital: '北京协和医院', date: daysAgo(30), amount: '1234.5', bank: '6222020200112233445', tel: '13800000004' },
    answer: [/零星报销申请已提交/],
    paper: '零星报销申请回执',
    // The resident typed yuan; main kept fen (123450) and the wire carries yuan again.
    platform: () => expect(JSON.parse(application(wang.psnNo, '2601')!.data).medfee_sumamt).toBe(1234.5),
  },
  {
    id: 'transfer-relation',
    who: zhang,
    values: { to: '110000', tel: '13800000001' },
    answer: [/医保关系转移接续申请已提交/],
    paper: '医保关系转移接续申请回执',
  },
  {
    id: 'maternity',
    who: liu,
    values: { kind: '2', date: daysAgo(10), hospital: '南京市妇幼保健院', spouse: '0', tel: '13800000003' },
    answer: [/生育医疗费申领已提交/],
    platform: () => expect(application(liu.psnNo, '2603')!.stas_desc).toBe('已受理，核定生育医疗费补助 750.00 元'),
  },
  { id: 'assistance', who: huang, values: { why: '患病后无收入，医疗费用负担重', tel: '13800000005' }, answer: [/医疗救助申请已提交/] },
  { id: 'long-term-care', who: wang, values: { lv: '3', addr: '南京市玄武区', tel: '13800000004', agent: '0' }, answer: [/长期护理保险申请已提交/] },
  {
    id: 'report-fraud',
    who: liu,
    wrong: { values: { target: '某药店', content: '用医保卡刷生活用品', anonymous: '1' }, message: '请选择举报类别' },
    values: { type: '2', target: '某药店', content: '该药店用医保卡刷生活用品，多次看到', anonymous: '1' },
    answer: [/举报已提交/],
  },
  { id: 'chronic-filings', who: wang, values: {}, answer: ['高血压'], paper: '门诊慢特病备案记录' },
  {
    id: 'designated-filings',
    who: zhang,
    setup: () =>
      ensureFiling2(zhang.psnNo, '2505', 'DD20260101999998', {
        fix_srt_no: '1',
        fixmedins_code: 'H44030500021',
        fixmedins_name: '南山区蛇口社康中心',
        begndate: '2026-01-01',
      }),
    values: {},
    answer: ['南山区蛇口社康中心'],
  },
  {
    id: 'transfer-filings',
    who: zhang,
    setup: () =>
      ensureFiling2(zhang.psnNo, '2501', 'ZY20260101999997', {
        diag_name: '肺恶性肿瘤',
        reflin_medins_no: 'H11000000001',
        reflin_medins_name: '北京协和医院',
        mdtrtarea_admdvs: '110000',
        refl_date: daysAgo(12),
        begndate: daysAgo(10),
        enddate: null,
      }),
    wrong: { values: { from: today, to: daysAgo(30) }, message: '结束日期不能早于开始日期' },
    values: { from: daysAgo(30), to: today },
    answer: ['北京协和医院', '北京市', '有效'],
  },
  {
    id: 'mutual-aid',
    who: wang,
    wrong: { values: { action: '1', certno: liu.idNumber, name: liu.name, rel: '20' }, message: '请阅读并勾选"我已知晓"' },
    values: { action: '1', certno: liu.idNumber, name: liu.name, rel: '20', commit: true },
    answer: [/办理成功，即时生效（受理号 SQ\d+）/],
    paper: '家庭共济绑定/解绑回执',
    platform: () =>
      expect(sim.db.prepare('SELECT relation, enddate FROM mulaid_link WHERE owner = ? AND member = ?').all(wang.psnNo, liu.psnNo)).toEqual([
        { relation: '20', enddate: null },
      ]),
  },
  {
    id: 'mutual-aid-members',
    who: wang,
    setup: () => {
      if (!sim.db.prepare('SELECT 1 FROM mulaid_link WHERE owner = ? AND member = ? AND enddate IS NULL').get(wang.psnNo, liu.psnNo))
        sim.db.prepare("INSERT INTO mulaid_link VALUES (?, ?, '20', ?, NULL, 'SQ20260101999996')").run(wang.psnNo, liu.psnNo, today);
    },
    values: {},
    answer: [`${liu.name.slice(0, 1)}*${liu.name.slice(-1)}`, '子', '有效'],
  },
  {
    id: 'mutual-aid-payments',
    who: wang,
    setup: () => {
      // His granddaughter's purchase at a pharmacy, her share paid from his account, as the platform keeps it.
      const gd = wang.mutualAid![0]!.psnNo;
      if (sim.db.prepare("SELECT 1 FROM settlement WHERE setl_id = 'E2EMULAID0001'").get()) return;
      sim.db
        .prepare(
          "INSERT INTO settlement VALUES ('E2EMULAID0001', 'e2emsgid', '2102', ?, 'E2EMDTRT0001', 'P44030500001', '390', '41', '41', 'settled', '0', NULL, ?, ?, '{}', '{}', ?, '[]')",
        )
        .run(gd, `${today} 10:00:00`, today.slice(0, 4), JSON.stringify([{ psn_no: wang.psnNo, amount: 1352 }]));
    },
    values: {},
    answer: ['郑*霞', '￥13.52', '已支付'],
  },
  { id: 'activate-ec', who: huang, values: { tel: '13800000005' }, answer: ['医保码已激活'] },
  {
    id: 'family-premium',
    who: wang,
    wrong: { values: { certno: liu.idNumber, name: liu.name, rel: '20', year: '2027', amount: '400' }, message: '请阅读并勾选"我已知晓"' },
    values: { certno: liu.idNumber, name: liu.name, rel: '20', year: '2027', amount: '400', commit: true },
    answer: [/代缴成功（受理号 SQ\d+）/],
    paper: '个人账户代缴回执',
    platform: () =>
      expect(sim.db.prepare("SELECT amount, channel FROM contribution WHERE psn_no = ? AND year = '2027'").all(liu.psnNo)).toEqual([
        { amount: 40_000, channel: 'family-account' },
      ]),
  },
];

/** Visible text that looks like a code instead of a name. */
async function codesOnScreen(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  return [...text.matchAll(/未知\([^)]*\)|(?<![\d\w-])(\d{6}|310|390|340)(?![\d\w-])|(?<=^|\s)0[1-9](?=\s|$)/gm)].map((m) => m[0]);
}

async function identify(page: Page, p: SeedPerson) {
  // The reader must see the last card go before the next one counts as new (it polls): take it out,
  // end whatever session is left, and only then insert.
  await host.call('sim.device', { action: 'remove-ss-card' });
  await host.call('session.end', { reason: 'logout' });
  await expect.poll(async () => (await host.call<{ session: unknown }>('session.get', {})).session).toBeNull();
  await host.call('sim.device', {
    action: 'insert-ss-card',
    card: { cardSn: p.ssCard.cardSn, cardNumber: p.ssCard.cardNumber, idNumber: p.idNumber, name: p.name, gender: p.gender, pin: p.ssCard.pin },
  });
  await expect(page.getByTestId('greeting')).toBeVisible();
}

async function fill(page: Page, values: Values) {
  for (const [key, v] of Object.entries(values)) {
    const field = page.locator(`#f-${key}`);
    const tag = await field.evaluate((e) => e.tagName.toLowerCase());
    if (typeof v === 'boolean') await field.setChecked(v);
    else if (tag === 'select') await field.selectOption(v);
    else await field.fill(v);
  }
}

test('the home screen lists what the catalogue declares for the person: a 城乡居民 sees 资助参保, not the personal account statement', async ({ page }) => {
  await openTerminal(page, host);
  await identify(page, liu);
  await page.getByTestId('category-query').click();
  await expect(page.getByTestId('tile-subsidy')).toBeVisible();
  await expect(page.getByTestId('tile-account-detail')).toHaveCount(0);
  const shown = await page.locator('nav.services .tile').count();
  const declared = DECLARATIONS.filter((d) => d.category === 'query' && (!d.audience?.insutypes || d.audience.insutypes.includes('390'))).length;
  expect(shown).toBe(declared);
  await page.getByRole('button', { name: '返回' }).click();
  await page.getByTestId('category-search').click();
  await page.getByTestId('service-search').fill('备案');
  await expect(page.locator('nav.services .tile')).toHaveText(
    DECLARATIONS.filter((d) => d.name.includes('备案') && (!d.audience?.insutypes || d.audience.insutypes.includes('390'))).map(() => /备案/),
  );
  await page.getByRole('button', { name: '返回' }).click();
  await host.call('sim.device', { action: 'remove-ss-card' });
  await expect(page.getByTestId('attract')).toBeVisible();
});

test('a service a region declares in its config file appears in the list and works, with nothing else changed', async ({ page }) => {
  const tierOne = {
    id: 'tier-one-hospitals',
    row: 20,
    name: '三级定点医院一览',
    en: 'Tier-one hospitals',
    category: 'query',
    identity: 'public',
    prompt: '本地可以跨省直接结算的三级定点医院',
    tx: { infno: 'X1901', input: { data: { medins_lv: '1' } } },
    result: {
      kind: 'table',
      list: 'medins',
      empty: '没有',
      columns: [
        { key: 'medins_name', label: '名称' },
        { key: 'regn_code', label: '地区', dict: 'admdvs' },
      ],
    },
    rank: 0,
  };
  const regional = await startHost({ platform: { kind: 'remote', url: sim.url }, kiosk: { services: [tierOne] } });
  try {
    await openTerminal(page, regional);
    await page.getByTestId('attract').getByRole('button').click();
    await page.getByTestId('public-services').click();
    // Declared with rank 0: first in the list.
    await expect(page.locator('nav.services .tile').first()).toHaveText('三级定点医院一览');
    await page.getByTestId('tile-tier-one-hospitals').click();
    await page.locator('.service-form button[type=submit]').click();
    const result = page.getByTestId('service-result');
    await expect(result).toHaveAttribute('data-state', 'done');
    await expect(result.locator('tbody tr')).toHaveCount(3);
    await expect(result).toContainText('北京协和医院');
    await expect(result).toContainText('广东省深圳市');
  } finally {
    await regional.stop();
  }
  // The terminal without the declaration does not list it.
  await openTerminal(page, host);
  await page.getByTestId('attract').getByRole('button').click();
  await page.getByTestId('public-services').click();
  await expect(page.getByTestId('tile-hospitals')).toBeVisible();
  await expect(page.getByTestId('tile-tier-one-hospitals')).toHaveCount(0);
});

for (const c of CASES) {
  const decl = DECLARATIONS.find((d) => d.id === c.id)!;
  test(`${decl.name} (${c.id}, row ${decl.row}): ${c.who ? c.who.name : 'without signing in'}`, async ({ page }) => {
    c.setup?.();
    await openTerminal(page, host);
    if (c.who) await identify(page, c.who);
    else {
      await page.getByTestId('attract').getByRole('button').click();
      await page.getByTestId('public-services').click();
    }
    const printedBefore = (await host.call<{ receipts: unknown[] }>('sim.printed', {})).receipts.length;
    await openService(page, c.id);
    await expect(page.getByTestId(`service-${c.id}`).getByRole('heading')).toHaveText(decl.name);
    if (c.id === 'remote-cancel')
      c.values.sn = (sim.db.prepare("SELECT appl_sn FROM application WHERE psn_no = ? AND appl_type = '2401'").get(zhang.psnNo) as { appl_sn: string }).appl_sn;
    if (c.wrong) {
      await fill(page, c.wrong.values);
      await page.locator('.service-form button[type=submit]').click();
      await expect(page.getByTestId('form-error')).toHaveText(c.wrong.message);
    }
    await fill(page, c.values);
    await page.locator('.service-form button[type=submit]').click();
    if (decl.identity === 'verified') {
      // Main asks for proof it is the card holder: the PIN pad comes up, then the form goes again.
      await expect(page.getByTestId('pin-pad')).toBeVisible();
      for (const d of c.who!.ssCard.pin) await page.getByRole('button', { name: d, exact: true }).click();
    }
    const result = page.getByTestId('service-result');
    await expect(result).toHaveAttribute('data-state', c.state ?? 'done');
    for (const a of c.answer) await expect(result).toContainText(a);
    expect(await codesOnScreen(page)).toEqual([]);
    c.platform?.();
    if (c.paper) {
      await page.getByRole('button', { name: '打印' }).click();
      await expect(page.getByTestId('print-state')).toHaveAttribute('data-state', 'done');
      const receipts = (await host.call<{ receipts: { lines: string[] }[] }>('sim.printed', {})).receipts;
      expect(receipts.length).toBe(printedBefore + 1);
      const paper = receipts.at(-1)!.lines;
      expect(paper[0]).toBe(c.paper);
      expect(paper.join('\n')).toMatch(/打印时间 +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）/);
      if (c.who) expect(paper.join('\n')).not.toContain(c.who.idNumber);
    }
    if (c.who) {
      await host.call('sim.device', { action: 'remove-ss-card' });
      await expect(page.getByTestId('attract')).toBeVisible();
    }
  });
}
