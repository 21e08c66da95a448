/**
 * 亲友代办: a relative or friend helps a resident at the kiosk. The resident identifies as usual;
 * the helper then proves who they are with their own ID card, social-security card or 医保码. From
 * then on, until the session ends, every service that allows an agent files the helper as 代办人
 * (name and ID number from the helper's credential — never typed), so the record says who acted.
 */
import type { Identity } from '../devices/identity';
import type { ResidentSession } from '../session/session';
import type { Logger } from '../ground/logger';
import { isValidIdNumber } from '../bridge/contract/id-number';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import { BridgeError } from '../bridge/contract';

export interface ProvenAgent {
  name: string;
  idNumber: string;
  provenBy: Identity['provenBy'];
}

export interface AgentView {
  waiting: boolean;
  agent: { maskedName: string; maskedNo: string; provenBy: Identity['provenBy'] } | null;
  /** Why the last credential offered was not taken, in plain Chinese. */
  refused: string | null;
}

export class AgentDesk {
  private waiting = false;
  private agent: ProvenAgent | null = null;
  private refused: string | null = null;

  constructor(
    private readonly session: ResidentSession,
    private readonly log: Logger,
  ) {
    const forget = () => {
      this.waiting = false;
      this.agent = null;
      this.refused = null;
    };
    // A helper belongs to one resident's session: gone with it, and with a new person.
    session.on('ended', forget);
    session.on('changed', (v) => v === null && forget());
  }

  get current(): ProvenAgent | null {
    return this.agent;
  }

  get awaiting(): boolean {
    return this.waiting;
  }

  /** Starts waiting for the helper's own credential. */
  await(): AgentView {
    if (!this.session.current) throw new BridgeError('SESSION_NONE', 'nobody is identified');
    this.waiting = true;
    this.refused = null;
    return this.view();
  }

  /** A credential presented while waiting: taken as the helper's. Returns whether it was taken (or refused) here. */
  offer(id: Identity): boolean {
    const resident = this.session.current;
    if (!this.waiting || !resident) return false;
    const idNumber = (id.idNumber ?? (id.certType === '02' ? id.certNo : '')).toUpperCase();
    if (resident.idNumber && idNumber === resident.idNumber.toUpperCase()) {
      this.refused = '这是本人的证件，请代办人使用自己的证件';
      return true;
    }
    if (!isValidIdNumber(idNumber) || !id.name) {
      this.refused = '此证件读不出姓名和身份证号码，请代办人改用身份证或医保码';
      return true;
    }
    this.agent = { name: id.name, idNumber, provenBy: id.provenBy };
    this.waiting = false;
    this.refused = null;
    this.session.touch();
    this.log.info('agent.identified', { provenBy: id.provenBy });
    return true;
  }

  clear(): AgentView {
    if (this.agent || this.waiting) this.log.info('agent.cleared', {});
    this.waiting = false;
    this.agent = null;
    this.refused = null;
    return this.view();
  }

  view(): AgentView {
    const a = this.agent;
    return {
      waiting: this.waiting,
      agent: a ? { maskedName: maskName(a.name), maskedNo: maskIdNumber(a.idNumber), provenBy: a.provenBy } : null,
      refused: this.refused,
    };
  }
}
