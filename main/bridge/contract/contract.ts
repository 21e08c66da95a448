/**
 * The one bridge contract between the renderer and main. Every request and event is listed here
 * with zod schemas; the dispatcher validates both directions on both hosts (Electron IPC and the
 * Node host's HTTP + server-sent events). This folder is environment-free: it compiles under the
 * Node project and the web project alike.
 */
import { z } from 'zod';
import { deviceStatusSchema, networkStatusSchema, queueStatusSchema, serviceAccessSchema, statusSnapshotSchema } from './status';

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
  message: z.string(),
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
  .array(z.object({ listCode: z.string().min(1).max(50), quantity: z.number().positive().max(999) }).strict())
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
  receiptJobId: z.string().nullable(),
});

/** The technician's service PIN: 6 to 8 digits. */
const servicePinSchema = z.string().regex(/^\d{6,8}$/, '6 to 8 digits');

function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const requests = {
  'app.hello': request(empty, appInfoSchema),
  'status.get': request(empty, statusSnapshotSchema),
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
    z.object({ enabled: z.boolean(), enrolled: z.boolean(), consent: z.object({ purpose: z.string(), grantedAt: z.string() }).nullable() }),
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
          empName: z.string().nullable(),
          psnType: z.string(),
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
    z.object({ region: z.string(), total: fenOut, fund: fenOut, account: fenOut, cash: fenOut, ownPay: fenOut }),
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
  'kiosk.familyUnbind': request(z.object({ psnNo: z.string().min(1).max(30) }).strict(), z.object({ state: z.string(), message: z.string().nullable() })),
  'kiosk.auths': request(
    empty,
    z.object({
      auths: z.array(
        z.object({
          sn: z.string(),
          grantee: z.string(),
          scopes: z.array(z.string()),
          from: z.string(),
          to: z.string(),
          state: z.enum(['active', 'revoked', 'expired']),
        }),
      ),
      grantees: z.array(z.object({ code: z.string(), name: z.string() })),
      scopes: z.array(z.string()),
      periods: z.array(z.number()),
    }),
  ),
  'kiosk.authorise': request(
    z
      .object({
        grantee: z.string().min(1).max(30),
        scopes: z
          .array(z.string().regex(/^[a-z]{2,10}$/))
          .min(1)
          .max(10),
        days: z.number().int().positive(),
      })
      .strict(),
    z.object({ state: z.string(), message: z.string().nullable() }),
  ),
  'kiosk.revokeAuth': request(z.object({ sn: z.string().min(1).max(30) }).strict(), z.object({ state: z.string(), message: z.string().nullable() })),
  'kiosk.ssPin': request(z.object({ pin: z.string().regex(/^\d{6}$/) }).strict(), z.object({ ok: z.literal(true) })),
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
          classLevel: z.string(),
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
    z.object({ quoteId: z.string(), mode: z.enum(['online', 'offline']), split: splitSchema, expiresAt: z.string() }),
  ),
  /** Pays one quote. Idempotent: paying the same quote again returns the same sale. */
  'checkout.pay': request(
    z.object({ quoteId: z.string().uuid(), cashierConfirmed: z.literal(true), customerConfirmed: z.literal(true) }).strict(),
    saleViewSchema,
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
    z.object({ open: z.boolean(), openedAt: z.string().nullable(), cashier: z.string().nullable(), report: shiftReportSchema.nullable() }),
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
  'service.platform': request(empty, z.object({ ok: z.boolean(), ms: z.number(), detail: z.string() })),
  'service.overview': request(
    empty,
    z.object({
      storage: z.object({ ok: z.boolean(), integrity: z.string(), dbBytes: z.number(), freeBytes: z.number().nullable(), tamperedRows: z.number() }),
      queue: z.record(z.string(), z.number()),
      models: z.object({ version: z.string(), files: z.array(z.object({ name: z.string(), file: z.string(), status: z.string(), sha256: z.string() })) }),
      config: z.string(),
    }),
  ),
  'service.readiness': request(
    z.object({ print: z.boolean() }).strict(),
    z.object({ ok: z.boolean(), at: z.string(), htmlPath: z.string(), pdfPath: z.string(), receiptJobId: z.string().nullable() }),
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
  'status.device': deviceStatusSchema,
  'status.network': networkStatusSchema,
  'status.queue': queueStatusSchema,
  'status.service': serviceAccessSchema,
  'device.credential': credentialEventSchema,
  'session.changed': z.object({ session: sessionViewSchema.nullable() }),
  /** A drug barcode scanned at the counter. */
  'checkout.scan': z.object({ listCode: z.string() }),
  /** Asks the host to restart the terminal program (from service mode, behind the PIN). */
  'shell.request': z.object({ action: z.literal('restart') }),
} as const;

/**
 * Events that report a moment, not a state: a page that connects later must not receive them
 * again (a replayed drug scan would put a phantom item in the next customer's basket).
 */
export const momentaryEvents: ReadonlySet<string> = new Set<keyof typeof events>(['device.credential', 'checkout.scan', 'shell.request']);

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
