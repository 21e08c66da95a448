import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, Rows, ServiceFrame, useLoad, type ServiceProps } from './common';
import { formatMoney } from '../../../../main/bridge/contract';

/** 年度累计: what the fund has paid this year, per accumulation code. */
export function CumulativeService({ onBack }: ServiceProps) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.cumulative', {}));
  return (
    <ServiceFrame title={t('services.cumulative')} onBack={onBack} testId="service-cumulative">
      {!data ? (
        <Loading error={error} />
      ) : (
        <Rows rows={data.rows.map((r) => [t(`cumulative.${r.code}`, { defaultValue: r.code }), formatMoney(r.amount)] as [string, string])} />
      )}
    </ServiceFrame>
  );
}
