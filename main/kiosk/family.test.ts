/**
 * 亲情账户 for a child under 16, through the bridge of a real kiosk app and the embedded platform:
 * the guardian binds the child with the 户口簿户号 (the child need not come); main refuses a
 * malformed ID number and a member of 16 or more (who must come in person) before asking the
 * platform; the platform refuses a household number or a name that does not match its registry.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentByName } from '../../fixtures/people/residents';
import { waitUntil } from '../ground/wait';
import { parseConfig } from '../app/config';
import { createApp, type App } from '../app/compose';

const father = residentByName('赵宏伟'); // 310, household 440304007654321
const daughter = residentByName('赵凤英'); // born 2016, same household
const wang = residentByName('王建国'); // 310, born 1950 (16 and over)

let app: App;
async function call<T = Record<string, unknown>>(channel: string, input: unknown): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}

beforeAll(async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-family-')), 'data');
  app = await createApp(parseConfig({ dataDir, mode: 'kiosk', face: { enabled: false }, platform: { healthIntervalMs: 60_000 } }), { host: 'node' });
  await call('sim.device', {
    action: 'insert-ss-card',
    card: {
      cardSn: father.ssCard.cardSn,
      cardNumber: father.ssCard.cardNumber,
      idNumber: father.idNumber,
      name: father.name,
      gender: father.gender,
      pin: father.ssCard.pin,
    },
  });
  await waitUntil(async () => (await call<{ session: unknown }>('session.get', {})).session !== null, { what: "the father's session" });
}, 60_000);
afterAll(async () => {
  if (app) {
    const removed = once(app.devices, 'card-removed');
    await call('sim.device', { action: 'remove-ss-card' });
    await removed;
    await app.close();
  }
});

const bind = (over: Partial<{ idNumber: string; name: string; household: string; relation: string }> = {}) =>
  call<{ state: string; message: string | null }>('kiosk.familyBindChild', {
    idNumber: daughter.idNumber,
    name: daughter.name,
    household: daughter.household!,
    relation: '30',
    ...over,
  });
const links = () => app.simulator!.db.prepare('SELECT member, relation FROM family_link WHERE owner = ?').all(father.psnNo);

describe('a guardian binds a child under 16 with the household register', () => {
  it('refuses in main what main can tell: a malformed ID number, a member of 16 or more', async () => {
    await expect(
      bind({
        idNumber: `${daughter.idNumber.slice(0, 17)}0` === daughter.idNumber ? `${daughter.idNumber.slice(0, 17)}1` : `${daughter.idNumber.slice(0, 17)}0`,
      }),
    ).rejects.toMatchObject({
      code: 'FAMILY_ID_INVALID',
    });
    await expect(bind({ idNumber: wang.idNumber, name: wang.name })).rejects.toMatchObject({ code: 'FAMILY_MEMBER_MUST_ATTEND' });
    await expect(bind({ household: '12ab' })).rejects.toMatchObject({ code: 'FAMILY_HOUSEHOLD_INVALID' });
    expect(links()).toEqual([]);
  });

  it('the platform refuses another household number or another name; the right ones bind her', async () => {
    expect(await bind({ household: '440304000000000' })).toMatchObject({ state: 'failed-business', message: '户口簿户号与家庭成员不符' });
    expect(await bind({ name: '赵小英' })).toMatchObject({ state: 'failed-business', message: '家庭成员姓名与身份证号不符' });
    expect(links()).toEqual([]);
    expect(await bind()).toMatchObject({ state: 'done' });
    expect(links()).toEqual([{ member: daughter.psnNo, relation: '30' }]);
    const { members } = await call<{ members: { maskedName: string; relation: string }[] }>('kiosk.family', {});
    expect(members).toEqual([expect.objectContaining({ maskedName: '赵*英', relation: '30' })]);
  });
});
