/**
 * 亲友代办 through the bridge of a real kiosk app (real SQLite, the embedded platform over HTTP,
 * simulated readers on PTYs): the resident identifies, the helper then proves who they are with
 * their own ID card, and the 异地就医备案 filed in the session names the helper as 代办人 — from the
 * helper's card, not from what the form sent. The platform's own record is read back to check.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentByName } from '../../fixtures/people/residents';
import { openSimDb } from '../../fixtures/platform/store';
import { waitUntil } from '../ground/wait';
import { parseConfig } from '../app/config';
import { createApp, type App } from '../app/compose';
import { embeddedPlatformDbFile } from '../app/embedded';
import type { AgentView, ServiceFormView, ServiceResultView } from '../bridge/contract';
import { maskName } from '../bridge/contract/mask';

const zhang = residentByName('张德福'); // 310 在职, 深圳南山: may file 异地就医备案
const liu = residentByName('刘佳怡'); // the helper

let app: App;
let dataDir: string;
async function call<T = Record<string, unknown>>(channel: string, input: unknown = {}): Promise<T> {
  const r = await app.dispatcher.dispatch(channel, input, { transport: 'local' });
  if (!r.ok) throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { code: r.error.code });
  return r.value as T;
}
const idCard = (p: typeof liu) => ({
  action: 'insert-id-card' as const,
  card: { name: p.name, idNumber: p.idNumber, gender: p.gender === '2' ? ('2' as const) : ('1' as const), birthDate: p.idNumber.slice(6, 14) },
});
async function removeIdCard() {
  const removed = once(app.devices, 'card-removed');
  await call('sim.device', { action: 'remove-id-card' });
  await removed;
}

beforeAll(async () => {
  dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'estation-agent-')), 'data');
  app = await createApp(parseConfig({ dataDir, mode: 'kiosk', face: { enabled: false }, platform: { healthIntervalMs: 60_000 } }), { host: 'node' });
  await call('sim.device', {
    action: 'insert-ss-card',
    card: {
      cardSn: zhang.ssCard.cardSn,
      cardNumber: zhang.ssCard.cardNumber,
      idNumber: zhang.idNumber,
      name: zhang.name,
      gender: zhang.gender,
      pin: zhang.ssCard.pin,
    },
  });
  await waitUntil(async () => (await call<{ session: unknown }>('session.get')).session !== null, { what: "the resident's session" });
}, 60_000);
afterAll(async () => {
  if (app) {
    const removed = once(app.devices, 'card-removed');
    await call('sim.device', { action: 'remove-ss-card' });
    await removed;
    await app.close();
  }
});

describe('亲友代办', () => {
  it("refuses the resident's own card as the helper's, takes the helper's ID card without ending the resident's session", async () => {
    expect(await call<AgentView>('kiosk.agentAwait')).toEqual({ waiting: true, agent: null, refused: null });
    await call('sim.device', idCard(zhang));
    await waitUntil(async () => (await call<AgentView>('kiosk.agentStatus')).refused !== null, { what: 'the refusal' });
    expect((await call<AgentView>('kiosk.agentStatus')).refused).toContain('本人的证件');
    await removeIdCard();

    await call('sim.device', idCard(liu));
    await waitUntil(async () => (await call<AgentView>('kiosk.agentStatus')).agent !== null, { what: "the helper's credential" });
    const status = await call<AgentView>('kiosk.agentStatus');
    expect(status.waiting).toBe(false);
    expect(status.agent).toEqual({ maskedName: maskName(liu.name), maskedNo: expect.stringMatching(/^\d{3}\*+\d{4}$/), provenBy: 'id-card' });
    expect(status.agent!.maskedName).not.toBe(liu.name);
    expect(status.agent!.maskedNo.slice(-4)).toBe(liu.idNumber.slice(-4));
    // Still the resident's session: the helper's card did not log the helper in.
    const s = await call<{ session: { maskedNo: string } }>('session.get');
    expect(s.session.maskedNo.slice(-4)).toBe(zhang.idNumber.slice(-4));
    await removeIdCard();
  });

  it('fills in the 代办人 from the credential and files it, whatever the form sent', async () => {
    const form = await call<ServiceFormView>('kiosk.serviceOpen', { id: 'remote-filing' });
    const fixed = Object.fromEntries(form.fields.filter((f) => f.fixed).map((f) => [f.key, f.initial]));
    expect(fixed).toEqual({ agent: '1', agnter_name: expect.stringContaining('*'), agnter_certno: expect.stringMatching(/^\d{3}\*+\d{4}$/) });
    await call('kiosk.ssPin', { pin: zhang.ssCard.pin });
    const r = await call<ServiceResultView>('kiosk.serviceSubmit', {
      ticket: form.ticket,
      values: {
        rea: '08',
        place: '110000',
        addr: '北京市朝阳区建国路1号',
        from: '2099-01-01',
        tel: '13800000001',
        // What a page might send: no agent, or a made-up one. Main files the proven helper.
        agent: '1',
        agnter_name: '冒名者',
        agnter_certno: '110101199003071237',
        agnter_tel: '13900000002',
        agnter_rlts: '20',
        commit: true,
      },
    });
    expect(r.state).toBe('done');
    const db = openSimDb(embeddedPlatformDbFile(dataDir));
    try {
      const rows = db.prepare("SELECT data FROM application WHERE appl_type = '2401'").all() as { data: string }[];
      const filed = rows.map((x) => JSON.parse(x.data) as Record<string, string>);
      expect(filed).toHaveLength(1);
      expect(filed[0]).toMatchObject({ agnter_name: liu.name, agnter_certno: liu.idNumber, agnter_tel: '13900000002', agnter_rlts: '20' });
    } finally {
      db.close();
    }
  });

  it('after 取消代办 the form asks again and nothing is filled in', async () => {
    expect(await call<AgentView>('kiosk.agentClear')).toEqual({ waiting: false, agent: null, refused: null });
    const form = await call<ServiceFormView>('kiosk.serviceOpen', { id: 'remote-filing' });
    expect(form.fields.filter((f) => f.fixed)).toEqual([]);
    expect(form.fields.find((f) => f.key === 'agnter_name')!.initial).toBeNull();
  });

  it('is forgotten when the session ends', async () => {
    await call('kiosk.agentAwait');
    await call('session.end', { reason: 'logout' });
    expect(await call<AgentView>('kiosk.agentStatus')).toEqual({ waiting: false, agent: null, refused: null });
  });

  it("a technician unlocking service mode on the kiosk ends the resident's session in main (and with it the helper)", async () => {
    await call('sim.device', { action: 'scan', code: liu.ecQrCode });
    await waitUntil(async () => (await call<{ session: unknown }>('session.get')).session !== null, { what: "the resident's session" });
    await call('kiosk.agentAwait');
    await call('service.setPin', { pin: '246810', confirm: '246810' });
    expect((await call<{ session: unknown }>('session.get')).session).toBeNull();
    expect(await call<AgentView>('kiosk.agentStatus')).toEqual({ waiting: false, agent: null, refused: null });
  });
});
