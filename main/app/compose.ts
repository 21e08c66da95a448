/**
 * The composition root: builds every service of the terminal from one validated config object.
 * Both hosts (Electron and the Node host) call `createApp` and put their transport in front of
 * the dispatcher it returns.
 */
import path from 'node:path';
import type { Config } from './config';
import { defaultDataDir } from './paths';
import { systemClock, type Clock } from '../ground/clock';
import { appVersion } from '../ground/version';
import { BridgeError, type QueueStatus } from '../bridge/contract';
import { Dispatcher, type Handlers } from '../bridge/dispatcher';
import { EventBus } from '../bridge/event-bus';
import { createLogger, fileSink, stderrSink, type Logger, type LogSink } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import { DeviceSupervisor } from '../devices/supervisor';
import { DeviceManager } from '../devices/manager';
import { applySimAction } from '../devices/simulation';
import { maskIdNumber, maskName } from '../bridge/contract';
import { PlatformHealth } from '../platform/health';
import type { PlatformClient } from '../platform/client';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { ResidentSession } from '../session/session';
import { FaceService } from '../face/service';
import { FaceGallery } from '../face/gallery';
import { WorkerAnalyzer } from '../face/analyzer';
import { FileKeyProvider, type KeyProvider } from '../face/keys';
import { checkModels, manifest } from '../../models/manifest';
import { faceHandlers } from '../face/handlers';
import { Outbox } from '../outbox/outbox';
import { Drainer } from '../outbox/drainer';
import { CheckoutService } from '../pharmacy/checkout';
import { Reconciler } from '../pharmacy/reconcile';
import { RowMac } from '../store/row-mac';
import { POLICIES } from '../policy/policies';
import { KioskServices } from '../kiosk/services';
import { kioskHandlers } from '../kiosk/handlers';
import { platformClientFor } from './platform-client';
import type { Identity } from '../devices/identity';
import { CheckoutCounter } from '../pharmacy/counter';
import { Diagnostics } from '../service/diagnostics';

export interface AppOptions {
  host: 'electron' | 'node';
  clock?: Clock;
  /** Extra log sinks, e.g. a memory sink in tests. Logs always go to the data directory. */
  logSinks?: LogSink[];
  logToStderr?: boolean;
  /** Protects biometric templates; default: a 0600 key file in the data directory. */
  faceKeys?: KeyProvider;
  /** The face worker's bundled file, in the Electron build. */
  faceWorkerFile?: string;
}

export interface App {
  config: Config;
  dataDir: string;
  log: Logger;
  db: Db;
  bus: EventBus;
  dispatcher: Dispatcher;
  devices: DeviceManager;
  supervisor: DeviceSupervisor;
  health: PlatformHealth;
  platform: PlatformClient;
  outbox: Outbox;
  drainer: Drainer;
  checkout: CheckoutService;
  reconciler: Reconciler;
  /** The embedded simulator when platform.kind is embedded. */
  simulator: PlatformSimulator | null;
  session: ResidentSession;
  face: FaceService | null;
  platformUrl: string;
  close(): Promise<void>;
}

export function resolveDataDir(config: Config): string {
  return config.dataDir ? path.resolve(config.dataDir) : defaultDataDir();
}

export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const clock = opts.clock ?? systemClock;
  const dataDir = resolveDataDir(config);
  const sinks = [fileSink(path.join(dataDir, 'logs')), ...(opts.logSinks ?? []), ...(opts.logToStderr ? [stderrSink] : [])];
  const log = createLogger({ level: config.log.level, sinks, fields: { terminal: config.terminal.id } });
  const db = openDatabase(path.join(dataDir, 'estation.sqlite'));
  const bus = new EventBus(log);
  const closers: (() => Promise<void> | void)[] = [() => void db.close()];

  let sim: PlatformSimulator | null = null;
  if (config.platform.kind === 'embedded') {
    sim = await startPlatformSimulator({ dbFile: path.join(dataDir, 'platform-sim.sqlite'), admdvs: config.terminal.admdvs });
    closers.unshift(() => sim?.close());
  }
  const platformUrl = config.platform.kind === 'embedded' ? sim!.url : config.platform.url!;

  const supervisor = new DeviceSupervisor(clock);
  supervisor.on('status', (s) => bus.emit('status.device', s, s.id));
  const platform = platformClientFor(config, db, () => platformUrl, clock, log.child({ component: 'platform' }));

  const devices = new DeviceManager(config.devices, supervisor, clock, log.child({ component: 'devices' }), dataDir);
  devices.on('identity', (id) =>
    bus.emit('device.credential', { kind: 'identity', certType: id.certType, provenBy: id.provenBy, maskedNo: maskIdNumber(id.certNo), maskedName: id.name ? maskName(id.name) : null }),
  );
  devices.on('card-error', (e) => bus.emit('device.credential', { kind: 'error', deviceId: e.deviceId, code: e.code }));
  devices.on('card-removed', (e) => bus.emit('device.credential', { kind: 'removed', deviceId: e.deviceId }));
  await devices.start();
  closers.unshift(() => devices.stop());

  const session = new ResidentSession(clock, log.child({ component: 'session' }), (config.ui.idleTimeoutSeconds + 30) * 1000);
  session.on('changed', (view) => bus.emit('session.changed', { session: view }));
  // While a resident binds a family member (亲情账户), the next credential is the member's, not a new session.
  let offerMember: (id: Identity) => boolean = () => false;
  devices.on('identity', (id) => {
    if (!offerMember(id)) session.begin(id);
  });
  devices.on('card-removed', (e) => {
    const by = session.current?.provenBy;
    if ((e.deviceId === 'id-card' && by === 'id-card') || (e.deviceId === 'ss-card' && by === 'ss-card')) session.end('card-removed');
  });
  closers.unshift(() => session.end('shutdown'));

  let face: FaceService | null = null;
  if (config.face.enabled) {
    const missing = checkModels().filter((c) => c.status !== 'verified');
    if (missing.length) log.warn('face.unavailable', { reason: 'models not verified', models: missing.map((m) => `${m.file}:${m.status}`) });
    else {
      const analyzer = await WorkerAnalyzer.create({ intraOpNumThreads: config.face.intraOpNumThreads }, opts.faceWorkerFile);
      const gallery = new FaceGallery(db, opts.faceKeys ?? new FileKeyProvider(path.join(dataDir, 'keys', 'face.key')), clock, {
        modelVersion: manifest.version,
        terminalId: config.terminal.id,
        retentionDays: config.face.retentionDays,
      });
      gallery.purgeExpired();
      face = new FaceService(analyzer, gallery, config.face, clock, log.child({ component: 'face' }));
      session.on('ended', () => face?.endAll());
      const f = face;
      closers.unshift(() => f.close());
    }
  }

  const health = new PlatformHealth(() => platformUrl, clock, Math.min(config.platform.timeoutMs, 5000));
  health.on('status', (s) => bus.emit('status.network', s));
  health.start(config.platform.healthIntervalMs);
  closers.unshift(() => health.stop());

  const outbox = new Outbox(db, new RowMac(new FileKeyProvider(path.join(dataDir, 'keys', 'store.key'))), clock);
  const tampered = outbox.verifyAll();
  if (tampered.length) log.error('store.tampered_rows', { rows: tampered });
  const drainer = new Drainer(outbox, platform, clock, log.child({ component: 'outbox' }), config.outbox);
  const checkout = new CheckoutService(outbox, drainer, platform, POLICIES, config.offline, config.terminal.admdvs, clock, log.child({ component: 'checkout' }), () => health.current().platform !== 'offline' && drainer.breakerState !== 'open');
  const reconciler = new Reconciler(outbox, platform, config.terminal.institutionCode, clock, log.child({ component: 'reconcile' }));
  const queueStatus = (): QueueStatus => {
    const c = outbox.counts();
    const oldest = db.prepare("SELECT MIN(created_at) AS t FROM outbox WHERE state IN ('pending','sending','reversed')").get() as { t: string | null };
    return { pending: c.pending + c.sending + c.reversed, unknown: c.unknown, needsAttention: c['needs-attention'], oldestPendingAt: oldest.t };
  };
  outbox.onChange = () => bus.emit('status.queue', queueStatus());
  bus.emit('status.queue', queueStatus());
  drainer.start(config.outbox.drainIntervalMs);

  offerMember = (id) => kiosk.offerMember(id);
  const kiosk = new KioskServices(session, platform, outbox, drainer, devices, POLICIES, { admdvs: config.terminal.admdvs, name: config.terminal.name, institutionCode: config.terminal.institutionCode }, clock, log.child({ component: 'kiosk' }));
  const diagnostics = new Diagnostics(config, dataDir, db, devices, platform, outbox, clock);
  const counter = new CheckoutCounter(session, platform, checkout, outbox, drainer, devices, { name: config.terminal.name, institutionName: config.terminal.institutionName, institutionCode: config.terminal.institutionCode }, clock, log.child({ component: 'counter' }));
  // At the counter a scanned drug barcode goes to the basket; any other code is the customer's e-voucher.
  // In the kiosk, a scanned code while nobody is identified is an e-voucher: decode it into a session.
  devices.on('scan', (scan) => {
    if (config.mode === 'checkout') {
      const drug = counter.drugForBarcode(scan.code);
      if (drug) return bus.emit('checkout.scan', { listCode: drug.hilistCode });
    } else if (config.mode !== 'kiosk' || (session.current && !kiosk.awaitingMember)) return;
    platform
      .ecQuery(scan.code)
      .then((ec) => {
        const id: Identity = { certType: '01', certNo: ec.ecToken, cardSn: null, idNumber: ec.idNo, name: ec.userName, provenBy: 'qr', cardKind: null, at: clock.nowIso() };
        if (!kiosk.offerMember(id)) session.begin(id);
      })
      .catch((err: { code?: string }) => bus.emit('device.credential', { kind: 'error', deviceId: 'scanner', code: err.code ?? 'EC_REFUSED' }));
  });
  closers.unshift(() => drainer.stopAndWait());

  const handlers: Handlers = {
    'app.hello': () => ({
      version: appVersion,
      mode: config.mode,
      locale: config.locale,
      terminalName: config.terminal.name,
      elderlyModeDefault: config.ui.elderlyMode,
      idleTimeoutSeconds: config.ui.idleTimeoutSeconds,
      simulate: config.devices.simulate,
      host: opts.host,
    }),
    'status.get': () => ({ devices: supervisor.list(), network: health.current(), queue: queueStatus() }),
    'sim.device': async (input) => {
      await applySimAction(devices, input);
      return { devices: supervisor.list() };
    },
    'devices.selfTest': async () => ({ results: await devices.selfTestAll() }),
    'sim.printed': () => {
      if (!devices.sim) throw new BridgeError('BRIDGE_NOT_AVAILABLE', 'devices are not simulated on this terminal');
      return { receipts: devices.sim.printer.sim.receipts().map(({ lines, qr, cut }) => ({ lines, qr, cut })) };
    },
    'session.get': () => ({ session: session.view() }),
    'session.end': (input) => {
      const active = session.current !== null;
      session.end(input.reason);
      return { ended: active };
    },
    'session.touch': () => {
      session.touch();
      return { ok: true as const };
    },
    ...faceHandlers(face, session, clock),
    ...kioskHandlers(kiosk, session),
    'service.unlock': (i) => (diagnostics.unlock(i.pin), { ok: true as const }),
    'service.selfTest': async (i) => (diagnostics.guard(), { results: await diagnostics.selfTest(i.deviceId) }),
    'service.platform': () => (diagnostics.guard(), diagnostics.platformCheck()),
    'service.overview': () => (diagnostics.guard(), { storage: diagnostics.storage(), queue: diagnostics.queue(), models: diagnostics.models(), config: diagnostics.configView() }),
    'service.readiness': async (i) => {
      diagnostics.guard();
      const r = await diagnostics.readiness(i.print);
      return { ok: r.ok, at: r.at, htmlPath: r.htmlPath, pdfPath: r.pdfPath, receiptJobId: r.receiptJobId };
    },
    'service.logs': (i) => (diagnostics.guard(), diagnostics.logs(i)),
    'service.restart': () => {
      diagnostics.guard();
      if (opts.host !== 'electron') throw new BridgeError('BRIDGE_NOT_AVAILABLE', 'the Node host cannot restart itself; restart it from its terminal or service manager');
      log.info('service.restart_requested');
      bus.emit('shell.request', { action: 'restart' });
      return { ok: true as const };
    },
    'service.analyzeFrame': async (i) => {
      diagnostics.guard();
      if (!face) throw new BridgeError('FACE_UNAVAILABLE', 'face recognition is not available on this terminal');
      const a = await face.analyze({ jpeg: Buffer.from(i.jpeg, 'base64') });
      return { boxes: a.boxes.map((b) => ({ x1: b.x1 / a.width, y1: b.y1 / a.height, x2: b.x2 / a.width, y2: b.y2 / a.height, score: b.score })), ms: a.timings.total ?? 0 };
    },
    'checkout.catalogue': () => ({ drugs: counter.catalogue() }),
    'checkout.customer': async () => ({ customer: session.current ? await counter.customerView() : null }),
    'checkout.quote': (i) => counter.quote(i.items, i.useAccount, i.prescription),
    'checkout.pay': (i) => counter.pay(i.items, i.useAccount, i.prescription),
    'checkout.sales': () => ({ sales: counter.sales() }),
    'checkout.refund': (i) => counter.refund(i.itemId),
    'checkout.queue': () => counter.queue(),
    'checkout.resolve': (i) => counter.resolve(i.itemId, i.note),
    'checkout.drain': async () => ({ processed: await drainer.drainOnce() }),
    'checkout.shift': (i) => {
      if (i.action === 'open') return { ...counter.openShift(), report: null };
      if (i.action === 'close') {
        const report = counter.closeShift();
        return { open: false, openedAt: null, report };
      }
      return { ...counter.shiftStatus(), report: null };
    },
    'checkout.endCustomer': () => {
      session.end('logout');
      return { ok: true as const };
    },
  };
  const dispatcher = new Dispatcher(handlers, log);
  log.info('app.started', { host: opts.host, mode: config.mode, dataDir, platform: config.platform.kind });

  return {
    config,
    dataDir,
    log,
    db,
    bus,
    dispatcher,
    devices,
    supervisor,
    health,
    platform,
    outbox,
    drainer,
    checkout,
    reconciler,
    simulator: sim,
    session,
    face,
    platformUrl,
    async close() {
      for (const c of closers) await c();
      log.info('app.stopped');
    },
  };
}
