/**
 * The one bridge contract between the renderer and main. Every request and event is listed here
 * with zod schemas; the dispatcher validates both directions on both hosts (Electron IPC and the
 * Node host's HTTP + server-sent events). This folder is environment-free: it compiles under the
 * Node project and the web project alike.
 */
import { z } from 'zod';
import { deviceStatusSchema, networkStatusSchema, queueStatusSchema, serviceAccessSchema, statusSnapshotSchema } from './status';
import { platformCheckCodes, storageCheckCodes } from './service-failures';
import { selfTestDetailSchema } from './technician-text';

export const modeSchema = z.enum(['kiosk', 'checkout', 'service']);
export type Mode = z.infer<typeof modeSchema>;
export const localeSchema = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof localeSchema>;

const empty = z.object({}).strict();

export const appInfoSchema = z.object({
  version: z.string(),
  mode: modeSchema,
  locale: localeSchema,
  terminalName: z.string(),
  elderlyModeDefault: z.boolean(),
  idleTimeoutSeconds: z.number().int().positive(),
  simulate: z.boolean(),
  host: z.enum(['electron', 'node']),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const simIdCardSchema = z
  .object({
    name: z.string().min(1).max(15),
    idNumber: z.string().regex(/^[0-9A-Z]{15,18}$/),
    gender: z.enum(['0', '1', '2', '9']).default('1'),
    nation: z
      .string()
      .regex(/^\d{2}$/)
      .default('01'),
    birthDate: z.string().regex(/^\d{8}$/),
    address: z.string().max(35).default(''),
    issuer: z.string().max(15).default('公安局'),
    validFrom: z
      .string()
      .regex(/^\d{8}$/)
      .default('20200101'),
    validTo: z.string().max(8).default('长期'),
  })
  .strict();

const simSsCardSchema = z
  .object({
    cardSn: z.string().regex(/^[0-9A-F]{32}$/),
    cardNumber: z.string().regex(/^[0-9A-Z]{6,20}$/),
    idNumber: z.string().regex(/^\d{17}[\dX]$/),
    name: z.string().min(1).max(15),
    gender: z.enum(['1', '2', '9']).default('1'),
    pin: z
      .string()
      .regex(/^\d{6}$/)
      .default('123456'),
  })
  .strict();

/** Drives the simulated hardware from tests and from the running app in simulate mode. */
export const simDeviceActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('unplug'), deviceId: z.string().min(1).max(64) }).strict(),
  z.object({ action: z.literal('replug'), deviceId: z.string().min(1).max(64) }).strict(),
  z.object({ action: z.literal('insert-id-card'), card: simIdCardSchema, pullMidRead: z.boolean().default(false) }).strict(),
  z.object({ action: z.literal('remove-id-card') }).strict(),
  z.object({ action: z.literal('insert-ss-card'), card: simSsCardSchema }).strict(),
  z.object({ action: z.literal('remove-ss-card') }).strict(),
  z.object({ action: z.literal('scan'), code: z.string().min(1).max(4096), aim: z.string().max(3).default(']Q1') }).strict(),
  z
    .object({
      action: z.literal('printer'),
      condition: z.enum(['paper-out', 'paper-runs-out-soon', 'paper-loaded', 'paper-near-end', 'cover-open', 'cover-closed', 'cutter-error', 'cutter-ok']),
    })
    .strict(),
]);
export type SimDeviceAction = z.input<typeof simDeviceActionSchema>;

export const selfTestResultSchema = z.object({
  deviceId: z.string(),
  kind: z.string(),
  ok: z.boolean(),
  code: z.string().nullable(),
  /** What the test found, in English (the log, the command line, the PDF). */
  message: z.string(),
  /** The same as a code and its values, for the technician's language (technician-text.ts). */
  detail: selfTestDetailSchema,
  durationMs: z.number().nonnegative(),
});

/** What the screen may know about a presented credential: never a full number or name. */
export const credentialEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('identity'),
    certType: z.enum(['01', '02', '03']),
    provenBy: z.enum(['id-card', 'ss-card', 'qr', 'face']),
    maskedNo: z.string(),
    maskedName: z.string().nullable(),
  }),
  z.object({ kind: z.literal('error'), deviceId: z.string(), code: z.string() }),
  z.object({ kind: z.literal('removed'), deviceId: z.string() }),
]);

export const sessionViewSchema = z.object({
  provenBy: z.enum(['id-card', 'ss-card', 'qr', 'face']),
  certType: z.enum(['01', '02', '03']),
  maskedName: z.string().nullable(),
  maskedNo: z.string(),
  startedAt: z.string(),
});
export type SessionView = z.infer<typeof sessionViewSchema>;

/** 亲友代办: whether a helper is awaited, who proved themselves (masked), and why a credential was not taken. */
export const agentViewSchema = z.object({
  waiting: z.boolean(),
  agent: z.object({ maskedName: z.string(), maskedNo: z.string(), provenBy: z.enum(['id-card', 'ss-card', 'qr', 'face']) }).nullable(),
  refused: z.string().nullable(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

/** A pending call for staff: where and since when, nothing about who. */
export const helpCallSchema = z.object({ id: z.string(), at: z.string(), screen: z.string(), presses: z.number().int().positive() });
export type HelpCallView = z.infer<typeof helpCallSchema>;

export const faceHintSchema = z.enum(['OK', 'NO_FACE', 'MULTIPLE_FACES', 'TOO_SMALL', 'NOT_INSIDE', 'TURN_TO_CAMERA', 'EYES_CLOSED', 'BLURRY']);
export const facePurposeSchema = z.enum(['enrol', 'verify', 'login', 'pay']);

/** A face session's progress as the screen may see it: no embedding, no identity. */
export const faceProgressSchema = z.object({
  sessionId: z.string(),
  state: z.enum(['collecting', 'done', 'failed']),
  hint: faceHintSchema,
  framesAccepted: z.number().int().nonnegative(),
  framesNeeded: z.number().int().positive(),
  challenge: z.enum(['blink', 'turn-left', 'turn-right']).nullable(),
  challengeStep: z.enum(['start', 'act', 'return', 'done']).nullable(),
  box: z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }).nullable(),
  error: z.string().nullable(),
  result: z.object({ purpose: facePurposeSchema, match: z.boolean().nullable(), enrolled: z.boolean() }).nullable(),
});
export type FaceProgressView = z.infer<typeof faceProgressSchema>;

/** A camera frame as JPEG, base64. Bounded: a 640x480 JPEG is ~40-80 KB. */
export const jpegBase64Schema = z
  .string()
  .min(100)
  .max(2_000_000)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 JPEG data');

const fenOut = z.number().int();
export const kioskServiceSchema = z.enum(['settlements', 'cumulative', 'filings']);

/** One 一站式 tier of a settlement or estimate (统筹基金, 大病保险, 医疗救助, 个人账户, 共济账户, 现金). */
export const tierSchema = z.object({
  key: z.enum(['pooling', 'critical', 'assistance', 'otherFund', 'account', 'mutualAid', 'cash']),
  label: z.string(),
  amount: fenOut,
});
/** One 事中审核 warning of a quote, as the cashier sees it. */
export const auditWarningSchema = z.object({
  warningId: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  content: z.string(),
  amount: fenOut,
  severity: z.enum(['block', 'warn']),
  basis: z.string().nullable(),
  source: z.enum(['platform', 'local', 'redelivery']),
  lineId: z.string().nullable(),
  disposition: z.enum(['continue', 'modify']).nullable(),
  reason: z.string().nullable(),
});
export const quoteAuditSchema = z.object({
  source: z.enum(['platform', 'local']),
  warnings: z.array(auditWarningSchema),
  blocked: z.boolean(),
  open: z.number().int(),
});

/** The tiers the fund pays (一站式 统筹 + 大病 + 救助 + other funds), listed under 基金支付 on screen and paper. */
export const FUND_TIER_KEYS: readonly TierKey[] = ['pooling', 'critical', 'assistance', 'otherFund'];
export type TierKey = z.infer<typeof tierSchema>['key'];
export const splitSchema = z.object({
  medfee: fenOut,
  fund: fenOut,
  hifp: fenOut,
  hifmi: fenOut,
  hifob: fenOut,
  maf: fenOut,
  acct: fenOut,
  mulaid: fenOut,
  cash: fenOut,
  balance: fenOut.nullable(),
});
const basketSchema = z
  .array(
    z
      .object({
        listCode: z.string().min(1).max(50),
        quantity: z.number().positive().max(999),
        /** 药品追溯码 scanned from the boxes of this line (20 digits each), at most one a box. */
        traceCodes: z
          .array(z.string().regex(/^\d{20}$/, '20-digit drug trace code'))
          .max(50)
          .optional(),
      })
      .strict(),
  )
  .min(1)
  .max(60);
/** 处方 for prescription drugs in the basket (rxno, 开方医师 code and name, 外购处方). */
const prescriptionSchema = z
  .object({
    rxno: z.string().trim().min(1).max(30),
    doctorCode: z.string().trim().min(1).max(30),
    doctorName: z.string().trim().min(1).max(50),
    external: z.boolean(),
  })
  .strict();
/** The states of a sale at the counter, owned by main (main/pharmacy/sales.ts). */
export const saleStateSchema = z.enum([
  'quoted',
  'paying',
  'settled',
  'pending-offline',
  'unknown',
  'needs-attention',
  'failed',
  'refunding',
  'refunded',
  'expired',
  'superseded',
]);
const saleViewSchema = z.object({
  saleId: z.string(),
  itemId: z.string(),
  state: saleStateSchema,
  offline: z.boolean(),
  split: splitSchema,
  setlId: z.string().nullable(),
  cashCollected: fenOut,
  collect: fenOut.nullable(),
  receiptJobId: z.string().nullable(),
  reason: z.string().nullable(),
});
/** Why a settled sale is refunded: a fixed list, printed on the reversal receipt and the shift report. */
export const refundReasons = ['customer-return', 'wrong-item', 'wrong-quantity', 'wrong-person', 'duplicate-charge', 'price-error'] as const;
export type RefundReason = (typeof refundReasons)[number];
const totalsSchema = z.object({ count: z.number().int(), medfee: fenOut, fund: fenOut, account: fenOut, cash: fenOut });
export const shiftReportSchema = z.object({
  shiftId: z.string(),
  cashier: z.string(),
  openedAt: z.string(),
  closedAt: z.string(),
  sales: totalsSchema,
  refunds: totalsSchema,
  net: totalsSchema,
  offline: z.object({ count: z.number().int(), medfee: fenOut }),
  attention: z.array(z.object({ saleId: z.string(), itemId: z.string(), reason: z.string().nullable(), collect: fenOut.nullable() })),
  audit: z.object({
    warnings: z.number().int(),
    blocked: z.number().int(),
    redelivery: z.number().int(),
    overridden: z.array(z.object({ saleId: z.string(), ruleName: z.string(), content: z.string(), reason: z.string() })),
  }),
  receiptJobId: z.string().nullable(),
});

/** The technician's service PIN: 6 to 8 digits. */
const servicePinSchema = z.string().regex(/^\d{6,8}$/, '6 to 8 digits');

const serviceCategory = z.enum(['query', 'apply', 'pay', 'print', 'auth']);
const serviceIdentity = z.enum(['public', 'card', 'verified']);
export const serviceListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  en: z.string(),
  category: serviceCategory,
  rank: z.number(),
  identity: serviceIdentity,
  screen: z.string().nullable(),
  unavailable: z.string().nullable(),
});
export type ServiceListItemView = z.infer<typeof serviceListItemSchema>;
export const serviceViewSchema = z.object({
  ticket: z.string(),
  id: z.string(),
  name: z.string(),
  category: serviceCategory,
  prompt: z.string(),
  identity: serviceIdentity,
  printable: z.boolean(),
  fields: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      kind: z.enum(['text', 'phone', 'idno', 'date', 'select', 'textarea', 'commit', 'year', 'money']),
      required: z.boolean(),
      options: z.array(z.object({ code: z.string(), name: z.string() })).nullable(),
      when: z.object({ field: z.string(), in: z.array(z.string()) }).nullable(),
      maxLength: z.number().int(),
      help: z.string().nullable(),
      initial: z.string().nullable(),
      /** Filled in by main from a proven credential (the 代办人 of 亲友代办): shown, not edited. */
      fixed: z.boolean().optional(),
    }),
  ),
});
export type ServiceFormView = z.infer<typeof serviceViewSchema>;
export const serviceResultSchema = z.object({
  ticket: z.string(),
  title: z.string(),
  state: z.enum(['done', 'refused', 'pending']),
  message: z.string().nullable(),
  columns: z.array(z.object({ key: z.string(), label: z.string() })).nullable(),
  rows: z.array(z.record(z.string(), z.string())).nullable(),
  fields: z.array(z.object({ label: z.string(), value: z.string() })).nullable(),
  printable: z.boolean(),
});
export type ServiceResultView = z.infer<typeof serviceResultSchema>;

function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

/** One authorisation as the person sees it (个人信息授权): names, never codes, except the item keys. */
export const authorisationViewSchema = z.object({
  sn: z.string(),
  grantee: z.string(),
  purpose: z.string(),
  items: z.array(z.object({ key: z.string(), name: z.string(), level: z.number().int().min(1).max(4) })),
  levels: z.array(z.number().int().min(1).max(4)),
  medTypes: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  perDay: z.number().int().nullable(),
  total: z.number().int().nullable(),
  used: z.number().int(),
  state: z.enum(['pending', 'active', 'revoked', 'expired']),
  /** Whose data: the person's own, or a child's the person authorised for as guardian. */
  subject: z.object({ self: z.boolean(), maskedName: z.string() }),
  agreementVersion: z.string(),
  verifiedBy: z.enum(['face', 'card-pin']),
  signedAt: z.string(),
});
export type AuthorisationView = z.infer<typeof authorisationViewSchema>;

/** What the authorisation form offers, with the classification and the agreement text behind it. */
export const authorisationOptionsSchema = z.object({
  grantees: z.array(z.object({ code: z.string(), name: z.string(), purposes: z.array(z.string()) })),
  purposes: z.array(z.object({ code: z.string(), name: z.string() })),
  items: z.array(z.object({ key: z.string(), name: z.string(), level: z.number().int().min(1).max(4), fields: z.array(z.string()) })),
  levels: z.array(
    z.object({
      level: z.number().int().min(1).max(4),
      name: z.string(),
      thirdParty: z.boolean(),
      frequencyLimit: z.boolean(),
      maxDays: z.number().int(),
      medTypes: z.boolean(),
    }),
  ),
  medTypes: z.array(z.object({ code: z.string(), name: z.string() })),
  periods: z.array(z.number().int()),
  frequency: z.object({ perDay: z.object({ min: z.number(), max: z.number() }), total: z.object({ min: z.number(), max: z.number() }) }),
  agreement: z.object({ version: z.string(), title: z.string(), paragraphs: z.array(z.string()) }),
  today: z.string(),
});
export type AuthorisationOptions = z.infer<typeof authorisationOptionsSchema>;

const shiftStatusSchema = z.object({ open: z.boolean(), openedAt: z.string().nullable(), cashier: z.string().nullable() });

export const requests = {
  'app.hello': request(empty, appInfoSchema),
  /**
   * A prompt spoken by main's speech engine (espeak-ng), as WAV the page plays; amounts and ID
   * numbers are replaced before speaking. `audio` is null where no engine is installed.
   */
  'voice.say': request(
    z.object({ text: z.string().min(1).max(1000), lang: z.enum(['zh', 'en']), rate: z.number().min(0.5).max(2) }).strict(),
    z.object({ audio: z.string().nullable(), engine: z.string().nullable(), spoken: z.string().nullable() }),
  ),
  'status.get': request(empty, statusSnapshotSchema),
  /** 呼叫工作人员: raises the call (one pending call however often pressed); `screen` says where the resident is. */
  'help.call': request(z.object({ screen: z.string().max(64) }).strict(), z.object({ call: helpCallSchema })),
  /** The pending call, if any. */
  'help.get': request(empty, z.object({ call: helpCallSchema.nullable() })),
  /** The caller withdraws the pending call (staff answer it from service mode). */
  'help.withdraw': request(empty, z.object({ ended: z.boolean() })),
  /** Drives a simulated device; refused with BRIDGE_NOT_AVAILABLE unless devices are simulated. */
  'sim.device': request(simDeviceActionSchema, z.object({ devices: z.array(deviceStatusSchema) })),
  /** What the simulated printer has put on paper (simulate mode only): one entry per cut. */
  'sim.printed': request(empty, z.object({ receipts: z.array(z.object({ lines: z.array(z.string()), qr: z.array(z.string()), cut: z.boolean() })) })),
  'devices.selfTest': request(empty, z.object({ results: z.array(selfTestResultSchema) })),
  'session.get': request(empty, z.object({ session: sessionViewSchema.nullable() })),
  'session.end': request(z.object({ reason: z.enum(['logout', 'idle']) }).strict(), z.object({ ended: z.boolean() })),
  'session.touch': request(empty, z.object({ ok: z.literal(true) })),
  /** The person's face-recognition status: enrolled or not, and their consent. */
  'face.status': request(
    empty,
    z.object({
      enabled: z.boolean(),
      enrolled: z.boolean(),
      consent: z.object({ purpose: z.string(), grantedAt: z.string() }).nullable(),
      /** The chain whose terminals share an enrolment made here (the consent must name it), or null: this terminal only. */
      sharing: z.object({ chain: z.string(), name: z.string() }).nullable(),
    }),
  ),
  /** Separate, explicit consent to face recognition for the session's person. */
  'face.consent': request(
    z
      .object({
        purpose: z.enum(['kiosk-login', 'payment']),
        accept: z.literal(true),
        factor: z
          .string()
          .regex(/^\d{4}$/)
          .optional(),
      })
      .strict(),
    z.object({ consentId: z.number().int() }),
  ),
  'face.start': request(
    z
      .object({
        purpose: facePurposeSchema,
        factor: z
          .string()
          .regex(/^\d{4}$/)
          .optional(),
      })
      .strict(),
    faceProgressSchema,
  ),
  'face.frame': request(z.object({ sessionId: z.string().uuid(), jpeg: jpegBase64Schema }).strict(), faceProgressSchema),
  'face.cancel': request(z.object({ sessionId: z.string().uuid() }).strict(), z.object({ ok: z.literal(true) })),
  'kiosk.person': request(
    empty,
    z.object({
      maskedName: z.string(),
      gender: z.string(),
      age: z.number().int(),
      selected: z.string(),
      records: z.array(
        z.object({
          insutype: z.string(),
          insutypeName: z.string(),
          status: z.string(),
          balance: fenOut,
          admdvs: z.string(),
          admdvsName: z.string(),
          empName: z.string().nullable(),
          psnType: z.string(),
          psnTypeName: z.string(),
          since: z.string().nullable(),
        }),
      ),
    }),
  ),
  'kiosk.selectRecord': request(z.object({ insutype: z.string().regex(/^\d{3}$/) }).strict(), z.object({ ok: z.literal(true) })),
  'kiosk.settlements': request(
    empty,
    z.object({
      rows: z.array(
        z.object({
          mdtrtId: z.string(),
          setlId: z.string().nullable(),
          medType: z.string(),
          date: z.string(),
          institution: z.string(),
          disease: z.string().nullable(),
        }),
      ),
    }),
  ),
  'kiosk.settlementDetail': request(
    z.object({ setlId: z.string().min(1).max(30), mdtrtId: z.string().min(1).max(30) }).strict(),
    z.object({
      summary: z.object({ total: fenOut, fund: fenOut, account: fenOut, cash: fenOut, date: z.string() }),
      tiers: z.array(tierSchema),
      lines: z.array(z.object({ name: z.string(), quantity: z.number(), amount: fenOut })),
    }),
  ),
  'kiosk.cumulative': request(empty, z.object({ rows: z.array(z.object({ code: z.string(), amount: fenOut })) })),
  'kiosk.filings': request(
    empty,
    z.object({ rows: z.array(z.object({ kind: z.enum(['chronic', 'designated']), sn: z.string(), name: z.string(), since: z.string() })) }),
  ),
  'kiosk.options': request(
    z.object({ kind: z.enum(['chronic', 'designated', 'transfer']) }).strict(),
    z.object({ options: z.array(z.object({ code: z.string(), name: z.string() })) }),
  ),
  'kiosk.file': request(
    z
      .object({
        action: z.enum(['apply', 'cancel']),
        kind: z.enum(['chronic', 'designated', 'transfer']),
        code: z.string().max(30).optional(),
        sn: z.string().max(30).optional(),
        reason: z.string().max(100).optional(),
      })
      .strict(),
    z.object({ state: z.string(), sn: z.string().nullable(), message: z.string().nullable() }),
  ),
  'kiosk.catalogue': request(empty, z.object({ drugs: z.array(z.object({ listCode: z.string(), name: z.string(), spec: z.string(), price: fenOut })) })),
  'kiosk.estimate': request(
    z
      .object({
        medType: z.enum(['11', '14', '21', '41']),
        lines: z
          .array(z.object({ listCode: z.string().max(50), quantity: z.number().positive().max(1000) }).strict())
          .min(1)
          .max(50),
      })
      .strict(),
    z.object({ region: z.string(), total: fenOut, fund: fenOut, account: fenOut, cash: fenOut, ownPay: fenOut, tiers: z.array(tierSchema) }),
  ),
  'kiosk.policy': request(z.object({ locale: localeSchema }).strict(), z.object({ region: z.string(), lines: z.array(z.string()) })),
  'kiosk.printCertificate': request(empty, z.object({ jobId: z.string() })),
  'kiosk.printJob': request(z.object({ jobId: z.string().max(100) }).strict(), z.object({ state: z.string(), reason: z.string().nullable() })),
  'kiosk.contributions': request(
    empty,
    z.object({ rows: z.array(z.object({ year: z.string(), insutype: z.string(), amount: fenOut, paidAt: z.string(), channel: z.string() })) }),
  ),
  'kiosk.premiumOrder': request(
    z.object({ orderId: z.string().max(40).optional() }).strict(),
    z.object({
      orderId: z.string(),
      orderNo: z.string(),
      amount: fenOut,
      payUrl: z.string(),
      expireTime: z.string(),
      state: z.enum(['unpaid', 'paid', 'expired']),
      paidAt: z.string().nullable(),
    }),
  ),
  'kiosk.family': request(
    empty,
    z.object({
      members: z.array(z.object({ psnNo: z.string(), maskedName: z.string(), maskedNo: z.string(), relation: z.string(), since: z.string() })),
      relations: z.array(z.object({ code: z.string(), name: z.string() })),
    }),
  ),
  'kiosk.familyAwait': request(empty, z.object({ ok: z.literal(true) })),
  'kiosk.familyMember': request(
    empty,
    z.object({ waiting: z.boolean(), member: z.object({ maskedName: z.string().nullable(), maskedNo: z.string(), provenBy: z.string() }).nullable() }),
  ),
  'kiosk.familyBind': request(z.object({ relation: z.string().regex(/^\d{2}$/) }).strict(), z.object({ state: z.string(), message: z.string().nullable() })),
  /** A child under 16 bound by the guardian with the 户口簿户号 (the child need not be present). */
  'kiosk.familyBindChild': request(
    z
      .object({
        idNumber: z.string().min(18).max(18),
        name: z.string().min(1).max(50),
        household: z.string().min(1).max(18),
        relation: z.string().regex(/^\d{2}$/),
      })
      .strict(),
    z.object({ state: z.string(), message: z.string().nullable() }),
  ),
  'kiosk.familyUnbind': request(z.object({ psnNo: z.string().min(1).max(30) }).strict(), z.object({ state: z.string(), message: z.string().nullable() })),
  // 个人信息授权 (main/kiosk/authorisation): the person's authorisations and the form's options, a
  // ticket for a new one, its submission (once per ticket), its usage log, revocation and paper.
  'kiosk.auths': request(empty, z.object({ auths: z.array(authorisationViewSchema), options: authorisationOptionsSchema })),
  'kiosk.authOpen': request(empty, z.object({ ticket: z.string().uuid() })),
  'kiosk.authorise': request(
    z
      .object({
        ticket: z.string().uuid(),
        grantee: z.string().min(1).max(30),
        purpose: z.string().min(1).max(3),
        items: z
          .array(z.string().regex(/^[a-z]{2,10}$/))
          .min(1)
          .max(12),
        medTypes: z
          .array(z.string().regex(/^\d{2,4}$/))
          .max(10)
          .default([]),
        start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        days: z.number().int().positive().max(3660),
        perDay: z.number().int().positive().max(1000).nullable(),
        total: z.number().int().positive().max(100000).nullable(),
        agreementVersion: z.string().min(1).max(20),
        ward: z
          .object({ idNumber: z.string().min(15).max(18), name: z.string().min(1).max(15) })
          .strict()
          .nullable()
          .default(null),
      })
      .strict(),
    z.object({ state: z.string(), message: z.string().nullable(), sn: z.string().nullable() }),
  ),
  /** 预览: what a third party would receive under these items — fields, level and the records held now. */
  'kiosk.authPreview': request(
    z.object({ items: z.array(z.string().max(20)).min(1).max(10), medTypes: z.array(z.string().max(6)).max(10) }).strict(),
    z.object({
      items: z.array(
        z.object({
          key: z.string(),
          name: z.string(),
          level: z.number().int(),
          fields: z.array(z.string()),
          records: z.number().int(),
          medTypes: z.array(z.string()),
        }),
      ),
    }),
  ),
  'kiosk.authUsage': request(
    z.object({ sn: z.string().min(1).max(30) }).strict(),
    z.object({
      rows: z.array(
        z.object({
          traceId: z.string(),
          at: z.string(),
          grantee: z.string(),
          items: z.array(z.string()),
          medTypes: z.array(z.string()),
          allowed: z.boolean(),
          reason: z.string().nullable(),
        }),
      ),
    }),
  ),
  'kiosk.revokeAuth': request(
    z.object({ sn: z.string().min(1).max(30) }).strict(),
    z.object({ state: z.string(), message: z.string().nullable(), sn: z.string().nullable() }),
  ),
  'kiosk.authPrint': request(z.object({ sn: z.string().min(1).max(30) }).strict(), z.object({ jobId: z.string() })),
  'kiosk.ssPin': request(z.object({ pin: z.string().regex(/^\d{6}$/) }).strict(), z.object({ ok: z.literal(true) })),
  // The service catalogue: the home screen's list, a generic form with the ticket main issued, its
  // submission (once per ticket) and the paper of a completed service.
  /** 亲友代办: wait for the helper's own credential (the next card or 医保码 is the helper's, not a new session). */
  'kiosk.agentAwait': request(empty, agentViewSchema),
  'kiosk.agentStatus': request(empty, agentViewSchema),
  /** No helper any more: later filings have no 代办人. */
  'kiosk.agentClear': request(empty, agentViewSchema),
  'kiosk.services': request(empty, z.object({ services: z.array(serviceListItemSchema) })),
  'kiosk.serviceOpen': request(z.object({ id: z.string().min(1).max(40) }).strict(), serviceViewSchema),
  'kiosk.serviceSubmit': request(
    z
      .object({
        ticket: z.string().uuid(),
        values: z.record(z.string().max(40), z.union([z.string().max(1000), z.boolean()])).refine((v) => Object.keys(v).length <= 40, 'too many fields'),
      })
      .strict(),
    serviceResultSchema,
  ),
  'kiosk.servicePrint': request(z.object({ ticket: z.string().uuid() }).strict(), z.object({ jobId: z.string() })),
  'checkout.catalogue': request(
    empty,
    z.object({
      drugs: z.array(
        z.object({
          listCode: z.string(),
          barcode: z.string(),
          name: z.string(),
          spec: z.string(),
          price: fenOut,
          prescription: z.boolean(),
          /** 甲 01 / 乙 02 / 丙 03 of the 医保目录. */
          classLevel: z.enum(['01', '02', '03']),
          /** The share the customer pays themselves as the policy engine prices the line (甲 0, 乙 its 先行自付, 丙 all), basis points. */
          selfPayBp: z.number().int().min(0).max(10_000),
        }),
      ),
    }),
  ),
  'checkout.customer': request(
    empty,
    z.object({ customer: z.object({ maskedName: z.string(), maskedNo: z.string(), insutype: z.string(), balance: fenOut, provenBy: z.string() }).nullable() }),
  ),
  'checkout.quote': request(
    z.object({ items: basketSchema, useAccount: z.boolean(), prescription: prescriptionSchema.optional() }).strict(),
    z.object({
      quoteId: z.string(),
      mode: z.enum(['online', 'offline']),
      split: splitSchema,
      tiers: z.array(tierSchema),
      expiresAt: z.string(),
      audit: quoteAuditSchema,
    }),
  ),
  /** 事中审核: the cashier goes on despite warnings of a quote, each with a written reason (4–500 characters). */
  'checkout.auditOverride': request(
    z
      .object({
        quoteId: z.string().uuid(),
        answers: z
          .array(z.object({ warningId: z.string().min(1).max(60), reason: z.string().max(2000) }).strict())
          .min(1)
          .max(100),
      })
      .strict(),
    quoteAuditSchema,
  ),
  /** Pays one quote. Idempotent: paying the same quote again returns the same sale. A 共济 quote also needs the account owner's confirmation. */
  'checkout.pay': request(
    z
      .object({ quoteId: z.string().uuid(), cashierConfirmed: z.literal(true), customerConfirmed: z.literal(true), ownerConfirmed: z.literal(true).optional() })
      .strict(),
    saleViewSchema,
  ),
  /** 家庭共济 at the counter: wait for the account owner's credential, drop it, or ask how it stands. */
  'checkout.mutualAid': request(
    z.object({ action: z.enum(['await', 'cancel', 'status']) }).strict(),
    z.object({ waiting: z.boolean(), owner: z.object({ maskedName: z.string(), maskedNo: z.string() }).nullable(), error: z.string().nullable() }),
  ),
  'checkout.sales': request(
    empty,
    z.object({
      sales: z.array(
        z.object({
          saleId: z.string(),
          itemId: z.string(),
          kind: z.enum(['sale', 'refund']),
          state: z.string(),
          total: fenOut,
          setlId: z.string().nullable(),
          refundable: z.boolean(),
          at: z.string(),
          reason: z.string().nullable(),
        }),
      ),
    }),
  ),
  'checkout.refund': request(
    z
      .object({ saleId: z.string().uuid(), reason: z.enum(refundReasons), note: z.string().trim().max(100).optional(), cashierConfirmed: z.literal(true) })
      .strict(),
    z.object({ refundId: z.string(), itemId: z.string(), state: z.string(), reason: z.string().nullable(), receiptJobId: z.string().nullable() }),
  ),
  'checkout.queue': request(
    empty,
    z.object({
      pending: z.number().int(),
      unknown: z.number().int(),
      needsAttention: z.number().int(),
      done: z.number().int(),
      attention: z.array(z.object({ itemId: z.string(), state: z.string(), reason: z.string().nullable(), collect: fenOut.nullable(), at: z.string() })),
    }),
  ),
  'checkout.resolve': request(z.object({ itemId: z.string().uuid(), note: z.string().min(1).max(100) }).strict(), z.object({ ok: z.literal(true) })),
  'checkout.drain': request(empty, z.object({ processed: z.number().int() })),
  'checkout.shift': request(
    z.object({ action: z.enum(['status', 'open', 'close']), cashier: z.string().trim().min(1).max(20).optional() }).strict(),
    shiftStatusSchema.extend({ report: shiftReportSchema.nullable() }),
  ),
  'checkout.endCustomer': request(empty, z.object({ ok: z.literal(true) })),
  /** Whether a service PIN is set and whether service mode is open, backing off or locked out. Open to every page. */
  'service.status': request(empty, serviceAccessSchema),
  /** The first PIN on a terminal (no PIN yet), or a new one while service mode is open. Entered twice. */
  'service.setPin': request(z.object({ pin: servicePinSchema, confirm: servicePinSchema }).strict(), z.object({ ok: z.literal(true) })),
  'service.unlock': request(z.object({ pin: servicePinSchema }).strict(), z.object({ ok: z.literal(true) })),
  /** The technician leaves service mode: it locks at once. */
  'service.lock': request(empty, z.object({ ok: z.literal(true) })),
  'service.selfTest': request(z.object({ deviceId: z.string().max(64).optional() }).strict(), z.object({ results: z.array(selfTestResultSchema) })),
  /**
   * The 9001 sign-in round trip: on success when the platform signed in, on failure the code (and,
   * when the platform refused, its own words) for the screen to explain.
   */
  'service.platform': request(
    empty,
    z.object({
      ok: z.boolean(),
      ms: z.number(),
      code: z.enum(platformCheckCodes).nullable(),
      signedInAt: z.string().nullable(),
      platformMessage: z.string().nullable(),
    }),
  ),
  'service.overview': request(
    empty,
    z.object({
      storage: z.object({
        ok: z.boolean(),
        integrity: z.string(),
        dbBytes: z.number(),
        freeBytes: z.number().nullable(),
        tamperedRows: z.number(),
        problems: z.array(z.enum(storageCheckCodes)),
      }),
      queue: z.record(z.string(), z.number()),
      models: z.object({ version: z.string(), files: z.array(z.object({ name: z.string(), file: z.string(), status: z.string(), sha256: z.string() })) }),
      config: z.string(),
    }),
  ),
  'service.readiness': request(
    /** `locale`: the language of the screen that asks, for the report's page (Chinese when left out). */
    z.object({ print: z.boolean(), locale: localeSchema.optional() }).strict(),
    z.object({
      ok: z.boolean(),
      at: z.string(),
      htmlPath: z.string(),
      pdfPath: z.string(),
      receiptJobId: z.string().nullable(),
      /** Why the receipt was not printed when printing was asked for (PRINTER_PAPER_OUT, …); null when it was. */
      printCode: z.string().nullable(),
    }),
  ),
  /** The technician restarts the terminal program (Electron relaunches; the Node host cannot). */
  'service.restart': request(empty, z.object({ ok: z.literal(true) })),
  'service.logs': request(
    z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error']).optional(), text: z.string().max(100).optional(), limit: z.number().int().min(1).max(500) })
      .strict(),
    z.object({ lines: z.array(z.object({ t: z.string(), level: z.string(), msg: z.string(), raw: z.string() })) }),
  ),
  /** Detection boxes and timing for the camera preview: no embedding, no identity. */
  'service.analyzeFrame': request(
    z.object({ jpeg: jpegBase64Schema }).strict(),
    z.object({ boxes: z.array(z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number(), score: z.number() })), ms: z.number() }),
  ),
  /** Deletes the session person's face templates and withdraws the consent. */
  'face.delete': request(empty, z.object({ removed: z.number().int().nonnegative() })),
} as const;

export const events = {
  /** The counter's shift opened or closed (from any page of the terminal). */
  'checkout.shift': shiftStatusSchema,
  'status.device': deviceStatusSchema,
  'status.network': networkStatusSchema,
  'status.queue': queueStatusSchema,
  'status.service': serviceAccessSchema,
  'device.credential': credentialEventSchema,
  'session.changed': z.object({ session: sessionViewSchema.nullable() }),
  /** A call for staff raised or ended (呼叫工作人员). */
  'help.changed': z.object({ call: helpCallSchema.nullable() }),
  /** A drug barcode scanned at the counter. */
  'checkout.scan': z.object({ listCode: z.string() }),
  /** A 药品追溯码 scanned at the counter: it belongs to the box of the drug scanned last. */
  'checkout.trace': z.object({ code: z.string().regex(/^\d{20}$/) }),
  /** Asks the host to restart the terminal program (from service mode, behind the PIN). */
  'shell.request': z.object({ action: z.literal('restart') }),
} as const;

/**
 * Events that report a moment, not a state: a page that connects later must not receive them
 * again (a replayed drug scan would put a phantom item in the next customer's basket).
 */
export const momentaryEvents: ReadonlySet<string> = new Set<keyof typeof events>(['device.credential', 'checkout.scan', 'checkout.trace', 'shell.request']);

export type Requests = typeof requests;
export type Channel = keyof Requests;
export type RequestInput<C extends Channel> = z.input<Requests[C]['input']>;
export type RequestOutput<C extends Channel> = z.output<Requests[C]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(requests, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** What the renderer sees, whichever host carries it. The preload ends in `satisfies EStationBridge`. */
export interface EStationBridge {
  call<C extends Channel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Envelope carried by both transports for one event. */
export const eventEnvelopeSchema = z.object({ event: z.string(), payload: z.unknown() });
