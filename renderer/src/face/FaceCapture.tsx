import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useBusy } from '../shell/busy';
import { useTranslation } from 'react-i18next';
import type { FaceProgressView } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';

export type FaceOutcome = { state: 'done' | 'failed'; error: string | null; match: boolean | null; enrolled: boolean };

/** At most 15 frames a second go to main (analysis takes ~25 ms a frame); main drops faster ones. */
const MIN_FRAME_GAP_MS = 1000 / 15;

/**
 * The camera with a face guide. Frames go to main as JPEG at a bounded rate; the guide shows the
 * hint main sends back. Nothing is kept here: the frames exist only on their way. `actions` (the
 * kiosk's 取消) stand with the hint, beside the camera on a landscape screen and under it on a
 * portrait one.
 */
export function FaceCapture({
  purpose,
  factor,
  onFinished,
  actions,
}: {
  purpose: 'enrol' | 'verify' | 'login' | 'pay';
  factor?: string;
  onFinished: (o: FaceOutcome) => void;
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [progress, setProgress] = useState<FaceProgressView | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  // The camera is reading: no idle timeout meanwhile (the face session has its own deadline).
  useBusy(progress?.state !== 'done' && progress?.state !== 'failed', 'camera');

  useEffect(() => {
    const bridge = getBridge();
    let stream: MediaStream | null = null;
    let sessionId: string | null = null;
    let busy = false;
    let over = false;
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const stop = (o: FaceOutcome) => {
      if (over) return;
      over = true;
      stream?.getTracks().forEach((tr) => tr.stop());
      finished.current(o);
    };
    (async () => {
      try {
        const start = await bridge.call('face.start', factor ? { purpose, factor } : { purpose });
        sessionId = start.sessionId;
        setProgress(start);
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
        if (over) return stream.getTracks().forEach((tr) => tr.stop());
        const v = video.current!;
        v.srcObject = stream;
        await v.play();
        // One sample per new camera frame (never the same frame twice: main refuses repeats as
        // an injected stream), at most 15 a second, none while the previous is being analysed.
        let last = 0;
        const sample = async () => {
          const now = performance.now();
          if (busy || over || v.readyState < 2 || now - last < MIN_FRAME_GAP_MS) return;
          busy = true;
          last = now;
          try {
            canvas.getContext('2d')!.drawImage(v, 0, 0, 640, 480);
            const url = canvas.toDataURL('image/jpeg', 0.85);
            const p = await bridge.call('face.frame', { sessionId: sessionId!, jpeg: url.slice(url.indexOf(',') + 1) });
            setProgress(p);
            if (p.state !== 'collecting') stop({ state: p.state, error: p.error, match: p.result?.match ?? null, enrolled: p.result?.enrolled ?? false });
          } catch (err) {
            stop({ state: 'failed', error: codeOf(err), match: null, enrolled: false });
          } finally {
            busy = false;
          }
        };
        const onFrame = () => {
          if (over) return;
          void sample();
          v.requestVideoFrameCallback(onFrame);
        };
        v.requestVideoFrameCallback(onFrame);
      } catch (err) {
        stop({ state: 'failed', error: err instanceof DOMException ? 'CAMERA_UNAVAILABLE' : codeOf(err), match: null, enrolled: false });
      }
    })();
    return () => {
      over = true;
      stream?.getTracks().forEach((tr) => tr.stop());
      if (sessionId) void bridge.call('face.cancel', { sessionId }).catch(() => undefined);
    };
  }, [purpose, factor]);

  const box = progress?.box;
  return (
    <div className="face-capture" data-testid="face-capture">
      <div className="camera">
        <video ref={video} muted playsInline aria-label={t('face.cameraLabel')} />
        <div className="face-guide" aria-hidden="true" />
        {box && (
          <div
            className="face-box"
            style={{ left: `${box.x1 * 100}%`, top: `${box.y1 * 100}%`, width: `${(box.x2 - box.x1) * 100}%`, height: `${(box.y2 - box.y1) * 100}%` }}
          />
        )}
      </div>
      <div className="face-side">
        <p className="face-hint" role="status" aria-live="polite" data-testid="face-hint" data-hint={progress?.hint ?? 'NO_FACE'}>
          {progress?.challenge && progress.challengeStep !== 'done' ? t(`face.challenge.${progress.challenge}`) : t(`face.hint.${progress?.hint ?? 'NO_FACE'}`)}
        </p>
        <p className="face-progress">
          {t('face.progress', { done: Math.min(progress?.framesAccepted ?? 0, progress?.framesNeeded ?? 5), needed: progress?.framesNeeded ?? 5 })}
        </p>
        {actions}
      </div>
    </div>
  );
}

export function codeOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code) return e.code;
  const m = /^([A-Z][A-Z0-9_]+)(:|$)/.exec(e?.message ?? '');
  return m?.[1] ?? 'INTERNAL';
}
