import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, Rows, ServiceFrame, useLoad, type ServiceProps } from './common';

/** 参保信息查询: who the person is and each insurance record they hold. */
export function InfoService({ onBack }: ServiceProps) {
  const { t } = useTranslation();
  const { data, error } = useLoad(() => getBridge().call('kiosk.person', {}));
  return (
    <ServiceFrame title={t('services.info')} onBack={onBack} testId="service-info">
      {!data ? (
        <Loading error={error} />
      ) : (
        <>
          <Rows
            rows={[
              [t('fields.name'), data.maskedName],
              [t('fields.gender'), t(`fields.genders.${data.gender}`, { defaultValue: '-' })],
              [t('fields.age'), String(data.age)],
            ]}
          />
          {data.records.map((r) => (
            <section key={r.insutype} className="card" data-testid={`record-${r.insutype}`}>
              <h2>{r.insutypeName}</h2>
              <Rows
                rows={[
                  [t('fields.status'), r.status === '1' ? t('fields.insured') : t('fields.suspended')],
                  [t('fields.region'), r.admdvsName],
                  [t('fields.psnType'), r.psnTypeName],
                  [t('fields.since'), r.since ?? '-'],
                  [t('fields.employer'), r.empName ?? '-'],
                ]}
              />
            </section>
          ))}
        </>
      )}
    </ServiceFrame>
  );
}
