import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthorisationView, RequestOutput } from '../../../../main/bridge/contract';
import { getBridge } from '../../bridge';
import { codeOf } from '../../face/FaceCapture';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';
import { AuthorisationForm, type GrantOutcome } from './AuthorisationForm';
import { usePrintJob } from './usePrintJob';

/**
 * 个人信息授权: every authorisation with its levels, items, period, limits and state, each one's
 * usage log (every third-party query, allowed or refused), revocation with one tap (effective at
 * once), a printed copy with a verification code, and a new one (AuthorisationForm).
 */
export function AuthService({ onBack, say, onStep }: ServiceProps) {
  const { t } = useTranslation();
  const list = useLoad(() => getBridge().call('kiosk.auths', {}));
  const face = useLoad(() => getBridge().call('face.status', {}));
  const session = useLoad(() => getBridge().call('session.get', {}));
  const byCard = session.data?.session?.provenBy === 'ss-card';
  const [adding, setAdding] = useState(false);
  const [msg, setMsg] = useState<GrantOutcome | null>(null);
  const { job, follow } = usePrintJob();
  const show = (o: GrantOutcome) => {
    setMsg(o);
    say(o.text);
    setAdding(false);
    list.reload();
  };
  const failed = (e: unknown) => {
    const code = codeOf(e);
    show({ ok: false, text: t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) }) });
  };
  useEffect(() => {
    if (job?.state === 'done') say(t('auth.printed'));
  }, [job?.state, say, t]);
  // The list only shows; a new authorisation has steps: fill in (and read the agreement), confirm, result.
  useEffect(() => {
    if (!adding) onStep?.(null);
  }, [adding]);
  const data = list.data;
  return (
    <ServiceFrame title={t('services.auth')} onBack={onBack} testId="service-auth">
      <p>{t('auth.about')}</p>
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok-text big' : 'error-text big'} data-testid="auth-result">
          {msg.text}
        </p>
      )}
      {job && (
        <p className="hint" data-testid="print-state" data-state={job.state}>
          {job.state === 'done' ? t('auth.printed') : t('certificate.printing')}
        </p>
      )}
      {!data ? (
        <Loading error={list.error} />
      ) : adding ? (
        <AuthorisationForm
          options={data.options}
          byFace={!!face.data?.enrolled}
          byCard={byCard}
          say={say}
          onDone={show}
          onCancel={() => setAdding(false)}
          onStep={onStep}
        />
      ) : (
        <>
          {data.auths.length === 0 ? (
            <p>{t('auth.none')}</p>
          ) : (
            <ul className="list" data-testid="auths">
              {data.auths.map((a) => (
                <AuthorisationItem
                  key={a.sn}
                  a={a}
                  onRevoke={() =>
                    void getBridge()
                      .call('kiosk.revokeAuth', { sn: a.sn })
                      .then((r) => show({ ok: r.state === 'done', text: r.state === 'done' ? t('auth.revoked') : (r.message ?? t('family.notDone')) }), failed)
                  }
                  onPrint={() =>
                    void getBridge()
                      .call('kiosk.authPrint', { sn: a.sn })
                      .then((r) => follow(r.jobId), failed)
                  }
                />
              ))}
            </ul>
          )}
          <button type="button" className="primary" onClick={() => (setMsg(null), setAdding(true))}>
            {t('auth.add')}
          </button>
        </>
      )}
    </ServiceFrame>
  );
}

type Usage = RequestOutput<'kiosk.authUsage'>['rows'];

function AuthorisationItem({ a, onRevoke, onPrint }: { a: AuthorisationView; onRevoke: () => void; onPrint: () => void }) {
  const { t } = useTranslation();
  const [usage, setUsage] = useState<Usage | null>(null);
  const limits = [a.perDay !== null ? t('auth.perDayText', { count: a.perDay }) : '', a.total !== null ? t('auth.totalText', { count: a.total }) : '']
    .filter(Boolean)
    .join('，');
  const live = a.state === 'active' || a.state === 'pending';
  return (
    <li data-state={a.state} data-testid="auth-item">
      <p className="auth-head">
        {a.grantee} · {a.items.map((i) => i.name).join('、')} · {t(`auth.state.${a.state}`)}
      </p>
      <p className="hint">
        {a.purpose}
        {!a.subject.self && ` · ${t('auth.forWard', { name: a.subject.maskedName })}`} · {a.levels.map((l) => `${l}级`).join('、')}
        {a.medTypes.length > 0 && ` · ${a.medTypes.join('、')}`}
      </p>
      <p className="hint">
        {a.from} – {a.to} · {t('auth.limits', { text: limits || t('auth.unlimited') })} · {t('auth.used', { count: a.used })}
      </p>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            usage
              ? setUsage(null)
              : void getBridge()
                  .call('kiosk.authUsage', { sn: a.sn })
                  .then((r) => setUsage(r.rows))
                  .catch(() => setUsage([]))
          }
        >
          {t('auth.usage')} {a.grantee}
        </button>
        <button type="button" onClick={onPrint}>
          {t('auth.print')} {a.grantee}
        </button>
        {live && (
          <button type="button" onClick={onRevoke}>
            {t('auth.revoke')} {a.grantee}
          </button>
        )}
      </div>
      {usage &&
        (usage.length === 0 ? (
          <p data-testid="auth-usage">{t('auth.noUsage')}</p>
        ) : (
          <ul className="list" data-testid="auth-usage">
            {usage.map((u) => (
              <li key={u.traceId} data-allowed={u.allowed}>
                {u.at} · {u.allowed ? t('auth.allowed') : t('auth.refused', { reason: u.reason ?? '' })} · {u.items.join('、')}
                {u.medTypes.length > 0 && `（${u.medTypes.join('、')}）`} · {t('auth.trace', { id: u.traceId })}
              </li>
            ))}
          </ul>
        ))}
    </li>
  );
}
