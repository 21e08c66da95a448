import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestOutput, ServiceAccessState } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import type { LiveStatus } from '../shell/useStatus';
import { useIdle } from '../shell/useIdle';
import { FailureNotice } from './FailureNotice';
import { clockTime, useSecondsUntil, useServiceAccess } from './useServiceAccess';

type Result = RequestOutput<'service.selfTest'>['results'][number];
type Overview = RequestOutput<'service.overview'>;
type Device = LiveStatus['devices'][number];

/** A model name as configured, without the English tag main adds to simulated devices (shown in words instead). */
const modelName = (d: Device) => d.model.replace(/\s*\(simulated\)$/, '');
/** The camera's "model" where main's face engine stands for it (main/app/compose.ts): said in the screen's language. */
const FACE_ENGINE_MODEL = 'face engine';

/** The code behind a device's standing state, if it is not working: its condition, else its last error. */
function deviceProblem(d: Device): string | null {
  if (d.state === 'ready' || d.state === 'busy' || d.state === 'opening') return null;
  return d.code ?? d.lastError?.code ?? (d.state === 'absent' ? 'DEVICE_ABSENT' : null);
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/**
 * The technician's view. Main decides what it shows: set the first PIN, unlock, or the panels.
 * Opened over a running kiosk or counter (`onExit`), the PIN screens also offer 返回, an
 * unattended PIN screen returns by itself, and a relock in main (leaving, the idle timeout)
 * returns to the screen it came from.
 */
export function ServiceApp({ status, onExit }: { status: LiveStatus; onExit?: () => Promise<void> }) {
  const { t } = useTranslation();
  const { access, refresh } = useServiceAccess();
  const locked = access?.locked ?? true;
  const wasOpen = useRef(false);
  useEffect(() => {
    if (!locked) wasOpen.current = true;
    else if (wasOpen.current && onExit) void onExit();
  }, [locked, onExit]);
  useIdle(Boolean(onExit) && locked, pinScreenIdleSeconds, 0, () => void onExit?.());
  const back = onExit && (
    <div className="actions">
      <button type="button" onClick={() => void onExit()}>
        {t('service.back')}
      </button>
    </div>
  );
  if (!access)
    return (
      <main className="service">
        <h1>{t('service.heading')}</h1>
      </main>
    );
  if (!access.pinSet)
    return (
      <main className="service service-pin" data-testid="service-set-pin">
        <h1>{t('service.heading')}</h1>
        <h2>{t('service.setPinHeading')}</h2>
        <p>{t('service.setPinHint')}</p>
        <NewPinForm submit={t('service.setPin')} onDone={refresh} />
        {back}
      </main>
    );
  if (access.locked) return <UnlockForm access={access} onDone={refresh} back={back} />;
  return <ServicePanels status={status} onLeave={() => void (onExit ? onExit() : getBridge().call('service.lock', {}).then(refresh, refresh))} />;
}

/** How long a PIN screen opened over a kiosk or counter waits for the technician before it gives the screen back. */
const pinScreenIdleSeconds = 120;

function PinInput({ label, value, onChange }: { label: string; value: string; onChange: (pin: string) => void }) {
  return (
    <input
      type="password"
      inputMode="numeric"
      autoComplete="off"
      aria-label={label}
      placeholder={label}
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, 8))}
    />
  );
}

/** A new PIN, entered twice; main refuses weak ones and says why. */
function NewPinForm({ submit, onDone }: { submit: string; onDone: () => unknown }) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        void getBridge()
          .call('service.setPin', { pin, confirm })
          .then(
            () => {
              setPin('');
              setConfirm('');
              onDone();
            },
            (err: unknown) => setError(codeOf(err)),
          );
      }}
    >
      <PinInput label={t('service.newPin')} value={pin} onChange={setPin} />
      <PinInput label={t('service.confirmPin')} value={confirm} onChange={setConfirm} />
      <button type="submit" className="primary" disabled={pin.length < 6 || confirm.length < 6}>
        {submit}
      </button>
      {error && (
        <p role="alert" className="error-text">
          {t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}
        </p>
      )}
    </form>
  );
}

/** The PIN, with the wait after a wrong one and the lockout after too many, as main reports them. */
function UnlockForm({ access, onDone, back }: { access: ServiceAccessState; onDone: () => Promise<void>; back?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Until main's new state is in, the next try would only meet the backoff.
  const [busy, setBusy] = useState(false);
  const seconds = useSecondsUntil(access.nextTryAt);
  const lockedOut = access.lockedUntil !== null;
  // A wait or a lockout is shown from main's state, which ends it on time; the refusal itself is not.
  const shown = error === 'SERVICE_PIN_BACKOFF' || error === 'SERVICE_LOCKED_OUT' ? null : error;
  return (
    <main className="service service-pin" data-testid="service-lock">
      <h1>{t('service.heading')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setPin('');
          setBusy(true);
          void getBridge()
            .call('service.unlock', { pin })
            .then(
              () => setError(null),
              (err: unknown) => setError(codeOf(err)),
            )
            .then(onDone)
            .finally(() => setBusy(false));
        }}
      >
        <PinInput label={t('service.pinPrompt')} value={pin} onChange={setPin} />
        <button type="submit" className="primary" disabled={busy || lockedOut || seconds > 0 || pin.length < 6}>
          {t('service.unlock')}
        </button>
      </form>
      {access.lockedUntil !== null ? (
        <p role="alert" className="error-text" data-testid="service-locked-out">
          {t('errors.SERVICE_LOCKED_OUT', { time: clockTime(access.lockedUntil, i18n.language) })}
        </p>
      ) : (
        shown && (
          <p role="alert" className="error-text">
            {t(`errors.${shown}`, { defaultValue: t('errors.fallback', { code: shown }) })}
          </p>
        )
      )}
      {!lockedOut && seconds > 0 && (
        <p role="status" data-testid="service-wait">
          {t('service.wait', { seconds })}
        </p>
      )}
      {back}
    </main>
  );
}

function ServicePanels({ status, onLeave }: { status: LiveStatus; onLeave: () => void }) {
  const { t, i18n } = useTranslation();
  const bridge = getBridge();
  const [results, setResults] = useState<Record<string, Result>>({});
  const [running, setRunning] = useState<string | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [platform, setPlatform] = useState<RequestOutput<'service.platform'> | null>(null);
  const [platformError, setPlatformError] = useState<string | null>(null);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [overviewError, setOverviewError] = useState<string | null>(null);
  const [report, setReport] = useState<RequestOutput<'service.readiness'> | null>(null);
  const [reportError, setReportError] = useState<string | null>(null);
  const [restart, setRestart] = useState<string | null>(null);
  const [logs, setLogs] = useState<RequestOutput<'service.logs'>['lines']>([]);
  const [filter, setFilter] = useState('');
  const [camera, setCamera] = useState(0);
  const [pinChanged, setPinChanged] = useState(false);
  const deviceName = (kind: string) => t(`status.device.${kind}`);

  const test = async (deviceId?: string) => {
    if (running) return;
    setRunning(deviceId ?? 'all');
    setTestError(null);
    try {
      const r = await bridge.call('service.selfTest', deviceId ? { deviceId } : {});
      setResults((prev) => ({ ...prev, ...Object.fromEntries(r.results.map((x) => [x.deviceId, x])) }));
    } catch (e) {
      setTestError(codeOf(e));
    } finally {
      setRunning(null);
    }
  };
  const checkPlatform = () => {
    setPlatformError(null);
    void bridge.call('service.platform', {}).then(setPlatform, (e: unknown) => setPlatformError(codeOf(e)));
  };
  const loadOverview = useCallback(() => {
    setOverviewError(null);
    void bridge.call('service.overview', {}).then(setOverview, (e: unknown) => setOverviewError(codeOf(e)));
  }, [bridge]);
  const makeReport = () => {
    setReportError(null);
    // The report's page in the language of this screen.
    void bridge
      .call('service.readiness', { print: true, locale: i18n.language === 'en' ? 'en' : 'zh-CN' })
      .then(setReport, (e: unknown) => setReportError(codeOf(e)));
  };
  const loadLogs = useCallback(
    () =>
      void bridge.call('service.logs', { limit: 50, ...(filter ? { text: filter } : {}) }).then(
        (r) => setLogs(r.lines),
        () => setLogs([]),
      ),
    [bridge, filter],
  );
  useEffect(loadOverview, [loadOverview]);
  useEffect(loadLogs, [loadLogs]);

  return (
    <main className="service" data-testid="service">
      <h1>{t('service.heading')}</h1>
      <div className="actions">
        <button type="button" onClick={onLeave}>
          {t('service.leave')}
        </button>
      </div>
      <section>
        <h2>{t('service.devices')}</h2>
        <table>
          <tbody>
            {status.devices.map((d) => {
              const r = results[d.id];
              const problem = deviceProblem(d);
              const retry = d.kind === 'camera' ? undefined : () => void test(d.id);
              const params = { device: deviceName(d.kind) };
              return (
                <tr key={d.id} data-testid={`svc-device-${d.id}`} data-state={d.state}>
                  <th scope="row">{deviceName(d.kind)}</th>
                  <td>
                    {d.kind === 'camera' && d.model === FACE_ENGINE_MODEL ? t('service.faceEngine') : modelName(d)}
                    {d.simulated && t('service.simulated')}
                  </td>
                  <td className="port">{d.port ?? t('service.noPort')}</td>
                  <td className="state">{t(`status.state.${d.state}`)}</td>
                  <td data-testid={`svc-problem-${d.id}`}>
                    {problem && !(r && !r.ok && r.code === problem) && <FailureNotice code={problem} params={params} onRetry={retry} />}
                  </td>
                  <td data-testid={`svc-result-${d.id}`} data-ok={r ? String(r.ok) : ''} data-code={r?.code ?? ''}>
                    {running === d.id || (running === 'all' && !r)
                      ? t('service.testing')
                      : r && (r.ok ? t('service.pass') : <FailureNotice code={r.code ?? 'DEVICE_SELF_TEST_FAILED'} params={params} onRetry={retry} />)}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      disabled={running !== null}
                      onClick={() => void test(d.id)}
                      aria-label={`${t('service.selfTest')} ${deviceName(d.kind)}`}
                    >
                      {t('service.selfTest')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {testError && <FailureNotice code={testError} onRetry={() => void test()} announce />}
        <div className="actions">
          <button type="button" className="primary" disabled={running !== null} onClick={() => void test()}>
            {t('service.testAll')}
          </button>
          <button type="button" aria-pressed={camera > 0} onClick={() => setCamera((c) => (c > 0 ? 0 : 1))}>
            {t('service.camera')}
          </button>
        </div>
        {camera > 0 && <CameraPreview key={camera} onRetry={() => setCamera((c) => c + 1)} />}
      </section>
      <section>
        <h2>{t('service.platform')}</h2>
        <button type="button" onClick={checkPlatform}>
          {t('service.platformCheck')}
        </button>
        {platform && (
          <div data-testid="svc-platform" data-ok={String(platform.ok)} data-code={platform.code ?? ''}>
            {platform.ok ? (
              <p>{t('service.platformOk', { ms: platform.ms, time: platform.signedInAt })}</p>
            ) : (
              <>
                <p>{t('service.platformFailed', { ms: platform.ms })}</p>
                <FailureNotice code={platform.code ?? 'INTERNAL'} onRetry={checkPlatform} announce />
                {platform.platformMessage && <p>{t('service.platformSaid', { message: platform.platformMessage })}</p>}
              </>
            )}
          </div>
        )}
        {platformError && <FailureNotice code={platformError} onRetry={checkPlatform} announce />}
      </section>
      {overviewError && <FailureNotice code={overviewError} onRetry={loadOverview} announce />}
      {overview && <OverviewPanels overview={overview} onRetry={loadOverview} />}
      <section>
        <h2>{t('service.readiness')}</h2>
        <div className="actions">
          <button type="button" className="primary" onClick={makeReport}>
            {t('service.makeReport')}
          </button>
        </div>
        {report && (
          <>
            <p data-testid="svc-report" data-ok={String(report.ok)}>
              {report.ok ? t('service.ready') : t('service.notReady')} · {t('service.reportFile')} · {report.pdfPath}
            </p>
            {report.printCode ? (
              <FailureNotice code={report.printCode} params={{ device: deviceName('printer') }} onRetry={makeReport} testId="svc-report-print" announce />
            ) : (
              <p role="status" data-testid="svc-report-print">
                {report.receiptJobId ? t('service.reportPrinted') : t('service.reportNotPrinted')}
              </p>
            )}
          </>
        )}
        {reportError && <FailureNotice code={reportError} onRetry={makeReport} announce />}
      </section>
      <section>
        <h2>{t('service.program')}</h2>
        <div className="actions">
          <button
            type="button"
            onClick={() =>
              void bridge.call('service.restart', {}).then(
                () => setRestart('ok'),
                (e: unknown) => setRestart(codeOf(e)),
              )
            }
          >
            {t('service.restart')}
          </button>
        </div>
        {restart === 'ok' && (
          <p role="status" data-testid="svc-restart">
            {t('service.restarting')}
          </p>
        )}
        {restart && restart !== 'ok' && <FailureNotice code={restart} testId="svc-restart" announce />}
      </section>
      <section>
        <h2>{t('service.changePin')}</h2>
        <NewPinForm submit={t('service.savePin')} onDone={() => setPinChanged(true)} />
        {pinChanged && (
          <p role="status" data-testid="svc-pin-changed">
            {t('service.pinChanged')}
          </p>
        )}
      </section>
      <section>
        <h2>{t('service.logs')}</h2>
        {/* The log is the program's own record, in English, for the vendor: shown only when asked for. */}
        <details>
          <summary>{t('service.logsRaw')}</summary>
          <input aria-label={t('service.logFilter')} placeholder={t('service.logFilter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
          <ul className="list logs" data-testid="svc-logs">
            {logs.map((l, i) => (
              <li key={i} className={`log-${l.level}`}>
                {l.t.slice(11, 19)} {t(`service.logLevel.${l.level}`, { defaultValue: l.level })} {l.msg}
              </li>
            ))}
          </ul>
        </details>
      </section>
    </main>
  );
}

/** Storage, the queue and the face models, each with what to do when something is wrong. */
function OverviewPanels({ overview, onRetry }: { overview: Overview; onRetry: () => void }) {
  const { t } = useTranslation();
  const { storage, queue, models } = overview;
  const attention: [string, number][] = [
    ['QUEUE_NEEDS_ATTENTION', queue['needs-attention'] ?? 0],
    ['QUEUE_OUTCOME_UNKNOWN', queue.unknown ?? 0],
  ];
  const modelsOk = models.files.every((m) => m.status === 'verified');
  return (
    <section data-testid="svc-overview">
      <h2>{t('service.storage')}</h2>
      <p data-testid="svc-storage" data-ok={String(storage.ok)}>
        {t('service.storageLine', {
          integrity: storage.integrity === 'ok' ? t('service.integrityOk') : t('service.integrityBad'),
          db: kib(storage.dbBytes),
          free: storage.freeBytes === null ? t('service.unknownSize') : gib(storage.freeBytes),
          tampered: storage.tamperedRows,
        })}
      </p>
      {storage.problems.map((code) => (
        <FailureNotice key={code} code={code} onRetry={onRetry} />
      ))}
      <h2>{t('service.queue')}</h2>
      <p data-testid="svc-queue">
        {Object.entries(queue)
          .map(([state, count]) => t('service.queueItem', { state: t(`service.queueState.${state}`, { defaultValue: state }), count }))
          .join(' · ')}
      </p>
      {attention
        .filter(([, count]) => count > 0)
        .map(([code, count]) => (
          <FailureNotice key={code} code={code} params={{ count }} testId={`svc-queue-${code}`} />
        ))}
      <h2>{t('service.models')}</h2>
      <p>{t('service.modelsVersion', { version: models.version })}</p>
      <ul className="list" data-testid="svc-models">
        {models.files.map((m) => (
          <li key={m.file} data-status={m.status}>
            {t(`service.modelStatus.${m.status}`, { defaultValue: m.status })} · {m.file}
            {m.status !== 'verified' && ` · ${m.sha256.slice(0, 16)}…`}
          </li>
        ))}
      </ul>
      {!modelsOk && <FailureNotice code="FACE_MODELS_MISSING" />}
      <details>
        <summary>{t('service.config')}</summary>
        <pre className="config">{overview.config}</pre>
      </details>
    </section>
  );
}

/** Camera preview with the detector's boxes and the frame rate, for checking the camera. */
function CameraPreview({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [boxes, setBoxes] = useState<RequestOutput<'service.analyzeFrame'>['boxes']>([]);
  const [fps, setFps] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let busy = false;
    let frames = 0;
    const started = performance.now();
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        video.current!.srcObject = stream;
        await video.current!.play();
        timer = window.setInterval(async () => {
          if (busy || !video.current || video.current.readyState < 2) return;
          busy = true;
          canvas.getContext('2d')!.drawImage(video.current, 0, 0, 640, 480);
          const url = canvas.toDataURL('image/jpeg', 0.8);
          try {
            const r = await getBridge().call('service.analyzeFrame', { jpeg: url.slice(url.indexOf(',') + 1) });
            setBoxes(r.boxes);
            frames++;
            setFps(Math.round((frames * 10000) / (performance.now() - started)) / 10);
          } catch (e) {
            setError(codeOf(e));
          } finally {
            busy = false;
          }
        }, 150);
      } catch {
        setError('CAMERA_UNAVAILABLE');
      }
    })();
    return () => {
      window.clearInterval(timer);
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, []);
  return (
    <div className="face-capture" data-testid="svc-camera">
      <div className="camera">
        <video ref={video} muted playsInline aria-label={t('face.cameraLabel')} />
        {boxes.map((b, i) => (
          <div
            key={i}
            className="face-box"
            style={{ left: `${b.x1 * 100}%`, top: `${b.y1 * 100}%`, width: `${(b.x2 - b.x1) * 100}%`, height: `${(b.y2 - b.y1) * 100}%` }}
          />
        ))}
      </div>
      <p data-testid="svc-camera-stats" data-faces={boxes.length}>
        {t('service.cameraStats', { faces: boxes.length, fps })}
      </p>
      {error && <FailureNotice code={error} params={{ device: t('status.device.camera') }} onRetry={onRetry} announce />}
    </div>
  );
}
