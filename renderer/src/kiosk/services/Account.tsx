import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';
import { formatMoney } from '../../../../main/bridge/contract';

/** 个人账户: the balance of the employee account (险种 310) and its latest movements. */
export function AccountService({ onBack }: ServiceProps) {
  const { t } = useTranslation();
  const person = useLoad(() => getBridge().call('kiosk.person', {}));
  const records = useLoad(() => getBridge().call('kiosk.settlements', {}));
  const rec = person.data?.records.find((r) => r.insutype === person.data?.selected);
  return (
    <ServiceFrame title={t('services.account')} onBack={onBack} testId="service-account">
      {!person.data ? (
        <Loading error={person.error} />
      ) : (
        <p className="big-number" data-testid="balance">
          {t('account.balance')}: {rec?.insutype === '310' ? formatMoney(rec.balance) : t('account.none')}
        </p>
      )}
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
