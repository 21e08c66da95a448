import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuthorisationOptions } from '../../../../main/bridge/contract';
import { getBridge } from '../../bridge';
import { codeOf, FaceCapture } from '../../face/FaceCapture';
import { PinPad } from '../PinPad';
import { emptyGrant, grantComplete, maxDaysFor, needsFrequency, needsMedTypes, toggle, type Grant } from './grant';
import type { ServiceProps } from './common';

const PER_DAY = [1, 2, 3, 5, 10];
const TOTAL = [1, 2, 3, 5, 10, 20, 50, 100];

export interface GrantOutcome {
  ok: boolean;
  text: string;
}

/**
 * A new authorisation: whose records, to whom, for what, which items (by level), medical types,
 * period and how often; then the agreement (spoken in elderly mode); then the strongest factor
 * the person has (face with a challenge, else the card's PIN). Main checks everything again.
 */
export function AuthorisationForm({
  options,
  byFace,
  byCard,
  say,
  onDone,
  onCancel,
  onStep,
}: {
  options: AuthorisationOptions;
  byFace: boolean;
  byCard: boolean;
  say: (text: string) => void;
  onDone: (o: GrantOutcome) => void;
  onCancel: () => void;
  onStep?: ServiceProps['onStep'];
}) {
  const { t } = useTranslation();
  const [g, setG] = useState<Grant>(emptyGrant);
  const [step, setStep] = useState<'form' | 'agreement' | 'verify' | 'pin'>('form');
  const [agreed, setAgreed] = useState(false);
  const [ticket, setTicket] = useState<string | null>(null);
  /** 预览: what the third party would receive, asked of main when the agreement is shown. */
  const [preview, setPreview] = useState<{ key: string; name: string; level: number; fields: string[]; records: number; medTypes: string[] }[] | null>(null);
  const set = (patch: Partial<Grant>) => setG((x) => ({ ...x, ...patch }));
  const errText = (e: unknown) => {
    const code = codeOf(e);
    if (code === 'AUTH_GRANT_INVALID') return ((e as { message?: string }).message ?? '').replace(/^[A-Z_]+: /, '');
    return t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
  };
  useEffect(() => {
    void getBridge()
      .call('kiosk.authOpen', {})
      .then((r) => setTicket(r.ticket))
      .catch((e: unknown) => onDone({ ok: false, text: errText(e) }));
  }, []);
  const agreement = options.agreement;
  useEffect(() => {
    onStep?.({ steps: ['fill', 'verify', 'result'], at: step === 'verify' || step === 'pin' ? 'verify' : 'fill' });
  }, [step]);
  useEffect(() => {
    if (step === 'agreement') say([agreement.title, ...agreement.paragraphs].join('\n'));
  }, [step]);
  useEffect(() => {
    if (step !== 'agreement') return;
    setPreview(null);
    void getBridge()
      .call('kiosk.authPreview', { items: g.items, medTypes: g.medTypes })
      .then((r) => setPreview(r.items))
      .catch(() => setPreview([]));
  }, [step]);

  const grantee = options.grantees.find((x) => x.code === g.grantee);
  const purposes = options.purposes.filter((p) => grantee?.purposes.includes(p.code));
  const maxDays = maxDaysFor(g, options);
  const itemName = (k: string) => options.items.find((i) => i.key === k)?.name ?? k;
  const submit = () => {
    if (!ticket) return;
    void getBridge()
      .call('kiosk.authorise', {
        ticket,
        grantee: g.grantee,
        purpose: g.purpose,
        items: g.items,
        medTypes: needsMedTypes(g, options) ? g.medTypes : [],
        start: options.today,
        days: g.days,
        perDay: g.perDay,
        total: g.total,
        agreementVersion: agreement.version,
        ward: g.ward,
      })
      .then(
        (r) => onDone({ ok: r.state === 'done', text: r.state === 'done' ? t('auth.granted') : (r.message ?? t('family.notDone')) }),
        (e: unknown) => onDone({ ok: false, text: errText(e) }),
      );
  };

  if (step === 'verify')
    return (
      <FaceCapture
        purpose="verify"
        actions={
          <button type="button" onClick={() => setStep('agreement')}>
            {t('common.cancel')}
          </button>
        }
        onFinished={(o) => {
          if (o.state !== 'done' || !o.match) return onDone({ ok: false, text: t(`errors.${o.error ?? 'FACE_NOT_MATCHED'}`) });
          submit();
        }}
      />
    );
  if (step === 'pin') return <PinPad say={say} onDone={submit} onCancel={() => setStep('agreement')} />;

  if (step === 'agreement') {
    const limits = [g.perDay !== null ? t('auth.perDayText', { count: g.perDay }) : '', g.total !== null ? t('auth.totalText', { count: g.total }) : '']
      .filter(Boolean)
      .join('，');
    return (
      <div className="auth-agreement" data-testid="auth-agreement">
        <h2>{agreement.title}</h2>
        <p className="hint">{t('auth.agreementVersion', { version: agreement.version })}</p>
        <div className="consent-text">
          {agreement.paragraphs.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
        <h3>{t('auth.summary')}</h3>
        <ul className="list" data-testid="auth-summary">
          <li>
            {t('auth.grantee')}：{grantee?.name} · {options.purposes.find((p) => p.code === g.purpose)?.name}
          </li>
          {g.ward && <li>{t('auth.forWard', { name: g.ward.name })}</li>}
          <li>
            {t('auth.items')}：{g.items.map(itemName).join('、')}
          </li>
          {needsMedTypes(g, options) && (
            <li>
              {t('auth.medTypes')}：{g.medTypes.map((m) => options.medTypes.find((x) => x.code === m)?.name).join('、')}
            </li>
          )}
          <li>
            {t('auth.period')}：{t('auth.days', { count: g.days })}，{t('auth.from', { date: options.today })}
          </li>
          <li>{t('auth.limits', { text: limits || t('auth.unlimited') })}</li>
        </ul>
        <h3>{t('auth.preview')}</h3>
        <ul className="list" data-testid="auth-preview">
          {(preview ?? []).map((p) => (
            <li key={p.key}>
              {t('auth.previewItem', { name: p.name, level: p.level, fields: p.fields.join('、'), count: p.records })}
              {p.medTypes.length > 0 && ` ${t('auth.previewMedTypes', { types: p.medTypes.join('、') })}`}
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => say([agreement.title, ...agreement.paragraphs].join('\n'))}>
          {t('auth.readAloud')}
        </button>
        <label className="check">
          <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} /> {t('auth.agree')}
        </label>
        {!byFace && !byCard && <p className="hint">{t('auth.needFace')}</p>}
        <div className="actions">
          {byFace && (
            <button type="button" className="primary" disabled={!agreed || !ticket} onClick={() => setStep('verify')}>
              {t('auth.confirmByFace')}
            </button>
          )}
          {!byFace && byCard && (
            <button type="button" className="primary" disabled={!agreed || !ticket} onClick={() => setStep('pin')}>
              {t('auth.confirmByPin')}
            </button>
          )}
          <button type="button" onClick={() => setStep('form')}>
            {t('common.back')}
          </button>
        </div>
      </div>
    );
  }

  const never = options.items.filter((i) => !options.levels.find((l) => l.level === i.level)?.thirdParty);
  return (
    <div className="auth-form" data-testid="auth-form">
      <fieldset>
        <legend>{t('auth.subject')}</legend>
        <label className="check">
          <input type="radio" name="subject" checked={!g.ward} onChange={() => set({ ward: null })} /> {t('auth.self')}
        </label>
        <label className="check">
          <input type="radio" name="subject" checked={!!g.ward} onChange={() => set({ ward: { idNumber: '', name: '' } })} /> {t('auth.ward')}
        </label>
        {g.ward && (
          <>
            <label>
              {t('auth.wardIdNumber')}{' '}
              <input value={g.ward.idNumber} maxLength={18} inputMode="numeric" onChange={(e) => set({ ward: { ...g.ward!, idNumber: e.target.value } })} />
            </label>
            <label>
              {t('auth.wardName')} <input value={g.ward.name} maxLength={15} onChange={(e) => set({ ward: { ...g.ward!, name: e.target.value } })} />
            </label>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('auth.grantee')}</legend>
        {options.grantees.map((x) => (
          <label key={x.code} className="check">
            <input
              type="radio"
              name="grantee"
              checked={g.grantee === x.code}
              onChange={() => set({ grantee: x.code, purpose: x.purposes.length === 1 ? x.purposes[0]! : '' })}
            />{' '}
            {x.name}
          </label>
        ))}
      </fieldset>
      {grantee && (
        <fieldset>
          <legend>{t('auth.purpose')}</legend>
          {purposes.map((p) => (
            <label key={p.code} className="check">
              <input type="radio" name="purpose" checked={g.purpose === p.code} onChange={() => set({ purpose: p.code })} /> {p.name}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>{t('auth.items')}</legend>
        {options.levels
          .filter((l) => l.thirdParty)
          .map((l) => (
            <div key={l.level} className="auth-level" data-level={l.level}>
              <p className="hint">{t('auth.level', { name: l.name })}</p>
              {options.items
                .filter((i) => i.level === l.level)
                .map((i) => (
                  <label key={i.key} className="check">
                    <input type="checkbox" checked={g.items.includes(i.key)} onChange={(e) => set({ items: toggle(g.items, i.key, e.target.checked) })} />{' '}
                    {i.name}
                  </label>
                ))}
            </div>
          ))}
        <p className="hint">{t('auth.levelNote')}</p>
        <p className="hint">{t('auth.never', { items: never.map((i) => i.name).join('、') })}</p>
      </fieldset>
      {needsMedTypes(g, options) && (
        <fieldset>
          <legend>{t('auth.medTypes')}</legend>
          {options.medTypes.map((m) => (
            <label key={m.code} className="check">
              <input type="checkbox" checked={g.medTypes.includes(m.code)} onChange={(e) => set({ medTypes: toggle(g.medTypes, m.code, e.target.checked) })} />{' '}
              {m.name}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>
          {t('auth.period')}（{t('auth.from', { date: options.today })}）
        </legend>
        {options.periods
          .filter((d) => d <= maxDays)
          .map((d) => (
            <label key={d} className="check">
              <input type="radio" name="period" checked={g.days === d} onChange={() => set({ days: d })} /> {t('auth.days', { count: d })}
            </label>
          ))}
      </fieldset>
      {(needsFrequency(g, options) || g.perDay !== null || g.total !== null) && (
        <fieldset>
          <legend>{t('auth.frequency')}</legend>
          <label>
            {t('auth.perDay')}{' '}
            <select value={g.perDay ?? ''} onChange={(e) => set({ perDay: e.target.value ? Number(e.target.value) : null })}>
              <option value="">{t('auth.unlimited')}</option>
              {PER_DAY.map((n) => (
                <option key={n} value={n}>
                  {t('auth.times', { count: n })}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('auth.total')}{' '}
            <select value={g.total ?? ''} onChange={(e) => set({ total: e.target.value ? Number(e.target.value) : null })}>
              <option value="">{t('auth.unlimited')}</option>
              {TOTAL.map((n) => (
                <option key={n} value={n}>
                  {t('auth.times', { count: n })}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!grantComplete(g, options)} onClick={() => (setAgreed(false), setStep('agreement'))}>
          {t('auth.next')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
