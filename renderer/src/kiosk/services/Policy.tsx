import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { Loading, ServiceFrame, useLoad, type ServiceProps } from './common';

/** 政策查询: the region's policy lines in the screen's language. */
export function PolicyService({ onBack }: ServiceProps) {
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
