/**
 * 个人信息授权 through the bridge of a real kiosk app (SQLite, outbox, simulated card readers) and
 * the embedded platform simulator over HTTP on 127.0.0.1: main refuses without a fresh
 * verification and before using one up on a wrong form; eight concurrent submits of one ticket
 * make one authorisation, recorded with the agreement's version and hash; an insurer's queries
 * reach the person's usage log, allowed and refused; revocation takes effect at once; a father
 * authorises for his daughter under 14; the printed copy passes `estation verify` and the same
 * paper with one digit changed does not.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentByName, type SeedPerson } from '../../../fixtures/people/residents';
import { THIRD_PARTIES } from '../../../fixtures/platform/authorisation/third-parties';
import { AUTHORISATION_QUERY_PATH } from '../../../fixtures/platform/authorisation/query';
import { waitUntil } from '../../ground/wait';
import { parseConfig } from '../../app/config';
import { createApp, type App } from '../../app/compose';
import type { AuthorisationOptions, AuthorisationView } from '../../bridge/contract';
import { agreementHash, CURRENT_AGREEMENT } from './agreement';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const verifyCli = (payload: string, url: string) =>
  run(process.execPath, [path.join(root, 'bin/estation.js'), 'verify', payload, '--platform', url], { cwd: root, timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: unknown) => e as { code: number; stdout: string },
  );

const wang = residentByName('王建国');
const father = residentByName('赵宏伟');
const daughter = residentByName('赵凤英');
const teen = residentByName('郑红霞');
const LIFE = THIRD_PARTIES.find((t) => t.code === 'INS000101')!;

let app: App;

async function call<T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

let cardIn = false;
async function identify(p: SeedPerson): Promise<void> {
  if (cardIn) {
    const removed = once(app.devices, 'card-removed');
    await call('sim.device', { action: 'remove-ss-card' });
    await removed;
  }
  await call('session.end', { reason: 'logout' });
  cardIn = true;
  await call('sim.device', {
    action: 'insert-ss-card',
    card: { cardSn: p.ssCard.cardSn, cardNumber: p.ssCard.cardNumber, idNumber: p.idNumber, name: p.name, gender: p.gender, pin: p.ssCard.pin },
  });
  await waitUntil(async () => (await call<{ session: unknown }>('session.get', {})).session !== null, { what: `${p.name}'s session` });
}

const auths = () => call<{ auths: AuthorisationView[]; options: AuthorisationOptions }>('kiosk.auths', {});
const ticket = async () => (await call<{ ticket: string }>('kiosk.authOpen', {})).ticket;

async function insurerQuery(sn: string, items: string[]) {
  const res = await fetch(`${app.simulator!.url}${AUTHORISATION_QUERY_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LIFE.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ auth_sn: sn, certno: wang.idNumber, items, med_types: ['41'] }),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string } } };
}

beforeAll(async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-auth-')), 'data');
  app = await createApp(parseConfig({ dataDir, mode: 'kiosk', face: { enabled: false }, platform: { healthIntervalMs: 60_000 } }), { host: 'node' });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

let today = '';
let sn = '';

describe('王建国 authorises an insurer', () => {
  it('the form offers levels 1–3, never level 4, and the versioned agreement', async () => {
    await identify(wang);
    const { auths: list, options } = await auths();
    today = options.today;
    expect(list).toEqual([]);
    expect(options.agreement.version).toBe(CURRENT_AGREEMENT.version);
    expect(options.items.map((i) => `${i.name}:${i.level}`)).toContain('就诊结算记录:3');
    expect(options.levels.find((l) => l.level === 4)).toMatchObject({ thirdParty: false });
    expect(options.medTypes.map((m) => m.name)).toEqual(['普通门诊', '门诊慢特病', '普通住院', '定点药店购药']);
  });

  it('previews what a third party would receive: fields, level and the records held now; level 4 is refused', async () => {
    const { items } = await call<{ items: { key: string; level: number; fields: string[]; records: number; medTypes: string[] }[] }>('kiosk.authPreview', {
      items: ['insu', 'setl'],
      medTypes: ['41'],
    });
    expect(items.map((i) => [i.key, i.level, i.medTypes])).toEqual([
      ['insu', 1, []],
      ['setl', 3, ['定点药店购药']],
    ]);
    expect(items[0]).toMatchObject({ fields: ['险种', '参保状态', '参保地', '参保日期'], records: 1 });
    const held = (
      app.simulator!.db.prepare("SELECT COUNT(*) AS n FROM settlement WHERE psn_no = ? AND med_type = '41' AND state = 'settled'").get(wang.psnNo) as {
        n: number;
      }
    ).n;
    expect(items[1]!.records).toBe(held);
    await expect(call('kiosk.authPreview', { items: ['insu', 'face'], medTypes: [] })).rejects.toMatchObject({ code: 'AUTH_LEVEL_FORBIDDEN' });
  });

  it('needs a fresh verification, keeps it through a wrong form, and makes one authorisation from eight concurrent submits', async () => {
    const req = {
      grantee: LIFE.code,
      purpose: '02',
      items: ['insu', 'setl'],
      medTypes: ['41'],
      start: today,
      days: 90,
      perDay: null,
      total: 2,
      agreementVersion: CURRENT_AGREEMENT.version,
      ward: null,
    };
    const t = await ticket();
    await expect(call('kiosk.authorise', { ticket: t, ...req })).rejects.toMatchObject({ code: 'AUTH_VERIFICATION_REQUIRED' });
    await call('kiosk.ssPin', { pin: wang.ssCard.pin });
    await expect(call('kiosk.authorise', { ticket: t, ...req, days: 91 })).rejects.toThrow('含敏感3级信息的授权期限最长 90 天');
    await expect(call('kiosk.authorise', { ticket: t, ...req, items: ['insu', 'face'] })).rejects.toThrow('不能授权第三方查询');
    const results = await Promise.all(Array.from({ length: 8 }, () => call<{ state: string; sn: string | null }>('kiosk.authorise', { ticket: t, ...req })));
    expect(new Set(results.map((r) => `${r.state} ${r.sn}`)).size).toBe(1);
    expect(results[0]).toMatchObject({ state: 'done', sn: expect.stringMatching(/^SQ\d{14}$/) });
    sn = results[0]!.sn!;
    const rows = app.simulator!.db.prepare('SELECT auth_sn, agre_ver, agre_hash, verify_way FROM auth_grant WHERE psn_no = ?').all(wang.psnNo);
    expect(rows).toEqual([{ auth_sn: sn, agre_ver: CURRENT_AGREEMENT.version, agre_hash: agreementHash(CURRENT_AGREEMENT), verify_way: 'card-pin' }]);
    expect((await auths()).auths).toEqual([
      expect.objectContaining({
        sn,
        grantee: LIFE.name,
        purpose: '商业健康保险理赔',
        items: [
          { key: 'insu', name: '参保信息', level: 1 },
          { key: 'setl', name: '就诊结算记录', level: 3 },
        ],
        levels: [1, 3],
        medTypes: ['定点药店购药'],
        perDay: null,
        total: 2,
        used: 0,
        state: 'active',
        subject: { self: true, maskedName: '王*国' },
        verifiedBy: 'card-pin',
      }),
    ]);
    // The verification was used up by the act.
    await expect(call('kiosk.authorise', { ticket: await ticket(), ...req, grantee: 'INS000102' })).rejects.toMatchObject({
      code: 'AUTH_VERIFICATION_REQUIRED',
    });
  });

  it("the insurer's uses, allowed and refused, are in his usage log; revocation refuses the next query at once", async () => {
    expect((await insurerQuery(sn, ['insu'])).status).toBe(200);
    expect((await insurerQuery(sn, ['insu', 'setl'])).status).toBe(200);
    expect(await insurerQuery(sn, ['insu'])).toMatchObject({ status: 429, body: { error: { code: 'AUTH_FREQUENCY_EXCEEDED' } } });
    expect(await call('kiosk.revokeAuth', { sn })).toMatchObject({ state: 'done' });
    expect(await insurerQuery(sn, ['insu'])).toMatchObject({ status: 403, body: { error: { code: 'AUTH_REVOKED' } } });
    const { rows } = await call<{ rows: { allowed: boolean; reason: string | null; items: string[]; grantee: string; traceId: string }[] }>('kiosk.authUsage', {
      sn,
    });
    expect(rows.map((r) => [r.allowed, r.reason, r.items])).toEqual([
      [false, '参保人已撤销该授权', ['参保信息']],
      [false, '已达到授权的累计查询次数（共 2 次）', ['参保信息']],
      [true, null, ['参保信息', '就诊结算记录']],
      [true, null, ['参保信息']],
    ]);
    expect(rows.every((r) => r.grantee === LIFE.name && /^TR\d{20}$/.test(r.traceId))).toBe(true);
    expect((await auths()).auths[0]).toMatchObject({ state: 'revoked', used: 2 });
  });

  it('the printed copy passes estation verify; the same paper with one digit changed does not', async () => {
    const before = (await call<{ receipts: unknown[] }>('sim.printed', {})).receipts.length;
    const { jobId } = await call<{ jobId: string }>('kiosk.authPrint', { sn });
    await waitUntil(async () => (await call<{ state: string }>('kiosk.printJob', { jobId })).state === 'done', { what: 'the authorisation to print' });
    const { receipts } = await call<{ receipts: { lines: string[]; qr: string[] }[] }>('sim.printed', {});
    expect(receipts.length).toBe(before + 1);
    const paper = receipts.at(-1)!;
    expect(paper.lines).toContain('个人信息授权书');
    expect(paper.lines.join('\n')).not.toContain(wang.idNumber);
    expect(paper.lines.some((l) => /^核验码 [A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(l))).toBe(true);
    const payload = paper.qr[0]!;
    expect(payload.length).toBeLessThan(600);
    const ok = await verifyCli(payload, app.simulator!.url);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('个人信息授权书');
    expect(ok.stdout).toContain(sn);
    const [format, keyId, body, signature] = payload.split('.') as [string, string, string, string];
    const doc = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [string, string, string, string, [string, string][]];
    const limit = doc[4].find(([l]) => l === '查询次数')!;
    limit[1] = limit[1].replace(/\d/, (d) => String((Number(d) + 1) % 10));
    const changed = [format, keyId, Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url'), signature].join('.');
    const bad = await verifyCli(changed, app.simulator!.url);
    expect(bad.code).toBe(1);
    expect(bad.stdout + ((bad as { stderr?: string }).stderr ?? '')).toContain('DOC_SIGNATURE_INVALID');
  }, 120_000);
});

describe('a guardian', () => {
  it('赵宏伟 authorises for his daughter under 14; a 14-year-old is refused before his verification is used', async () => {
    await identify(father);
    await call('kiosk.ssPin', { pin: father.ssCard.pin });
    const req = {
      grantee: 'INS000103',
      purpose: '01',
      items: ['insu'],
      medTypes: [],
      start: today,
      days: 365,
      perDay: null,
      total: null,
      agreementVersion: CURRENT_AGREEMENT.version,
    };
    const t = await ticket();
    await expect(call('kiosk.authorise', { ticket: t, ...req, ward: { idNumber: teen.idNumber, name: teen.name } })).rejects.toThrow(
      '年满 14 周岁的子女须本人办理授权',
    );
    expect(await call('kiosk.authorise', { ticket: t, ...req, ward: { idNumber: daughter.idNumber, name: daughter.name } })).toMatchObject({ state: 'done' });
    expect((await auths()).auths).toEqual([
      expect.objectContaining({ grantee: '惠民保（城市定制型商业医疗保险）', subject: { self: false, maskedName: '赵*英' }, levels: [1], state: 'active' }),
    ]);
    expect(app.simulator!.db.prepare('SELECT psn_no, guardian_psn_no FROM auth_grant WHERE guardian_psn_no = ?').get(father.psnNo)).toEqual({
      psn_no: daughter.psnNo,
      guardian_psn_no: father.psnNo,
    });
  });
});

describe('the strongest factor', () => {
  it('a person with face enrolled confirms by face: a card PIN is refused for them in main; without face enrolled the PIN confirms', async () => {
    const deps = (app.kiosk!.authorisation as unknown as { d: { faceEnrolled?: (id: unknown) => boolean } }).d;
    const before = deps.faceEnrolled;
    deps.faceEnrolled = () => true;
    try {
      await identify(father);
      await call('kiosk.ssPin', { pin: father.ssCard.pin });
      const req = {
        grantee: 'INS000103',
        purpose: '01',
        items: ['insu'],
        medTypes: [],
        start: today,
        days: 30,
        perDay: null,
        total: null,
        agreementVersion: CURRENT_AGREEMENT.version,
        ward: null,
      };
      await expect(call('kiosk.authorise', { ticket: await ticket(), ...req })).rejects.toMatchObject({ code: 'AUTH_FACE_REQUIRED' });
      deps.faceEnrolled = () => false;
      await call('kiosk.ssPin', { pin: father.ssCard.pin });
      expect(await call('kiosk.authorise', { ticket: await ticket(), ...req })).toMatchObject({ state: 'done' });
    } finally {
      deps.faceEnrolled = before;
    }
  });
});
