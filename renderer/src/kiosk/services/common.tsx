import type { StepKey } from '../navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { codeOf } from '../../face/FaceCapture';

/** What every service screen gets from the kiosk: the way back home and the voice. */
export interface ServiceProps {
  onBack: () => void;
  say: (text: string) => void;
  /** A service with steps of its own (a form, a verification) reports where it stands; null: it only shows. */
  onStep?: (s: { steps: StepKey[]; at: StepKey } | null) => void;
}

/** Loads data for a service screen, with a plain loading and error state. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let alive = true;
    setError(null);
    load()
      .then((d) => alive && setData(d))
      .catch((e: unknown) => alive && setError(codeOf(e)));
    return () => {
      alive = false;
    };
  }, [n, ...deps]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

export function ServiceFrame({ title, onBack, children, testId }: { title: string; onBack: () => void; children: ReactNode; testId: string }) {
  const { t } = useTranslation();
  return (
    <main className="service-screen" data-testid={testId}>
      <h1>{title}</h1>
      {/* Focusable, so a keyboard (or switch) user can scroll a long answer too. */}
      <div className="service-body" tabIndex={0} role="region" aria-label={title}>
        {children}
      </div>
      <div className="actions">
        <button type="button" onClick={onBack} data-testid="back">
          {t('common.back')}
        </button>
      </div>
    </main>
  );
}

export function Loading({ error }: { error: string | null }) {
  const { t } = useTranslation();
  if (error)
    return (
      <p role="alert" className="error-text">
        {t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}
      </p>
    );
  return <p className="loading">{t('common.loading')}</p>;
}

export function Rows({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="rows">
      {rows.map(([k, v]) => (
        <div key={k} className="row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
