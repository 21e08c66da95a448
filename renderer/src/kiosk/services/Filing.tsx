import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { codeOf } from '../../face/FaceCapture';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';

/** A filing service: what is filed now, apply for a new one, cancel one. */
export function FilingService({ onBack, say, kind }: ServiceProps & { kind: 'chronic' | 'designated' | 'transfer' }) {
  const { t } = useTranslation();
  const filings = useLoad(() => (kind === 'transfer' ? Promise.resolve({ rows: [] }) : getBridge().call('kiosk.filings', {})));
  const options = useLoad(() => getBridge().call('kiosk.options', { kind }));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; sn?: string | null } | null>(null);
  const mine = (filings.data?.rows ?? []).filter((f) => f.kind === kind);
  const act = async (req: { action: 'apply' | 'cancel'; code?: string; sn?: string }) => {
    setBusy(true);
    try {
      const r = await getBridge().call('kiosk.file', { kind, ...req });
      const ok = r.state === 'done';
      const text = ok ? t(req.action === 'apply' ? 'filing.applied' : 'filing.cancelled') : t('filing.failed', { reason: r.message ?? r.state });
      setOutcome({ ok, text, sn: r.sn });
      say(text);
      filings.reload();
    } catch (e) {
      setOutcome({ ok: false, text: t(`errors.${codeOf(e)}`, { defaultValue: t('errors.fallback', { code: codeOf(e) }) }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <ServiceFrame title={t(`services.${kind}`)} onBack={onBack} testId={`service-${kind}`}>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'ok-text' : 'error-text'} data-testid="filing-outcome">
          {outcome.text}
          {outcome.sn ? ` (${outcome.sn})` : ''}
        </p>
      )}
      {kind !== 'transfer' && (
        <>
          <h2>{t('filing.current')}</h2>
          {!filings.data ? (
            <Loading error={filings.error} />
          ) : mine.length === 0 ? (
            <p>{t('common.none')}</p>
          ) : (
            <ul className="list">
              {mine.map((f) => (
                <li key={f.sn} data-testid={`filing-${f.sn}`}>
                  {f.name} · {f.since}{' '}
                  <button type="button" disabled={busy} onClick={() => void act({ action: 'cancel', sn: f.sn })} aria-label={`${t('filing.cancel')} ${f.name}`}>
                    {t('filing.cancel')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <h2>{t('filing.apply')}</h2>
      <div className="tiles">
        {(options.data?.options ?? []).map((o) => (
          <button
            key={o.code}
            type="button"
            className="tile"
            disabled={busy || mine.some((m) => m.name === o.name)}
            onClick={() => void act({ action: 'apply', code: o.code })}
          >
            {o.name}
          </button>
        ))}
      </div>
    </ServiceFrame>
  );
}
