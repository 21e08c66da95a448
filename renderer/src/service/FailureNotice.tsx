import { useTranslation } from 'react-i18next';
import { failureWords } from './failures';

/**
 * One failure on the technician's screen: the plain sentence, the code kept for support as an
 * attribute rather than on screen, and 重试 where there is something to try again.
 */
export function FailureNotice({
  code,
  params,
  onRetry,
  testId,
  announce = false,
}: {
  code: string;
  params?: Record<string, string | number>;
  onRetry?: () => void;
  testId?: string;
  /** Read out at once: the answer to something the technician just did, not a standing state. */
  announce?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const words = failureWords({ t: (key, options) => t(key, options ?? {}), exists: (key) => i18n.exists(key) }, code, params);
  return (
    <p className="error-text failure" role={announce ? 'alert' : undefined} data-code={code} data-testid={testId}>
      {words.sentence}
      {onRetry && (
        <>
          {' '}
          <button type="button" onClick={onRetry}>
            {t('service.retry')}
          </button>
        </>
      )}
    </p>
  );
}
