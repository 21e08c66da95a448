/**
 * The composition root: builds every service of the terminal from one validated config object.
 * Both hosts (Electron and the Node host) call `createApp` and put their transport in front of
 * the dispatcher it returns.
 */
import { VoiceService } from '../voice/voice';
import { ClipLibrary, findClipDir } from '../voice/clips';
import { openVoiceEngine } from '../voice/engine';
import { voiceHandlers } from '../voice/handlers';
import { HelpDesk } from '../help/help';
import { personOf } from '../face/handlers';
import path from 'node:path';
import type { Config } from './config';
import { defaultDataDir } from './paths';
import { systemClock, type Clock } from '../ground/clock';
import { appVersion } from '../ground/version';
import type { QueueStatus } from '../bridge/contract';
import { Dispatcher, type Handlers } from '../bridge/dispatcher';
import { EventBus } from '../bridge/event-bus';
import { createLogger, fileSink, stderrSink, type Logger, type LogSink } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import { startFleet, withStoredDesired, type FleetLink } from './fleet';
import { securePrivateDir } from '../store/data-dir';
import { PersonalData } from '../store/personal-data';
import { DeviceSupervisor } from '../devices/supervisor';
import { DeviceManager } from '../devices/manager';
import { applySimAction } from '../devices/simulation';
import { maskIdNumber, maskName } from '../bridge/contract';
import { PlatformHealth } from '../platform/health';
import type { PlatformClient } from '../platform/client';
import { embeddedPlatformDbFile, seedCatalogue, startEmbeddedPlatform, type PlatformSimulator } from './embedded';
import { ResidentSession } from '../session/session';
import { FaceService, type PlatformFaceCheck } from '../face/service';
import { FaceGallery } from '../face/gallery';
import { WorkerAnalyzer, type FaceIsolation } from '../face/analyzer';
import { FileKeyProvider, type KeyProvider } from '../face/keys';
import { checkModels, manifest } from '../../models/manifest';
import { faceHandlers } from '../face/handlers';
import { Outbox } from '../outbox/outbox';
import { Drainer } from '../outbox/drainer';
import { RowMac } from '../store/row-mac';
import { POLICIES } from '../policy/policies';
import { platformClientFor } from './platform-client';
import type { Identity } from '../devices/identity';
import { createPharmacy, registerPharmacyDeliveries, type PharmacyModule } from '../pharmacy';
import { createKiosk, registerKioskDeliveries, type KioskModule } from '../kiosk';
import { createService } from '../service';

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
  /** Where the face engine runs: a child process (default) or, in the Electron build, a worker thread. */
  faceIsolation?: FaceIsolation;
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
  /** The counter, on a terminal in checkout mode. */
  pharmacy: PharmacyModule | null;
  /** The resident services, on a terminal in kiosk mode. */
  kiosk: KioskModule | null;
  /** The embedded simulator when platform.kind is embedded. */
  simulator: PlatformSimulator | null;
  session: ResidentSession;
  face: FaceService | null;
  platformUrl: string;
  /** The fleet agent and its out-of-service switch, when config.fleet.enabled. */
  fleet: FleetLink | null;
  close(): Promise<void>;
}

export function resolveDataDir(config: Config): string {
  return config.dataDir ? path.resolve(config.dataDir) : defaultDataDir();
}

export async function createApp(fileConfig: Config, opts: AppOptions): Promise<App> {
  let config = fileConfig;
  const clock = opts.clock ?? systemClock;
  const dataDir = resolveDataDir(config);
  const permissions = securePrivateDir(dataDir);
  const sinks = [fileSink(path.join(dataDir, 'logs')), ...(opts.logSinks ?? []), ...(opts.logToStderr ? [stderrSink] : [])];
  const log = createLogger({ level: config.log.level, sinks, fields: { terminal: config.terminal.id } });
  const db = openDatabase(path.join(dataDir, 'estation.sqlite'));
  // A desired config the fleet server sent earlier holds while the server is away (main/app/fleet.ts).
  config = withStoredDesired(config, db, log);
  const inForce = { current: config };
  if (permissions.fixed.length) log.warn('store.permissions_fixed', { paths: permissions.fixed.slice(0, 20) });
  const bus = new EventBus(log);
  const closers: (() => Promise<void> | void)[] = [() => void db.close()];

  // One key guards face templates and every other piece of personal data at rest.
  const faceKeys = opts.faceKeys ?? new FileKeyProvider(path.join(dataDir, 'keys', 'face.key'));
  const personal = new PersonalData(faceKeys);

  // The face engine loads its models in its own process once the rest has started (below): not on
  // the way to ready, and not competing with it for the two cores.
  // Hashing the model files costs real time at start: once.
  const missingModels = config.face.enabled ? checkModels().filter((c) => c.status !== 'verified') : [];
  const launched =
    config.face.enabled && missingModels.length === 0
      ? WorkerAnalyzer.launch({ intraOpNumThreads: config.face.intraOpNumThreads }, opts.faceWorkerFile, { isolation: opts.faceIsolation })
      : null;
  if (launched) closers.unshift(() => launched.analyzer.close());

  let sim: PlatformSimulator | null = null;
  if (config.platform.kind === 'embedded') {
    sim = await startEmbeddedPlatform({ dbFile: embeddedPlatformDbFile(dataDir), admdvs: config.terminal.admdvs });
    closers.unshift(() => sim?.close());
  }
  const platformUrl = config.platform.kind === 'embedded' ? sim!.url : config.platform.url!;

  const supervisor = new DeviceSupervisor(clock);
  supervisor.on('status', (s) => bus.emit('status.device', s, s.id));
  const platform = platformClientFor(config, db, () => platformUrl, clock, log.child({ component: 'platform' }));

  const devices = new DeviceManager(config.devices, supervisor, clock, log.child({ component: 'devices' }), dataDir);
  devices.on('identity', (id) =>
    bus.emit('device.credential', {
      kind: 'identity',
      certType: id.certType,
      provenBy: id.provenBy,
      maskedNo: maskIdNumber(id.certNo),
      maskedName: id.name ? maskName(id.name) : null,
    }),
  );
  devices.on('card-error', (e) => bus.emit('device.credential', { kind: 'error', deviceId: e.deviceId, code: e.code }));
  devices.on('card-removed', (e) => bus.emit('device.credential', { kind: 'removed', deviceId: e.deviceId }));
  await devices.start();
  closers.unshift(() => devices.stop());
  // The status bar's camera is the face engine that analyses its frames: opening, ready, or a fault with its code.
  if (config.face.enabled) {
    supervisor.register({ id: 'camera', kind: 'camera', model: 'face engine', port: null, simulated: false });
    if (!launched) supervisor.report('camera', 'fault', 'FACE_MODELS_MISSING');
    launched?.analyzer.onState((s) =>
      supervisor.report(
        'camera',
        s.state,
        s.code,
        s.state === 'fault' ? { code: s.code ?? 'FACE_ENGINE_CRASHED', message: 'the face engine stopped' } : undefined,
      ),
    );
  }

  const session = new ResidentSession(clock, log.child({ component: 'session' }), (config.ui.idleTimeoutSeconds + 30) * 1000);
  session.on('changed', (view) => bus.emit('session.changed', { session: view }));
  // While a resident binds a family member (亲情账户), the next credential is the member's, not a new session.
  let offerMember: (id: Identity) => boolean = () => false;
  // At the counter, while the cashier waits for a 家庭共济 account owner, the next credential is the owner's.
  let offerOwner: (id: Identity) => boolean = () => false;
  devices.on('identity', (id) => {
    if (!offerMember(id) && !offerOwner(id)) session.begin(id);
  });
  devices.on('card-removed', (e) => {
    const by = session.current?.provenBy;
    if ((e.deviceId === 'id-card' && by === 'id-card') || (e.deviceId === 'ss-card' && by === 'ss-card')) session.end('card-removed');
  });
  closers.unshift(() => session.end('shutdown'));

  let face: FaceService | null = null;
  if (config.face.enabled) {
    if (missingModels.length) log.warn('face.unavailable', { reason: 'models not verified', models: missingModels.map((m) => `${m.file}:${m.status}`) });
    else if (launched) {
      const analyzer = launched.analyzer;
      const gallery = new FaceGallery(db, faceKeys, clock, {
        modelVersion: manifest.version,
        terminalId: config.terminal.id,
        retentionDays: config.face.retentionDays,
      });
      gallery.purgeExpired();
      // Enrolment and face-confirmed acts count only once the platform has matched the face with the person's reference photo.
      const platformCheck: PlatformFaceCheck = async (person, jpeg) => {
        const r = await platform.faceVerify(person.idNumber ?? person.certNo, '01', jpeg);
        return { match: r.result === 'match', score: r.score };
      };
      face = new FaceService(analyzer, gallery, config.face, clock, log.child({ component: 'face' }), platformCheck);
      session.on('ended', () => face?.endAll());
      const f = face;
      closers.unshift(() => f.close());
    }
  }

  const health = new PlatformHealth(() => platformUrl, clock, Math.min(config.platform.timeoutMs, 5000));
  health.on('status', (s) => bus.emit('status.network', s));
  health.start(config.platform.healthIntervalMs);
  closers.unshift(() => health.stop());

  const outbox = new Outbox(db, new RowMac(new FileKeyProvider(path.join(dataDir, 'keys', 'store.key'))), clock, personal);
  const tampered = outbox.verifyAll();
  if (tampered.length) log.error('store.tampered_rows', { rows: tampered });
  const drainer = new Drainer(outbox, platform, clock, log.child({ component: 'outbox' }), config.outbox);
  // Every kind is delivered on every terminal, so a queue left by an earlier mode still drains.
  let pharmacy: PharmacyModule | null = null;
  let kiosk: KioskModule | null = null;
  registerPharmacyDeliveries(
    drainer,
    clock,
    (item) => pharmacy?.counter.itemChanged(item),
    async (item) => pharmacy?.counter.reauditBeforeDelivery(item),
  );
  registerKioskDeliveries(drainer, platform);
  const queueStatus = (): QueueStatus => {
    const c = outbox.counts();
    const oldest = db.prepare("SELECT MIN(created_at) AS t FROM outbox WHERE state IN ('pending','sending','reversed')").get() as { t: string | null };
    return { pending: c.pending + c.sending + c.reversed, unknown: c.unknown, needsAttention: c['needs-attention'], oldestPendingAt: oldest.t };
  };
  outbox.onChange = () => bus.emit('status.queue', queueStatus());
  bus.emit('status.queue', queueStatus());

  const terminal = {
    id: config.terminal.id,
    name: config.terminal.name,
    institutionName: config.terminal.institutionName,
    institutionCode: config.terminal.institutionCode,
    admdvs: config.terminal.admdvs,
  };
  const catalogue = seedCatalogue();
  if (config.mode === 'checkout') {
    pharmacy = createPharmacy({
      db,
      personal,
      session,
      client: platform,
      outbox,
      drainer,
      catalogue,
      policies: POLICIES,
      counter: config.counter,
      offline: config.offline,
      terminal,
      receiptPrinter: () => (devices.printer?.printer ? devices.printer : null),
      online: () => health.current().platform !== 'offline' && drainer.breakerState !== 'open',
      clock,
      log,
      onProvisionalPayer: face ? (l) => face!.onProvisionalPayer(l) : undefined,
      onShiftChanged: (s) => bus.emit('checkout.shift', s),
    });
    const counter = pharmacy.counter;
    offerOwner = (id) => counter.offerOwner(id);
  } else if (config.mode === 'kiosk') {
    kiosk = createKiosk({
      session,
      client: platform,
      outbox,
      drainer,
      devices,
      policies: POLICIES,
      catalogue,
      terminal,
      clock,
      log,
      extraServices: config.kiosk.services,
      ...(face ? { faceEnrolled: (id: Identity) => face!.gallery.isEnrolled(personOf(id)) } : {}),
    });
    const k = kiosk;
    offerMember = (id) => k.offerMember(id);
  }
  const service = createService({
    settings: { terminalId: config.terminal.id, institutionCode: config.terminal.institutionCode, config },
    access: config.service,
    dataDir,
    db,
    devices,
    client: platform,
    outbox,
    face,
    bus,
    host: opts.host,
    clock,
    log,
  });
  // A technician unlocking service mode on a kiosk: main, not the screen, ends the resident's session
  // first, so nothing personal stays behind the service screens.
  if (config.mode === 'kiosk')
    bus.subscribe((e) => {
      if (e.event === 'status.service' && (e.payload as { locked: boolean }).locked === false) session.end('service');
    });
  drainer.start(config.outbox.drainIntervalMs);

  // At the counter a scanned drug barcode goes to the basket; any other code is the customer's e-voucher.
  // In the kiosk, a scanned code while nobody is identified is an e-voucher: decode it into a session.
  devices.on('scan', (scan) => {
    if (pharmacy) {
      const listCode = pharmacy.drugForBarcode(scan.code);
      if (listCode) return bus.emit('checkout.scan', { listCode });
      // A box's 药品追溯码 (20 digits) goes with the drug scanned before it; it is no e-voucher.
      if (/^\d{20}$/.test(scan.code)) return bus.emit('checkout.trace', { code: scan.code });
    } else if (!kiosk || !kiosk.wantsScan()) return;
    platform
      .ecQuery(scan.code)
      .then((ec) => {
        const id: Identity = {
          certType: '01',
          certNo: ec.ecToken,
          cardSn: null,
          idNumber: ec.idNo,
          name: ec.userName,
          provenBy: 'qr',
          cardKind: null,
          at: clock.nowIso(),
        };
        if (!offerMember(id) && !offerOwner(id)) session.begin(id);
      })
      .catch((err: { code?: string }) => bus.emit('device.credential', { kind: 'error', deviceId: 'scanner', code: err.code ?? 'EC_REFUSED' }));
  });
  closers.unshift(() => drainer.stopAndWait());

  const simulated = devices.sim;
  const voiceLog = log.child({ component: 'voice' });
  const clips = ClipLibrary.open(findClipDir(), voiceLog);
  const voice = new VoiceService(await openVoiceEngine(config.voice, voiceLog), { clips });
  voiceLog.info('voice.ready', { engine: voice.engineName, clips: clips.engine === voice.engineName ? clips.size : 0 });
  const help = new HelpDesk(clock, log.child({ component: 'help' }), () => session.current !== null);
  help.on('changed', (call) => bus.emit('help.changed', { call }));
  const handlers: Partial<Handlers> = {
    ...voiceHandlers(voice, voiceLog),
    'app.hello': () => ({
      version: appVersion,
      mode: config.mode,
      locale: config.locale,
      // Read at each call: a fleet server may change these live.
      terminalName: inForce.current.terminal.name,
      elderlyModeDefault: inForce.current.ui.elderlyMode,
      idleTimeoutSeconds: inForce.current.ui.idleTimeoutSeconds,
      simulate: config.devices.simulate,
      host: opts.host,
    }),
    'status.get': () => ({ devices: supervisor.list(), network: health.current(), queue: queueStatus() }),
    'devices.selfTest': async () => ({ results: await devices.selfTestAll() }),
    // Only simulated devices take an injected card, scan or printer state; otherwise sim.* is not there at all.
    ...(simulated
      ? {
          'sim.device': async (input) => {
            await applySimAction(devices, input);
            return { devices: supervisor.list() };
          },
          'sim.printed': () => ({ receipts: simulated.printer.sim.receipts().map(({ lines, qr, cut }) => ({ lines, qr, cut })) }),
        }
      : {}),
    'help.call': (input) => ({ call: help.request(input.screen) }),
    'help.get': () => ({ call: help.current }),
    'help.withdraw': () => help.end('withdrawn'),
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
    // Face is a way in for residents and customers alike; the technician's mode has no customers.
    ...(config.mode !== 'service'
      ? faceHandlers(face, session, clock, config.mode, {
          loginChallenge: config.face.loginChallenge,
          // The same condition under which main/app/fleet.ts shares enrolments with the chain.
          sharing:
            config.fleet.enabled && config.fleet.chain && config.fleet.chainKeyFile
              ? { chain: config.fleet.chain, name: config.fleet.chainName ?? config.fleet.chain }
              : null,
        })
      : {}),
    ...(kiosk?.handlers ?? {}),
    ...(pharmacy?.handlers ?? {}),
    ...service.handlers,
  };
  let fleet: FleetLink | null = null;
  if (config.fleet.enabled) {
    fleet = startFleet({
      fileConfig,
      inForce,
      db,
      clock,
      log,
      supervisor,
      devices,
      health,
      queueStatus,
      drainer,
      service,
      dataDir,
      host: opts.host,
      requestRestart: () => bus.emit('shell.request', { action: 'restart' }),
      help,
      gallery: face?.gallery ?? null,
      attended: () => (session.current ? 'a resident or customer at the terminal' : (face?.openSessions ?? 0) > 0 ? 'a face session' : null),
    });
    const agent = fleet.agent;
    closers.unshift(() => agent.stop());
  }
  const dispatcher = new Dispatcher(fleet ? (fleet.guard(handlers) as typeof handlers) : handlers, log);
  log.info('app.started', { host: opts.host, mode: config.mode, dataDir, platform: config.platform.kind });
  // Everything else is up: now the face engine (a frame that comes first waits for it).
  launched?.start().then(
    () => log.info('face.engine_ready'),
    (err: unknown) => log.error('face.engine_failed', { error: err instanceof Error ? err.message : String(err) }),
  );

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
    pharmacy,
    kiosk,
    simulator: sim,
    session,
    face,
    platformUrl,
    fleet,
    async close() {
      // Every part gets its chance to close, even after another failed: one stuck device must not
      // keep the database open. The first failure is reported once all have run.
      const failures: unknown[] = [];
      for (const c of closers) {
        try {
          await c();
        } catch (err) {
          failures.push(err);
          log.error('app.close_failed', { error: (err as Error).message });
        }
      }
      log.info('app.stopped', { failures: failures.length });
      if (failures.length) throw failures[0];
    },
  };
}
