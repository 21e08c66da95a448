import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, Rows, ServiceFrame, useLoad, type ServiceProps } from './common';
import { formatMoney } from '../../../../main/bridge/contract';

/** 就诊结算记录: visits and settlements; one opens its detail (split and lines). */
export function RecordsService({ onBack }: ServiceProps) {
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
            <Rows
              rows={[
                [t('fields.date'), d.data.summary.date],
                [t('fields.total'), formatMoney(d.data.summary.total)],
                ...d.data.tiers.map((tier): [string, string] => [tier.label, formatMoney(tier.amount)]),
              ]}
            />
            <ul className="list">
              {d.data.lines.map((l, i) => (
                <li key={i}>
                  {l.name} × {l.quantity} · {formatMoney(l.amount)}
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
              <button
                type="button"
                className="list-button"
                disabled={!r.setlId}
                onClick={() => r.setlId && setDetail({ setlId: r.setlId, mdtrtId: r.mdtrtId })}
              >
                {r.date} · {r.institution} · {t(`medTypes.${r.medType}`, { defaultValue: r.medType })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </ServiceFrame>
  );
}
