/**
 * The platform client. `send` makes exactly one attempt and says what is known about it:
 * ok, a business refusal (infcode -2: definitely not applied), unreachable (nothing was
 * delivered: safe to try again), or unknown (timeout, reset, 5xx, infcode -1, a reply that
 * cannot be read: it may have been applied). Money-moving callers (the outbox) decide what to do
 * with unknown; queries may use `query`, which retries with a fresh msgid and re-signs in.
 */
import type { z } from 'zod';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { buildEnvelope, type MsgidSource, type TerminalIdentity } from './envelope';
import { MONEY_OR_RECORD, mapMoney, transactions, type Infno, type TxInput, type TxOutput } from './schemas';
import { fenToWire, yuanToFen } from '../bridge/contract/money';
import type { GatewaySigner } from './signing';
import { sealForPlatform } from './face-envelope';
import { isServiceInfno, SERVICE_TRANSACTIONS } from './service-transactions';

/** The schemas of a core transaction or of one the service catalogue declares. */
function schemaOf(infno: string): { input: z.ZodType; output: z.ZodType } {
  if (isServiceInfno(infno)) return SERVICE_TRANSACTIONS[infno];
  return transactions[infno as Infno];
}

export const UNIFIED_PATH = '/fsi/api/rsfComIfsService/callService';
export const EC_PATH = '/localcfc/api/hsecfc/localQrCodeQuery';

export type Outcome<T> =
  | { kind: 'ok'; output: T; msgid: string; refmsgid: string | null }
  | { kind: 'business-error'; code: 'PLATFORM_BUSINESS_ERROR'; message: string; msgid: string }
  | { kind: 'unreachable'; code: 'PLATFORM_UNREACHABLE' | 'PLATFORM_SIGNIN_FAILED' | 'PLATFORM_SIGNIN_EXPIRED'; message: string; msgid: string }
  | {
      kind: 'unknown';
      code: 'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN' | 'PLATFORM_CONNECTION_LOST' | 'PLATFORM_HTTP_ERROR' | 'PLATFORM_MALFORMED_REPLY' | 'PLATFORM_SYSTEM_ERROR';
      message: string;
      msgid: string;
    };

export interface SendContext {
  msgid?: string;
  insuplcAdmdvs?: string;
  signNo?: string;
  /** For journalled sends: closes the refused msgid and journals a fresh one for the resend. */
  renewMsgid?: (expired: string) => string;
}

/** How the platform says a sign_no is no longer valid (签到信息已失效，请重新签到). */
const SIGN_IN_EXPIRED = /签到/;

function signInOutcome(code: 'PLATFORM_SIGNIN_FAILED' | 'PLATFORM_SIGNIN_EXPIRED', message: string, msgid: string) {
  return { kind: 'unreachable' as const, code, message, msgid };
}

export class PlatformInputError extends Error {
  readonly code = 'PLATFORM_INPUT_INVALID';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'PlatformInputError';
  }
}

export class PlatformError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly outcome?: Outcome<unknown>,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

export interface PlatformClientOptions {
  baseUrl: () => string;
  terminal: TerminalIdentity;
  msgids: MsgidSource;
  signer: GatewaySigner;
  timeoutMs: number;
  clock: Clock;
  log: Logger;
  /** Local MAC and IP reported at sign-in. */
  mac?: string;
  ip?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(err: unknown): string {
  let e = err as { code?: unknown; cause?: unknown; name?: string } | undefined;
  for (let i = 0; i < 4 && e; i++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return (err as Error)?.name ?? 'Error';
}

/** POSTs a JSON body; classifies transport failures as unreachable (never delivered) or unknown. */
async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; type: string; bytes: Buffer } | { failure: 'unreachable' | 'timeout' | 'lost'; detail: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type') ?? '', bytes };
  } catch (err) {
    const code = causeCode(err);
    if (UNREACHABLE.has(code)) return { failure: 'unreachable', detail: code };
    if (code === 'TimeoutError' || code === 'AbortError') return { failure: 'timeout', detail: `no reply within ${timeoutMs} ms` };
    return { failure: 'lost', detail: code };
  }
}

export class PlatformClient {
  private signNo: string | null = null;
  private signing: Promise<string> | null = null;

  constructor(private readonly o: PlatformClientOptions) {}

  /** A fresh msgid, for callers that must journal it before sending (the outbox). */
  nextMsgid(): string {
    return this.o.msgids.next(this.o.clock.now());
  }

  get signedIn(): boolean {
    return this.signNo !== null;
  }

  /** Checks an input against the interface after turning its fen into the wire's yuan. */
  validateInput<I extends Infno>(infno: I, input: TxInput<I>): z.output<(typeof transactions)[I]['input']> {
    let wire: unknown;
    try {
      wire = mapMoney(input, (v) => fenToWire(Number(v)));
    } catch (err) {
      throw new PlatformInputError(`input of ${infno} is invalid: ${(err as Error).message}`, [{ path: '', message: (err as Error).message }]);
    }
    const r = schemaOf(infno).input.safeParse(wire);
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new PlatformInputError(`input of ${infno} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    return r.data as z.output<(typeof transactions)[I]['input']>;
  }

  /**
   * One attempt under the given msgid (or a new one). The only resend is after the platform said
   * the sign-in expired, which means nothing was applied: the client signs in again (9001) and
   * sends once more under a fresh msgid — obtained from `renewMsgid` when the caller journals its
   * msgids, so the journal holds both. A sign-in that fails, or a second expiry, is a transport
   * outcome ('unreachable': nothing applied, try later), never a business refusal.
   */
  async send<I extends Infno>(infno: I, input: TxInput<I>, ctx: SendContext = {}): Promise<Outcome<TxOutput<I>>> {
    const valid = this.validateInput(infno, input);
    const first = await this.attempt(infno, valid, ctx.msgid, ctx);
    if (infno === '9001' || ctx.signNo !== undefined || !first.signInExpired) return first.outcome;
    this.invalidateSignIn(first.signNo);
    if (ctx.msgid && !ctx.renewMsgid) return signInOutcome('PLATFORM_SIGNIN_EXPIRED', 'the platform sign-in expired', first.outcome.msgid);
    const msgid = ctx.msgid ? ctx.renewMsgid!(ctx.msgid) : undefined;
    const second = await this.attempt(infno, valid, msgid, ctx);
    if (second.signInExpired) {
      this.invalidateSignIn(second.signNo);
      return signInOutcome('PLATFORM_SIGNIN_EXPIRED', 'the platform sign-in expired again right after signing in', second.outcome.msgid);
    }
    this.o.log.info('platform.signin_renewed', { infno });
    return second.outcome;
  }

  private async attempt<I extends Infno>(
    infno: I,
    valid: unknown,
    givenMsgid: string | undefined,
    ctx: SendContext,
  ): Promise<{ outcome: Outcome<TxOutput<I>>; signNo: string; signInExpired: boolean }> {
    const now = this.o.clock.now();
    const msgid = givenMsgid ?? this.o.msgids.next(now);
    let signNo: string;
    try {
      signNo = ctx.signNo ?? (infno === '9001' ? '' : await this.ensureSignedIn());
    } catch (err) {
      // The request itself never left: whatever stopped the sign-in, nothing was applied.
      return { outcome: signInOutcome('PLATFORM_SIGNIN_FAILED', (err as Error).message, msgid), signNo: '', signInExpired: false };
    }
    const outcome = await this.post<I>(infno, valid, msgid, signNo, now, ctx);
    return { outcome, signNo, signInExpired: outcome.kind === 'business-error' && SIGN_IN_EXPIRED.test(outcome.message) };
  }

  private async post<I extends Infno>(infno: I, valid: unknown, msgid: string, signNo: string, now: number, ctx: SendContext): Promise<Outcome<TxOutput<I>>> {
    const envelope = buildEnvelope(this.o.terminal, infno, msgid, now, signNo, valid, ctx.insuplcAdmdvs ?? '');
    const money = MONEY_OR_RECORD.includes(infno);
    const r = await post(this.o.baseUrl() + UNIFIED_PATH, JSON.stringify(envelope), this.o.signer(now), this.o.timeoutMs);
    const fail = (kind: 'unknown' | 'unreachable', code: string, message: string): Outcome<TxOutput<I>> => {
      this.o.log.warn('platform.outcome', { infno, msgid, kind, code, message });
      return { kind, code, message, msgid } as Outcome<TxOutput<I>>;
    };
    if ('failure' in r) {
      if (r.failure === 'unreachable') return fail('unreachable', 'PLATFORM_UNREACHABLE', r.detail);
      return fail('unknown', r.failure === 'timeout' ? 'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN' : 'PLATFORM_CONNECTION_LOST', r.detail);
    }
    if (r.status >= 500 || r.status === 429) return fail('unknown', 'PLATFORM_HTTP_ERROR', `HTTP ${r.status}`);
    if (infno === '9102' && r.status === 200 && !r.type.includes('json')) return { kind: 'ok', output: r.bytes as TxOutput<I>, msgid, refmsgid: null };
    let body: { infcode?: unknown; err_msg?: unknown; output?: unknown; inf_refmsgid?: unknown };
    try {
      body = JSON.parse(r.bytes.toString('utf8'));
    } catch {
      return fail('unknown', 'PLATFORM_MALFORMED_REPLY', `HTTP ${r.status}: reply is not JSON`);
    }
    if (!body || typeof body !== 'object') return fail('unknown', 'PLATFORM_MALFORMED_REPLY', `HTTP ${r.status}: reply is not an object`);
    const infcode = Number(body.infcode);
    const errMsg = typeof body.err_msg === 'string' ? body.err_msg.slice(0, 500) : '';
    if (infcode === -2 || (!money && Number.isFinite(infcode) && infcode !== 0 && infcode !== -1)) {
      return { kind: 'business-error', code: 'PLATFORM_BUSINESS_ERROR', message: errMsg || `infcode ${infcode}`, msgid };
    }
    if (infcode !== 0) return fail('unknown', 'PLATFORM_SYSTEM_ERROR', errMsg || `infcode ${String(body.infcode).slice(0, 20)}`);
    const out = schemaOf(infno).output.safeParse(body.output ?? null);
    if (!out.success)
      return fail(
        'unknown',
        'PLATFORM_MALFORMED_REPLY',
        `output of ${infno} does not match the interface: ${out.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    let output: unknown;
    try {
      output = mapMoney(out.data, yuanToFen);
    } catch (err) {
      return fail('unknown', 'PLATFORM_MALFORMED_REPLY', `output of ${infno} has an amount that is not yuan: ${(err as Error).message}`);
    }
    return { kind: 'ok', output: output as TxOutput<I>, msgid, refmsgid: typeof body.inf_refmsgid === 'string' ? body.inf_refmsgid : null };
  }

  /** 9001 once per process (and again after expiry), shared by concurrent callers. */
  async ensureSignedIn(): Promise<string> {
    if (this.signNo) return this.signNo;
    this.signing ??= (async () => {
      try {
        const r = await this.send(
          '9001',
          {
            signIn: {
              opter_no: this.o.terminal.opter.slice(0, 20),
              mac: (this.o.mac ?? '00-00-00-00-00-00').slice(0, 20),
              ip: (this.o.ip ?? '127.0.0.1').slice(0, 20),
            },
          },
          { signNo: '' },
        );
        if (r.kind !== 'ok') throw new PlatformError(r.code, `sign-in failed: ${r.message}`, r);
        this.signNo = r.output.signinoutb.sign_no;
        this.o.log.info('platform.signed_in', { sign_time: r.output.signinoutb.sign_time });
        return this.signNo;
      } finally {
        this.signing = null;
      }
    })();
    return this.signing;
  }

  async signOut(): Promise<void> {
    if (!this.signNo) return;
    const no = this.signNo;
    this.signNo = null;
    await this.send('9002', { signOut: { sign_no: no, opter_no: this.o.terminal.opter.slice(0, 20) } }, { signNo: no });
  }

  /** Forgets the sign-in the platform said expired (not a newer one another caller already made). */
  invalidateSignIn(expired?: string): void {
    if (expired === undefined || this.signNo === expired) this.signNo = null;
  }

  /**
   * For queries only (never money): retries once with a fresh msgid when the outcome is unknown
   * or unreachable (an expired sign-in is renewed inside `send`).
   */
  async query<I extends Infno>(infno: I, input: TxInput<I>, ctx: { insuplcAdmdvs?: string } = {}): Promise<TxOutput<I>> {
    if (MONEY_OR_RECORD.includes(infno)) throw new PlatformError('PLATFORM_NOT_A_QUERY', `${infno} changes money or records: use the outbox`);
    let r = await this.send(infno, input, ctx);
    if (r.kind === 'unknown' || r.kind === 'unreachable') r = await this.send(infno, input, ctx);
    if (r.kind === 'ok') return r.output;
    throw new PlatformError(r.code, r.message, r);
  }

  /** A query the service catalogue declares (service-transactions.ts), validated like the core ones. */
  async queryService(infno: string, input: unknown, ctx: { insuplcAdmdvs?: string } = {}): Promise<unknown> {
    if (!isServiceInfno(infno) && !Object.hasOwn(transactions, infno))
      throw new PlatformError('PLATFORM_UNKNOWN_TRANSACTION', `${infno} is not a declared transaction`);
    return this.query(infno as unknown as Infno, input as TxInput<Infno>, ctx);
  }

  /** Decodes an e-voucher QR code through the provincial localQrCodeQuery service (path C). */
  async ecQuery(ecQrCode: string, businessType = '01101'): Promise<EcQueryResult> {
    if (!/^[\x20-\x7e]{8,512}$/.test(ecQrCode)) throw new PlatformError('EC_QR_INVALID', 'the scanned code is not an e-voucher QR code');
    return this.ecCall('ec.query', { ecQrCode, businessType, deviceType: 'SelfService' });
  }

  /** The face-auth pair: cn.nhsa.ec.auth gives an authNo, cn.nhsa.auth.check turns it into an identity. */
  async faceAuth(businessType = '01101'): Promise<EcQueryResult> {
    const outBizNo = () => `${this.o.terminal.fixmedinsCode}${Date.now()}`.slice(0, 64);
    const auth = await this.ecCall<{ authNo: string }>('cn.nhsa.ec.auth', { outBizNo: outBizNo(), businessType });
    return this.ecCall('cn.nhsa.auth.check', { outBizNo: outBizNo(), authNo: auth.authNo, businessType });
  }

  /**
   * Asks the platform whether `jpeg` (a live frame) shows the person `idNo` as on their reference
   * photo. The frame travels sealed to the platform's key (face-envelope.ts), fetched once per
   * client. Transaction names of the simulator's contract: the real platform's face-verification
   * call is not public [K] — kept here so a region can map it.
   */
  async faceVerify(idNo: string, idType: string, jpeg: Uint8Array, businessType = '01101'): Promise<{ result: 'match' | 'no-match'; score: number | null }> {
    this.facePublicKey ??= this.ecCall<{ publicKey: string }>('cn.nhsa.face.key', {}).then((r) => r.publicKey);
    let publicKey: string;
    try {
      publicKey = await this.facePublicKey;
    } catch (err) {
      this.facePublicKey = null;
      throw err;
    }
    const r = await this.ecCall<{ result?: unknown; score?: unknown }>('cn.nhsa.face.verify', {
      idNo,
      idType,
      businessType,
      envelope: sealForPlatform(jpeg, publicKey),
    });
    if (r.result !== 'match' && r.result !== 'no-match')
      throw new PlatformError('PLATFORM_MALFORMED_REPLY', 'face verification answered neither match nor no-match');
    return { result: r.result, score: typeof r.score === 'number' ? r.score : null };
  }

  private facePublicKey: Promise<string> | null = null;

  private async ecCall<T = EcQueryResult>(transType: string, fields: Record<string, unknown>): Promise<T> {
    const t = this.o.terminal;
    const body = JSON.stringify({
      orgId: t.fixmedinsCode,
      transType,
      data: { orgId: t.fixmedinsCode, operatorId: t.opter, operatorName: t.opterName, officeId: t.opter, officeName: t.opterName, ...fields },
      extra: '',
    });
    const r = await post(this.o.baseUrl() + EC_PATH, body, this.o.signer(this.o.clock.now()), this.o.timeoutMs);
    if ('failure' in r) throw new PlatformError(r.failure === 'unreachable' ? 'PLATFORM_UNREACHABLE' : 'PLATFORM_TIMEOUT_OUTCOME_UNKNOWN', r.detail);
    let reply: { code?: unknown; message?: unknown; data?: unknown };
    try {
      reply = JSON.parse(r.bytes.toString('utf8'));
    } catch {
      throw new PlatformError('PLATFORM_MALFORMED_REPLY', 'e-voucher reply is not JSON');
    }
    if (Number(reply.code) !== 0) throw new PlatformError('EC_REFUSED', typeof reply.message === 'string' ? reply.message : `code ${String(reply.code)}`);
    const result = typeof reply.data === 'string' ? (JSON.parse(reply.data) as T) : (reply.data as T);
    if (!result || typeof result !== 'object') throw new PlatformError('PLATFORM_MALFORMED_REPLY', 'e-voucher reply has no data');
    return result;
  }
}

export interface EcQueryResult {
  idNo: string;
  idType: string;
  userName: string;
  ecToken: string;
  insuOrg: string;
  ecIndexNo?: string;
  gender?: string;
  birthday?: string;
  authNo?: string;
}
