import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { codeOf, FaceCapture } from '../../face/FaceCapture';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';
import { grantComplete, toggleScope } from './grant';
import { PinPad } from '../PinPad';

/** 个人信息授权: let an insurer or employer read chosen records for a period; confirmed by face; revocable. */
export function AuthService({ onBack, say }: ServiceProps) {
  const { t } = useTranslation();
  const list = useLoad(() => getBridge().call('kiosk.auths', {}));
  const face = useLoad(() => getBridge().call('face.status', {}));
  const session = useLoad(() => getBridge().call('session.get', {}));
  const byCard = session.data?.session?.provenBy === 'ss-card';
  const [step, setStep] = useState<'list' | 'form' | 'verify' | 'pin'>('list');
  const [grantee, setGrantee] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState(0);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const errText = (code: string) => t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
  const show = (ok: boolean, text: string) => {
    setMsg({ ok, text });
    say(text);
    setStep('list');
    list.reload();
  };
  const done = (r: { state: string; message: string | null }, okText: string) =>
    show(r.state === 'done', r.state === 'done' ? okText : (r.message ?? t('family.notDone')));
  const grant = () =>
    void getBridge()
      .call('kiosk.authorise', { grantee, scopes, days })
      .then(
        (r) => done(r, t('auth.granted')),
        (e: unknown) => show(false, errText(codeOf(e))),
      );
  const ready = grantComplete({ grantee, scopes, days });
  const data = list.data;
  return (
    <ServiceFrame title={t('services.auth')} onBack={onBack} testId="service-auth">
      <p>{t('auth.about')}</p>
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok-text big' : 'error-text big'} data-testid="auth-result">
          {msg.text}
        </p>
      )}
      {step === 'list' &&
        (!data ? (
          <Loading error={list.error} />
        ) : (
          <>
            {data.auths.length === 0 ? (
              <p>{t('auth.none')}</p>
            ) : (
              <ul className="list" data-testid="auths">
                {data.auths.map((a) => (
                  <li key={a.sn} data-state={a.state}>
                    {a.grantee} · {a.scopes.map((x) => t(`auth.scope.${x}`)).join('、')} · {a.from} – {a.to} · {t(`auth.state.${a.state}`)}{' '}
                    {a.state === 'active' && (
                      <button
                        type="button"
                        onClick={() =>
                          void getBridge()
                            .call('kiosk.revokeAuth', { sn: a.sn })
                            .then(
                              (r) => done(r, t('auth.revoked')),
                              (e: unknown) => show(false, errText(codeOf(e))),
                            )
                        }
                      >
                        {t('auth.revoke')} {a.grantee}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <button type="button" className="primary" onClick={() => (setMsg(null), setStep('form'))}>
              {t('auth.add')}
            </button>
          </>
        ))}
      {step === 'form' && data && (
        <div className="auth-form">
          <fieldset>
            <legend>{t('auth.grantee')}</legend>
            {data.grantees.map((g) => (
              <label key={g.code} className="check">
                <input type="radio" name="grantee" checked={grantee === g.code} onChange={() => setGrantee(g.code)} /> {g.name}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('auth.scopes')}</legend>
            {data.scopes.map((x) => (
              <label key={x} className="check">
                <input type="checkbox" checked={scopes.includes(x)} onChange={(e) => setScopes((v) => toggleScope(v, x, e.target.checked))} />{' '}
                {t(`auth.scope.${x}`)}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('auth.period')}</legend>
            {data.periods.map((d) => (
              <label key={d} className="check">
                <input type="radio" name="period" checked={days === d} onChange={() => setDays(d)} /> {t('auth.days', { count: d })}
              </label>
            ))}
          </fieldset>
          {face.data && !face.data.enrolled && !byCard && <p className="hint">{t('auth.needFace')}</p>}
          <div className="actions">
            {face.data?.enrolled && (
              <button type="button" className="primary" disabled={!ready} onClick={() => setStep('verify')}>
                {t('auth.confirmByFace')}
              </button>
            )}
            {byCard && (
              <button type="button" className="primary" disabled={!ready} onClick={() => setStep('pin')}>
                {t('auth.confirmByPin')}
              </button>
            )}
            <button type="button" onClick={() => setStep('list')}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      {step === 'verify' && (
        <FaceCapture
          purpose="verify"
          onFinished={(o) => {
            if (o.state !== 'done' || !o.match) return show(false, errText(o.error ?? 'FACE_NOT_MATCHED'));
            grant();
          }}
        />
      )}
      {step === 'pin' && <PinPad say={say} onDone={grant} onCancel={() => setStep('form')} />}
    </ServiceFrame>
  );
}
