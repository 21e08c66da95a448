import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestOutput, ServiceAccessState } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';
import type { LiveStatus } from '../shell/useStatus';
import { clockTime, useSecondsUntil, useServiceAccess } from './useServiceAccess';

type Result = RequestOutput<'service.selfTest'>['results'][number];

/** The technician's view. Main decides what it shows: set the first PIN, unlock, or the panels. */
export function ServiceApp({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  const { access, refresh } = useServiceAccess();
  if (!access)
    return (
      <main className="service">
        <h1>{t('service.heading')}</h1>
      </main>
    );
  if (!access.pinSet)
    return (
      <main className="service" data-testid="service-set-pin">
        <h1>{t('service.heading')}</h1>
        <h2>{t('service.setPinHeading')}</h2>
        <p>{t('service.setPinHint')}</p>
        <NewPinForm submit={t('service.setPin')} onDone={refresh} />
      </main>
    );
  if (access.locked) return <UnlockForm access={access} onDone={refresh} />;
  return <ServicePanels status={status} onLeave={() => void getBridge().call('service.lock', {}).then(refresh, refresh)} />;
}

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
function UnlockForm({ access, onDone }: { access: ServiceAccessState; onDone: () => Promise<void> }) {
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
    <main className="service" data-testid="service-lock">
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
    </main>
  );
}

function ServicePanels({ status, onLeave }: { status: LiveStatus; onLeave: () => void }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const [results, setResults] = useState<Record<string, Result>>({});
  const [running, setRunning] = useState(false);
  const [platform, setPlatform] = useState<RequestOutput<'service.platform'> | null>(null);
  const [overview, setOverview] = useState<RequestOutput<'service.overview'> | null>(null);
  const [report, setReport] = useState<RequestOutput<'service.readiness'> | null>(null);
  const [restart, setRestart] = useState<string | null>(null);
  const [logs, setLogs] = useState<RequestOutput<'service.logs'>['lines']>([]);
  const [filter, setFilter] = useState('');
  const [camera, setCamera] = useState(false);
  const [pinChanged, setPinChanged] = useState(false);

  const test = async (deviceId?: string) => {
    setRunning(true);
    try {
      const r = await bridge.call('service.selfTest', deviceId ? { deviceId } : {});
      setResults((prev) => ({ ...prev, ...Object.fromEntries(r.results.map((x) => [x.deviceId, x])) }));
    } finally {
      setRunning(false);
    }
  };
  const loadLogs = useCallback(
    () => void bridge.call('service.logs', { limit: 50, ...(filter ? { text: filter } : {}) }).then((r) => setLogs(r.lines)),
    [bridge, filter],
  );
  useEffect(() => void bridge.call('service.overview', {}).then(setOverview), [bridge]);
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
              return (
                <tr key={d.id} data-testid={`svc-device-${d.id}`}>
                  <th scope="row">{t(`status.device.${d.kind}`)}</th>
                  <td>{d.model}</td>
                  <td>{d.port ?? '-'}</td>
                  <td>{t(`status.state.${d.state}`)}</td>
                  <td>{d.lastError ? `${d.lastError.code} ${d.lastError.at.slice(11, 19)}` : ''}</td>
                  <td data-testid={`svc-result-${d.id}`} data-ok={r ? String(r.ok) : ''}>
                    {r ? `${r.ok ? 'PASS' : 'FAIL'} ${r.code ?? ''} ${t(`errors.${r.code}`, { defaultValue: '' })} ${r.message}` : ''}
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={running}
                      onClick={() => void test(d.id)}
                      aria-label={`${t('service.selfTest')} ${t(`status.device.${d.kind}`)}`}
                    >
                      {t('service.selfTest')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="actions">
          <button type="button" className="primary" disabled={running} onClick={() => void test()}>
            {t('service.testAll')}
          </button>
          <button type="button" onClick={() => setCamera((c) => !c)}>
            {t('service.camera')}
          </button>
        </div>
        {camera && <CameraPreview />}
      </section>
      <section>
        <h2>{t('service.platform')}</h2>
        <button type="button" onClick={() => void bridge.call('service.platform', {}).then(setPlatform)}>
          {t('service.platformCheck')}
        </button>
        {platform && (
          <p data-testid="svc-platform" data-ok={String(platform.ok)}>
            {platform.ok ? 'PASS' : 'FAIL'} · {platform.ms} ms · {platform.detail}
          </p>
        )}
      </section>
      {overview && (
        <section data-testid="svc-overview">
          <h2>{t('service.storage')}</h2>
          <p>
            {overview.storage.ok ? 'PASS' : 'FAIL'} · integrity {overview.storage.integrity} · {Math.round(overview.storage.dbBytes / 1024)} KiB ·{' '}
            {overview.storage.freeBytes === null ? '?' : Math.round(overview.storage.freeBytes / 2 ** 30)} GiB free · {overview.storage.tamperedRows} tampered
          </p>
          <h2>{t('service.queue')}</h2>
          <p>
            {Object.entries(overview.queue)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}
          </p>
          <h2>{t('service.models')}</h2>
          <ul className="list">
            {overview.models.files.map((m) => (
              <li key={m.file}>
                {m.status} · {m.file} · {m.sha256.slice(0, 16)}…
              </li>
            ))}
          </ul>
          <details>
            <summary>{t('service.config')}</summary>
            <pre className="config">{overview.config}</pre>
          </details>
        </section>
      )}
      <section>
        <h2>{t('service.readiness')}</h2>
        <div className="actions">
          <button type="button" className="primary" onClick={() => void bridge.call('service.readiness', { print: true }).then(setReport)}>
            {t('service.makeReport')}
          </button>
        </div>
        {report && (
          <p data-testid="svc-report" data-ok={String(report.ok)}>
            {report.ok ? t('service.ready') : t('service.notReady')} · {report.pdfPath}
          </p>
        )}
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
        {restart && (
          <p role={restart === 'ok' ? 'status' : 'alert'} data-testid="svc-restart">
            {restart === 'ok' ? t('service.restarting') : t(`errors.${restart}`, { defaultValue: t('errors.fallback', { code: restart }) })}
          </p>
        )}
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
        <input aria-label={t('service.logFilter')} placeholder={t('service.logFilter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        <ul className="list logs" data-testid="svc-logs">
          {logs.map((l, i) => (
            <li key={i} className={`log-${l.level}`}>
              {l.t.slice(11, 19)} {l.level} {l.msg}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

/** Camera preview with the detector's boxes and the frame rate, for checking the camera. */
function CameraPreview() {
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
      {error && (
        <p role="alert" className="error-text">
          {t(`errors.${error}`, { defaultValue: error })}
        </p>
      )}
    </div>
  );
}
