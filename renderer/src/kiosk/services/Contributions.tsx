import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';
import { formatMoney } from '../../../../main/bridge/contract';

/** 缴费记录: what was paid for which year, how. */
export function ContributionService({ onBack }: ServiceProps) {
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
              {t('contrib.year', { year: r.year })} · {formatMoney(r.amount)} · {r.paidAt} · {t(`contrib.channel.${r.channel}`, { defaultValue: r.channel })}
            </li>
          ))}
        </ul>
      )}
    </ServiceFrame>
  );
}
