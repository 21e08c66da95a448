import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';

/** 亲情账户: members who may use this person's account; binding needs the member's own credential. */
export function FamilyService({ onBack, say }: ServiceProps) {
  const { t } = useTranslation();
  const family = useLoad(() => getBridge().call('kiosk.family', {}));
  const [step, setStep] = useState<'list' | 'relation' | 'await' | 'confirm' | 'child'>('list');
  const [child, setChild] = useState({ idNumber: '', name: '', household: '', relation: '20' });
  const [relation, setRelation] = useState('');
  const [member, setMember] = useState<{ maskedName: string | null; maskedNo: string } | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (step !== 'await') return;
    say(t('family.presentMember'));
    const timer = window.setInterval(async () => {
      const r = await getBridge()
        .call('kiosk.familyMember', {})
        .catch(() => null);
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
                    <button
                      type="button"
                      onClick={() =>
                        void getBridge()
                          .call('kiosk.familyUnbind', { psnNo: m.psnNo })
                          .then((r) => result(r, t('family.unbound')))
                      }
                    >
                      {t('family.unbind')} {m.maskedName}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <button type="button" className="primary" onClick={() => (setMsg(null), setStep('relation'))}>
              {t('family.add')}
            </button>
            <button type="button" data-testid="family-add-child" onClick={() => (setMsg(null), setStep('child'))}>
              {t('family.addChild')}
            </button>
          </>
        ))}
      {step === 'relation' && family.data && (
        <div className="tiles" role="group" aria-label={t('family.relation')}>
          {family.data.relations.map((r) => (
            <button
              key={r.code}
              type="button"
              className="tile"
              onClick={() =>
                void getBridge()
                  .call('kiosk.familyAwait', {})
                  .then(() => (setRelation(r.code), setStep('await')))
              }
            >
              {r.name}
            </button>
          ))}
        </div>
      )}
      {step === 'child' && family.data && (
        <form
          className="service-form"
          data-testid="family-child"
          onSubmit={(e) => {
            e.preventDefault();
            void getBridge()
              .call('kiosk.familyBindChild', child)
              .then((r) => result(r, t('family.bound')))
              .catch((err: { message?: string }) => setMsg({ ok: false, text: err.message ?? t('family.notDone') }));
          }}
        >
          <p>{t('family.childAbout')}</p>
          <label className="field">
            {t('family.childId')}
            <input id="f-child-id" value={child.idNumber} maxLength={18} onChange={(e) => setChild({ ...child, idNumber: e.target.value })} />
          </label>
          <label className="field">
            {t('family.childName')}
            <input id="f-child-name" value={child.name} maxLength={20} onChange={(e) => setChild({ ...child, name: e.target.value })} />
          </label>
          <label className="field">
            {t('family.household')}
            <input id="f-child-household" value={child.household} maxLength={18} onChange={(e) => setChild({ ...child, household: e.target.value })} />
          </label>
          <label className="field">
            {t('family.relation')}
            <select id="f-child-relation" value={child.relation} onChange={(e) => setChild({ ...child, relation: e.target.value })}>
              {family.data.relations
                .filter((r) => ['20', '30', '40'].includes(r.code))
                .map((r) => (
                  <option key={r.code} value={r.code}>
                    {r.name}
                  </option>
                ))}
            </select>
          </label>
          <button type="submit" className="primary">
            {t('family.bind')}
          </button>
          <button type="button" onClick={() => setStep('list')}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      {step === 'await' && (
        <p role="status" className="big" data-testid="family-await">
          {t('family.presentMember')}
        </p>
      )}
      {step === 'confirm' && member && (
        <div data-testid="family-confirm">
          <p className="big">{t('family.confirm', { relation: relName(relation), name: member.maskedName ?? '', no: member.maskedNo })}</p>
          <button
            type="button"
            className="primary"
            onClick={() =>
              void getBridge()
                .call('kiosk.familyBind', { relation })
                .then((r) => result(r, t('family.bound')))
            }
          >
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
