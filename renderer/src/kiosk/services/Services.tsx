import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { codeOf, FaceCapture } from '../../face/FaceCapture';
import { Loading, Rows, ServiceFrame, useLoad, yuan } from './common';
import { QrCode } from '../QrCode';
import { PinPad } from '../PinPad';
import type { RequestOutput } from '../../../../main/bridge/contract';

export type ServiceName = 'info' | 'account' | 'records' | 'contributions' | 'premium' | 'cumulative' | 'chronic' | 'designated' | 'transfer' | 'family' | 'auth' | 'estimate' | 'certificate' | 'policy';
export const SERVICES: ServiceName[] = ['info', 'account', 'records', 'contributions', 'premium', 'certificate', 'cumulative', 'chronic', 'designated', 'transfer', 'family', 'auth', 'estimate', 'policy'];

interface Props {
  onBack: () => void;
  say: (text: string) => void;
}

export function InfoService({ onBack }: Props) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.person', {}));
  return (
    <ServiceFrame title={t('services.info')} onBack={onBack} testId="service-info">
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <Rows rows={[[t('fields.name'), data.maskedName], [t('fields.gender'), t(`fields.genders.${data.gender}`, { defaultValue: '-' })], [t('fields.age'), String(data.age)]]} />
          {data.records.map((r) => (
            <section key={r.insutype} className="card" data-testid={`record-${r.insutype}`}>
              <h2>{r.insutypeName}</h2>
              <Rows rows={[[t('fields.status'), r.status === '1' ? t('fields.insured') : t('fields.suspended')], [t('fields.region'), r.admdvs], [t('fields.since'), r.since ?? '-'], [t('fields.employer'), r.empName ?? '-']]} />
            </section>
          ))}
        </>
      )}
    </ServiceFrame>
  );
}

export function AccountService({ onBack }: Props) {
  const { t } = useTranslation();
  const person = useLoad(() => getBridge().call('kiosk.person', {}));
  const records = useLoad(() => getBridge().call('kiosk.settlements', {}));
  const rec = person.data?.records.find((r) => r.insutype === person.data?.selected);
  return (
    <ServiceFrame title={t('services.account')} onBack={onBack} testId="service-account">
      {!person.data ? <Loading error={person.error} /> : <p className="big-number" data-testid="balance">{t('account.balance')}: {rec?.insutype === '310' ? yuan(rec.balance) : t('account.none')}</p>}
      <h2>{t('account.movements')}</h2>
      {!records.data ? (
        <Loading error={records.error} />
      ) : records.data.rows.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul className="list">
          {records.data.rows.slice(0, 6).map((r) => (
            <li key={r.mdtrtId}>
              {r.date} · {r.institution}
            </li>
          ))}
        </ul>
      )}
    </ServiceFrame>
  );
}

export function RecordsService({ onBack }: Props) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.settlements', {}));
  const [detail, setDetail] = useState<{ setlId: string; mdtrtId: string } | null>(null);
  const d = useLoad(() => (detail ? getBridge().call('kiosk.settlementDetail', detail) : Promise.resolve(null)), [detail]);
  return (
    <ServiceFrame title={t('services.records')} onBack={detail ? () => setDetail(null) : onBack} testId="service-records">
      {detail ? (
        !d.data ? (
          <Loading error={d.error} />
        ) : (
          <div data-testid="settlement-detail">
            <Rows rows={[[t('fields.date'), d.data.summary.date], [t('fields.total'), yuan(d.data.summary.total)], [t('fields.fund'), yuan(d.data.summary.fund)], [t('fields.account'), yuan(d.data.summary.account)], [t('fields.cash'), yuan(d.data.summary.cash)]]} />
            <ul className="list">
              {d.data.lines.map((l, i) => (
                <li key={i}>
                  {l.name} × {l.quantity} · {yuan(l.amount)}
                </li>
              ))}
            </ul>
          </div>
        )
      ) : !data ? (
        <Loading error={error} />
      ) : data.rows.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul className="list">
          {data.rows.map((r) => (
            <li key={r.mdtrtId}>
              <button type="button" className="list-button" disabled={!r.setlId} onClick={() => r.setlId && setDetail({ setlId: r.setlId, mdtrtId: r.mdtrtId })}>
                {r.date} · {r.institution} · {t(`medTypes.${r.medType}`, { defaultValue: r.medType })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </ServiceFrame>
  );
}

export function CumulativeService({ onBack }: Props) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.cumulative', {}));
  return (
    <ServiceFrame title={t('services.cumulative')} onBack={onBack} testId="service-cumulative">
      {!data ? <Loading error={error} /> : <Rows rows={data.rows.map((r) => [t(`cumulative.${r.code}`, { defaultValue: r.code }), yuan(r.amount)] as [string, string])} />}
    </ServiceFrame>
  );
}

/** A filing service: what is filed now, apply for a new one, cancel one. */
export function FilingService({ onBack, say, kind }: Props & { kind: 'chronic' | 'designated' | 'transfer' }) {
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
          <button key={o.code} type="button" className="tile" disabled={busy || mine.some((m) => m.name === o.name)} onClick={() => void act({ action: 'apply', code: o.code })}>
            {o.name}
          </button>
        ))}
      </div>
    </ServiceFrame>
  );
}

export function EstimateService({ onBack, say }: Props) {
  const { t } = useTranslation();
  const drugs = useLoad(() => getBridge().call('kiosk.catalogue', {}));
  const [basket, setBasket] = useState<Record<string, number>>({});
  const [result, setResult] = useState<{ total: number; fund: number; account: number; cash: number; ownPay: number; region: string } | null>(null);
  const lines = Object.entries(basket).map(([listCode, quantity]) => ({ listCode, quantity }));
  return (
    <ServiceFrame title={t('services.estimate')} onBack={onBack} testId="service-estimate">
      <p>{t('estimate.pick')}</p>
      <div className="tiles">
        {(drugs.data?.drugs ?? []).slice(0, 8).map((d) => (
          <button key={d.listCode} type="button" className="tile" onClick={() => setBasket((b) => ({ ...b, [d.listCode]: (b[d.listCode] ?? 0) + 1 }))}>
            {d.name} {yuan(d.price)}
            {basket[d.listCode] ? ` × ${basket[d.listCode]}` : ''}
          </button>
        ))}
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!lines.length}
          onClick={() =>
            void getBridge()
              .call('kiosk.estimate', { medType: '41', lines })
              .then((r) => {
                setResult(r);
                say(t('estimate.spoken', { cash: yuan(r.cash) }));
              })
          }
        >
          {t('estimate.run')}
        </button>
        <button type="button" onClick={() => (setBasket({}), setResult(null))}>
          {t('estimate.clear')}
        </button>
      </div>
      {result && (
        <div data-testid="estimate-result">
          <Rows rows={[[t('fields.total'), yuan(result.total)], [t('fields.fund'), yuan(result.fund)], [t('fields.account'), yuan(result.account)], [t('fields.cash'), yuan(result.cash)]]} />
          <p className="note">{t('estimate.note', { region: result.region })}</p>
        </div>
      )}
    </ServiceFrame>
  );
}

export function CertificateService({ onBack, say }: Props) {
  const { t } = useTranslation();
  const [job, setJob] = useState<{ id: string; state: string; reason: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!job || job.state === 'done' || job.state === 'unknown') return;
    const timer = window.setInterval(async () => {
      const s = await getBridge().call('kiosk.printJob', { jobId: job.id }).catch(() => null);
      if (!s) return;
      setJob((j) => (j ? { ...j, ...s } : j));
    }, 400);
    return () => window.clearInterval(timer);
  }, [job]);
  const condition = job?.reason?.split(':')[0] ?? null;
  useEffect(() => {
    if (job?.state === 'done') say(t('certificate.done'));
    else if (condition) say(t(`errors.${condition}`, { defaultValue: condition }));
  }, [job?.state, condition, say, t]);
  return (
    <ServiceFrame title={t('services.certificate')} onBack={onBack} testId="service-certificate">
      <p>{t('certificate.about')}</p>
      {!job && (
        <button
          type="button"
          className="primary"
          onClick={() =>
            void getBridge()
              .call('kiosk.printCertificate', {})
              .then((r) => setJob({ id: r.jobId, state: 'queued', reason: null }))
              .catch((e: unknown) => setError(codeOf(e)))
          }
        >
          {t('certificate.print')}
        </button>
      )}
      {error && <p role="alert" className="error-text big">{t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}</p>}
      {job && (
        <p role={condition ? 'alert' : 'status'} className={condition ? 'error-text big' : 'ok-text big'} data-testid="print-state" data-state={job.state}>
          {job.state === 'done' ? t('certificate.done') : condition ? t(`errors.${condition}`, { defaultValue: condition }) : t('certificate.printing')}
        </p>
      )}
    </ServiceFrame>
  );
}

export function PolicyService({ onBack }: Props) {
  const { t, i18n } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.policy', { locale: i18n.language === 'en' ? 'en' : 'zh-CN' }), [i18n.language]);
  return (
    <ServiceFrame title={t('services.policy')} onBack={onBack} testId="service-policy">
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <h2>{data.region}</h2>
          <ul className="list policy">
            {data.lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </>
      )}
    </ServiceFrame>
  );
}

/** 缴费记录: what was paid for which year, how. */
export function ContributionService({ onBack }: Props) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.contributions', {}));
  return (
    <ServiceFrame title={t('services.contributions')} onBack={onBack} testId="service-contributions">
      {!data ? (
        <Loading error={error} />
      ) : data.rows.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul className="list" data-testid="contributions">
          {data.rows.map((r) => (
            <li key={`${r.year}-${r.paidAt}`}>
              {t('contrib.year', { year: r.year })} · {yuan(r.amount)} · {r.paidAt} · {t(`contrib.channel.${r.channel}`, { defaultValue: r.channel })}
            </li>
          ))}
        </ul>
      )}
    </ServiceFrame>
  );
}

type Order = RequestOutput<'kiosk.premiumOrder'>;

/** 居民医保缴费: an order shown as a QR code to pay with a phone; the screen polls until paid. */
export function PremiumService({ onBack, say }: Props) {
  const { t } = useTranslation();
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!order || order.state !== 'unpaid') return;
    const timer = window.setInterval(async () => {
      const o = await getBridge().call('kiosk.premiumOrder', { orderId: order.orderId }).catch(() => null);
      if (o && o.state !== order.state) setOrder((x) => (x ? { ...x, ...o } : x));
    }, 1500);
    return () => window.clearInterval(timer);
  }, [order]);
  useEffect(() => {
    if (order?.state === 'paid') say(t('premium.paid'));
    else if (order?.state === 'unpaid') say(t('premium.scan'));
  }, [order?.state, say, t]);
  const create = () => {
    setBusy(true);
    setError(null);
    void getBridge()
      .call('kiosk.premiumOrder', {})
      .then(setOrder)
      .catch((e: unknown) => setError(codeOf(e)))
      .finally(() => setBusy(false));
  };
  return (
    <ServiceFrame title={t('services.premium')} onBack={onBack} testId="service-premium">
      {!order && (
        <>
          <p>{t('premium.about')}</p>
          <button type="button" className="primary" disabled={busy} onClick={create}>
            {t('premium.create')}
          </button>
        </>
      )}
      {error && <p role="alert" className="error-text big">{t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}</p>}
      {order && (
        <div className="premium" data-testid="premium-order" data-state={order.state}>
          <p className="big-number">{t('premium.amount', { amount: yuan(order.amount) })}</p>
          {order.state === 'unpaid' && (
            <>
              <QrCode text={order.payUrl} label={t('premium.qrLabel')} />
              <p role="status">{t('premium.scan')}</p>
              <p className="hint">{t('premium.expires', { time: order.expireTime.slice(11, 16) })}</p>
            </>
          )}
          {order.state === 'paid' && (
            <p role="status" className="ok-text big">
              {t('premium.paid')}
            </p>
          )}
          {order.state === 'expired' && (
            <>
              <p role="alert" className="error-text big">
                {t('premium.expired')}
              </p>
              <button type="button" className="primary" onClick={create}>
                {t('premium.create')}
              </button>
            </>
          )}
        </div>
      )}
    </ServiceFrame>
  );
}

/** 亲情账户: members who may use this person's account; binding needs the member's own credential. */
export function FamilyService({ onBack, say }: Props) {
  const { t } = useTranslation();
  const family = useLoad(() => getBridge().call('kiosk.family', {}));
  const [step, setStep] = useState<'list' | 'relation' | 'await' | 'confirm'>('list');
  const [relation, setRelation] = useState('');
  const [member, setMember] = useState<{ maskedName: string | null; maskedNo: string } | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (step !== 'await') return;
    say(t('family.presentMember'));
    const timer = window.setInterval(async () => {
      const r = await getBridge().call('kiosk.familyMember', {}).catch(() => null);
      if (r?.member) {
        setMember(r.member);
        setStep('confirm');
      }
    }, 500);
    return () => window.clearInterval(timer);
  }, [step, say, t]);
  const result = (r: { state: string; message: string | null }, okText: string) => {
    const ok = r.state === 'done';
    setMsg({ ok, text: ok ? okText : (r.message ?? t('family.notDone')) });
    say(ok ? okText : (r.message ?? t('family.notDone')));
    setStep('list');
    family.reload();
  };
  const relName = (code: string) => family.data?.relations.find((x) => x.code === code)?.name ?? code;
  return (
    <ServiceFrame title={t('services.family')} onBack={onBack} testId="service-family">
      <p>{t('family.about')}</p>
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok-text big' : 'error-text big'} data-testid="family-result">
          {msg.text}
        </p>
      )}
      {step === 'list' &&
        (!family.data ? (
          <Loading error={family.error} />
        ) : (
          <>
            {family.data.members.length === 0 ? (
              <p>{t('family.none')}</p>
            ) : (
              <ul className="list" data-testid="family-members">
                {family.data.members.map((m) => (
                  <li key={m.psnNo}>
                    {relName(m.relation)} · {m.maskedName} · {m.maskedNo} · {m.since}{' '}
                    <button type="button" onClick={() => void getBridge().call('kiosk.familyUnbind', { psnNo: m.psnNo }).then((r) => result(r, t('family.unbound')))}>
                      {t('family.unbind')} {m.maskedName}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <button type="button" className="primary" onClick={() => (setMsg(null), setStep('relation'))}>
              {t('family.add')}
            </button>
          </>
        ))}
      {step === 'relation' && family.data && (
        <div className="tiles" role="group" aria-label={t('family.relation')}>
          {family.data.relations.map((r) => (
            <button key={r.code} type="button" className="tile" onClick={() => void getBridge().call('kiosk.familyAwait', {}).then(() => (setRelation(r.code), setStep('await')))}>
              {r.name}
            </button>
          ))}
        </div>
      )}
      {step === 'await' && (
        <p role="status" className="big" data-testid="family-await">
          {t('family.presentMember')}
        </p>
      )}
      {step === 'confirm' && member && (
        <div data-testid="family-confirm">
          <p className="big">{t('family.confirm', { relation: relName(relation), name: member.maskedName ?? '', no: member.maskedNo })}</p>
          <button type="button" className="primary" onClick={() => void getBridge().call('kiosk.familyBind', { relation }).then((r) => result(r, t('family.bound')))}>
            {t('family.bind')}
          </button>
          <button type="button" onClick={() => setStep('list')}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </ServiceFrame>
  );
}

/** 个人信息授权: let an insurer or employer read chosen records for a period; confirmed by face; revocable. */
export function AuthService({ onBack, say }: Props) {
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
  const done = (r: { state: string; message: string | null }, okText: string) => show(r.state === 'done', r.state === 'done' ? okText : (r.message ?? t('family.notDone')));
  const grant = () =>
    void getBridge()
      .call('kiosk.authorise', { grantee, scopes, days })
      .then((r) => done(r, t('auth.granted')), (e: unknown) => show(false, errText(codeOf(e))));
  const ready = grantee && scopes.length > 0 && days > 0;
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
                      <button type="button" onClick={() => void getBridge().call('kiosk.revokeAuth', { sn: a.sn }).then((r) => done(r, t('auth.revoked')), (e: unknown) => show(false, errText(codeOf(e))))}>
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
                <input type="checkbox" checked={scopes.includes(x)} onChange={(e) => setScopes((v) => (e.target.checked ? [...v, x] : v.filter((y) => y !== x)))} /> {t(`auth.scope.${x}`)}
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
