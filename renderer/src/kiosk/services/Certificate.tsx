import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../../bridge';
import { codeOf } from '../../face/FaceCapture';
import { ServiceFrame, type ServiceProps } from './common';
import { printCondition, usePrintJob } from './usePrintJob';

/** 参保凭证打印: print the certificate and follow the print job until it is done. */
export function CertificateService({ onBack, say }: ServiceProps) {
  const { t } = useTranslation();
  const { job, follow } = usePrintJob();
  const [error, setError] = useState<string | null>(null);
  const condition = printCondition(job);
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
              .then((r) => follow(r.jobId))
              .catch((e: unknown) => setError(codeOf(e)))
          }
        >
          {t('certificate.print')}
        </button>
      )}
      {error && (
        <p role="alert" className="error-text big">
          {t(`errors.${error}`, { defaultValue: t('errors.fallback', { code: error }) })}
        </p>
      )}
      {job && (
        <p role={condition ? 'alert' : 'status'} className={condition ? 'error-text big' : 'ok-text big'} data-testid="print-state" data-state={job.state}>
          {job.state === 'done' ? t('certificate.done') : condition ? t(`errors.${condition}`, { defaultValue: condition }) : t('certificate.printing')}
        </p>
      )}
    </ServiceFrame>
  );
}
