/**
 * Record-changing requests (filings and their cancellations) as outbox items. They move no money
 * and cannot be reversed with 2601, so an unknown outcome is settled by asking the platform
 * (5301 / 5302) whether the change is there; only a change found absent is sent again.
 */
import type { PlatformClient } from '../platform/client';
import type { Infno, TxInput } from '../platform/schemas';
import { isServiceInfno, SERVICE_TRANSACTIONS, type ServiceInfno, type ServiceTransactionSchemas } from '../platform/service-transactions';
import type { DeliveryHandler } from '../outbox/delivery';

export const RECORD_KIND = 'platform-record';

export interface RecordPayload {
  /** A core record transaction, or one the service catalogue declares (main/platform/service-transactions.ts). */
  infno: '2501' | '2502' | '2503' | '2504' | '2505' | '2506' | 'X2701' | 'X2801' | 'X2802' | 'X2901' | 'X2902' | ServiceInfno;
  input: Record<string, unknown>;
  psnNo: string;
  insuplcAdmdvs: string;
  /** What the resident sees in the queue, e.g. 门诊慢特病备案 高血压. */
  label: string;
  /** For X2801: the member's ID number, to confirm an unknown outcome through X5801. */
  memberCertno?: string;
  /** For a catalogue application: the reference main issued, which its confirming query lists. */
  ref?: string;
}

/** Whether the change a record item asked for is in place at the platform (null: cannot tell). */
export async function recordInPlace(client: PlatformClient, p: RecordPayload): Promise<boolean | null> {
  const data = (p.input.data ?? p.input.refmedin) as Record<string, string>;
  try {
    if (isServiceInfno(p.infno)) {
      const service: ServiceTransactionSchemas = SERVICE_TRANSACTIONS[p.infno];
      if (!service.confirm || !p.ref) return null;
      const q = service.confirm;
      const out = (await client.queryService(q.infno, { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: p.insuplcAdmdvs })) as Record<string, unknown>;
      const list = (out[q.list] ?? []) as Record<string, unknown>[];
      return list.some((row) => row[q.refKey] === p.ref);
    }
    if (p.infno === '2503' || p.infno === '2504') {
      const list = (await client.query('5301', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: p.insuplcAdmdvs })).feedetail as {
        opsp_dise_code: string;
        trt_dcla_detl_sn?: string;
      }[];
      if (p.infno === '2503') return list.some((f) => f.opsp_dise_code === data.opsp_dise_code);
      return !list.some((f) => f.trt_dcla_detl_sn === data.trt_dcla_detl_sn);
    }
    if (p.infno === '2505' || p.infno === '2506') {
      const list = (await client.query('5302', { data: { psn_no: p.psnNo, biz_appy_type: '01' } }, { insuplcAdmdvs: p.insuplcAdmdvs })).psnfixmedin as {
        fixmedins_code: string;
        trt_dcla_detl_sn?: string;
      }[];
      if (p.infno === '2505') return list.some((f) => f.fixmedins_code === data.fixmedins_code);
      return !list.some((f) => f.trt_dcla_detl_sn === data.trt_dcla_detl_sn);
    }
    if (p.infno === 'X2701') {
      await client.query('X2702', { data: { out_order_no: data.out_order_no! } }, { insuplcAdmdvs: p.insuplcAdmdvs });
      return true;
    }
    if (p.infno === 'X2801' || p.infno === 'X2802') {
      const members = (await client.query('X5801', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: p.insuplcAdmdvs })).member;
      if (p.infno === 'X2802') return !members.some((m) => m.psn_no === data.member_psn_no);
      return p.memberCertno ? members.some((m) => m.certno === p.memberCertno) : null;
    }
    if (p.infno === 'X2901' || p.infno === 'X2902') {
      const auths = (await client.query('X5901', { data: { psn_no: p.psnNo } }, { insuplcAdmdvs: p.insuplcAdmdvs })).auth;
      if (p.infno === 'X2902') return !auths.some((a) => a.auth_sn === data.auth_sn && a.state === 'active');
      // Main's ticket (auth_ref) names the one authorisation a submit may make.
      return auths.some((a) => a.auth_ref === data.auth_ref);
    }
  } catch (err) {
    // An order the platform does not know was not created.
    if (p.infno === 'X2701' && (err as { code?: string }).code === 'PLATFORM_BUSINESS_ERROR') return false;
    return null;
  }
  return null;
}

function recordInput(p: RecordPayload): TxInput<Infno> {
  return p.input as TxInput<Infno>;
}

/** A filing or its cancellation: sent once; an unknown outcome is checked with a query before anything else. */
export function recordDelivery(client: PlatformClient): DeliveryHandler<RecordPayload> {
  const who = (p: RecordPayload) => ({ psnNo: p.psnNo, insuplcAdmdvs: p.insuplcAdmdvs });
  const handler: DeliveryHandler<RecordPayload> = {
    kind: RECORD_KIND,
    async deliver(it, kit) {
      const r = await kit.sendJournalled(it, it.payload.infno as Infno, recordInput(it.payload), who(it.payload));
      if (r.kind === 'ok') return kit.done(it, r.msgid, r.output ?? null);
      if (r.kind === 'business-error') return kit.refused(it, r.msgid, r.message);
      return kit.notAnswered(it, r.msgid, r);
    },
    async resolveUnknown(it, kit) {
      const inPlace = await recordInPlace(client, it.payload);
      const last = kit.journal(it).at(-1);
      if (inPlace === true) {
        if (last) kit.closeAttempt(last.msgid, 'ok', 'confirmed by query');
        return kit.settleByQuery(it, 'done', 'CONFIRMED_BY_QUERY');
      }
      if (inPlace === null) return kit.settleByQuery(it, 'unknown', 'PLATFORM_OUTCOME_UNKNOWN');
      if (last) kit.closeAttempt(last.msgid, 'not-applied', 'absent at the platform');
      return handler.deliver(it, kit);
    },
  };
  return handler;
}
