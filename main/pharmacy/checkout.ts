/**
 * Checkout: quote with the platform's pre-settlement when it is there, settle through the
 * outbox, and when the platform is unreachable take a deferred settlement (先就医后结算) under
 * explicit risk limits, estimated with the policy engine and cached person data.
 */
import { randomUUID } from 'node:crypto';
import { fen, formatMoney } from '../bridge/contract/money';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { PlatformClient } from '../platform/client';
import { beijingDate } from '../platform/envelope';
import { emptyYtd, policyFor, split } from '../policy/engine';
import type { RegionPolicy } from '../policy/types';
import type { Outbox } from '../outbox/outbox';
import type { PersonalData } from '../store/personal-data';
import type { OfflineConfig } from './config';
import { pharmacyInput, summaryOf, type SettlementLine, type SettlementPayload, type SettlementPerson, type SplitSummary } from './settlement';

export class CheckoutError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}

export interface CachedPerson {
  psnNo: string;
  /** The ID number the person was last seen with, to find them offline from a card. */
  certNo?: string;
  insutype: '310' | '390';
  insuplcAdmdvs: string;
  balance: number;
  assistance: null | 'extreme-poverty' | 'minimum-living' | 'low-income' | 'poverty-relapse';
}

export interface Quote {
  mode: 'online' | 'offline';
  split: SplitSummary;
}

export class CheckoutService {
  constructor(
    private readonly outbox: Outbox,
    private readonly personal: PersonalData,
    private readonly client: PlatformClient,
    private readonly policies: RegionPolicy[],
    private readonly limits: OfflineConfig,
    private readonly terminalAdmdvs: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Whether the platform can be reached right now (health monitor and breaker). */
    private readonly online: () => boolean,
  ) {}

  /** Keeps what 1101 said about a person for offline estimates: sealed, found by a keyed hash of the ID number. */
  rememberPerson(p: CachedPerson): void {
    this.outbox.db
      .prepare(
        `INSERT INTO person_cache(psn_no, cert_hash, data, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(psn_no) DO UPDATE SET cert_hash = excluded.cert_hash, data = excluded.data, fetched_at = excluded.fetched_at`,
      )
      .run(p.psnNo, p.certNo ? this.personal.index(p.certNo) : null, this.personal.sealJson(p), this.clock.nowIso());
  }

  cachedByCert(certNo: string): CachedPerson | null {
    const r = this.outbox.db.prepare('SELECT data FROM person_cache WHERE cert_hash = ? ORDER BY fetched_at DESC LIMIT 1').get(this.personal.index(certNo)) as
      { data: string } | undefined;
    return r ? this.personal.openJson<CachedPerson>(r.data) : null;
  }

  cachedPerson(psnNo: string): CachedPerson | null {
    const r = this.outbox.db.prepare('SELECT data FROM person_cache WHERE psn_no = ?').get(psnNo) as { data: string } | undefined;
    return r ? this.personal.openJson<CachedPerson>(r.data) : null;
  }

  /** The platform's pre-settlement (2101) when reachable, else the policy engine's estimate. */
  async quote(person: SettlementPerson, lines: SettlementLine[], useAccount: boolean): Promise<Quote> {
    if (this.online()) {
      const payload = this.payload(randomUUID(), person, lines, useAccount, null, false);
      const r = await this.client.send('2101', pharmacyInput(payload, this.clock.now()), { insuplcAdmdvs: person.insuplcAdmdvs });
      if (r.kind === 'ok') return { mode: 'online', split: summaryOf(r.output.setlinfo) };
      if (r.kind === 'business-error') throw new CheckoutError('CHECKOUT_REFUSED', r.message);
      this.log.warn('checkout.quote_offline', { code: r.code });
    }
    // The family account's balance and binding are the platform's to check: no 共济 offline.
    if (person.mutualAid) throw new CheckoutError('CHECKOUT_MUTUAL_AID_OFFLINE', '共济支付需要连接医保平台，请改用本人账户或现金');
    return { mode: 'offline', split: this.estimate(person, lines, useAccount) };
  }

  /**
   * A conservative estimate: cached person data when there is some; otherwise the customer pays
   * everything in cash and is refunded the difference once the platform settles.
   */
  estimate(person: SettlementPerson, lines: SettlementLine[], useAccount: boolean): SplitSummary {
    const cached = this.cachedPerson(person.psnNo);
    const total = lines.reduce((s, l) => s + Math.round((l.unitPrice * l.quantityMilli) / 1000), 0);
    if (!cached)
      return {
        medfee: fen(total),
        fund: fen(0),
        hifp: fen(0),
        hifmi: fen(0),
        hifob: fen(0),
        maf: fen(0),
        acct: fen(0),
        mulaid: fen(0),
        cash: fen(total),
        balance: null,
      };
    const policy = policyFor(this.policies, cached.insuplcAdmdvs || this.terminalAdmdvs, beijingDate(this.clock.now()));
    const s = split({
      policy,
      medType: '41',
      lines: lines.map((l) => ({
        feedetlSn: l.feedetlSn,
        listCode: l.listCode,
        name: l.name,
        chrgitmLv: '01',
        unitPrice: l.unitPrice,
        quantityMilli: l.quantityMilli,
        selfPayBp: 0,
        priceCap: null,
      })),
      person: { insutype: cached.insutype, assistance: cached.assistance, accountBalance: fen(cached.balance), mutualAidBalance: fen(0) },
      // The year's accumulations are not known offline: assume the caps are reached (no pooling).
      ytd: { ...emptyYtd(), pooled: { outpatient: fen(1e12), chronic: fen(1e12), inpatient: fen(1e12) } },
      useAccount,
    });
    return {
      medfee: s.medfeeSumamt,
      fund: s.fundPaySumamt,
      hifp: s.hifpPay,
      hifmi: s.hifmiPay,
      hifob: s.hifobPay,
      maf: s.mafPay,
      acct: s.acctPay,
      mulaid: s.acctMulaidPay,
      cash: s.psnCashPay,
      balance: s.balc,
    };
  }

  /** What the outbox item carries: the sale as it was quoted and what the customer paid in cash. */
  payload(
    checkoutId: string,
    person: SettlementPerson,
    lines: SettlementLine[],
    useAccount: boolean,
    quote: Quote | null,
    offline: boolean,
  ): SettlementPayload {
    return {
      checkoutId,
      person,
      lines,
      medType: '41',
      useAccount,
      deferred: quote ? { estimate: quote.split, cashCollected: quote.split.cash, takenAt: this.clock.nowIso() } : null,
      offline,
    };
  }

  /** Refuses an offline checkout that breaks a risk limit, naming the limit. */
  assertOfflineAllowed(person: SettlementPerson, total: number, estimate: SplitSummary, offlineToday: (psnNo: string, businessDate: string) => number): void {
    const L = this.limits;
    if (!L.enabled) throw new CheckoutError('OFFLINE_DISABLED', 'offline checkout is switched off on this terminal');
    if (total > L.maxPerTransaction)
      throw new CheckoutError('OFFLINE_LIMIT_TRANSACTION', `offline checkouts are limited to ${formatMoney(L.maxPerTransaction)} each`);
    const day = beijingDate(this.clock.now());
    const today = offlineToday(person.psnNo, day);
    if (today + total > L.maxPerPersonPerDay)
      throw new CheckoutError('OFFLINE_LIMIT_PERSON_DAY', `this person has reached the offline limit of ${formatMoney(L.maxPerPersonPerDay)} today`);
    const open = this.outbox
      .list({ states: ['pending', 'sending', 'unknown', 'reversed'], kind: 'pharmacy-settlement' })
      .filter((i) => (i.payload as SettlementPayload).offline);
    const exposure = open.reduce((s, i) => {
      const d = (i.payload as SettlementPayload).deferred!;
      return s + d.estimate.medfee - d.cashCollected;
    }, 0);
    if (exposure + (estimate.medfee - estimate.cash) > L.maxTerminalExposure)
      throw new CheckoutError('OFFLINE_LIMIT_EXPOSURE', `unsettled offline checkouts on this terminal have reached ${formatMoney(L.maxTerminalExposure)}`);
    const oldest = open.reduce<string | null>((o, i) => (!o || i.createdAt < o ? i.createdAt : o), null);
    if (oldest && this.clock.now() - Date.parse(oldest) > L.maxAgeHours * 3600_000)
      throw new CheckoutError('OFFLINE_LIMIT_AGE', `an offline checkout has waited more than ${L.maxAgeHours} hours: settle the queue first`);
  }
}
