import { useTranslation } from 'react-i18next';

/** Runs one cashier action: busy while it runs, main's refusal shown by its error code. */
export type RunAction = (action: () => Promise<unknown>) => Promise<void>;

const BEIJING_TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** An instant from main (ISO, UTC) as the time of day in Beijing, as the receipts print it. */
export function clockTime(iso: string): string {
  return BEIJING_TIME.format(new Date(iso));
}

/** The Chinese (or English) text of an error code from main, or the fallback naming the code. */
export function useErrorText(): (code: string) => string {
  const { t } = useTranslation();
  return (code) => t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
}

/**
 * Why a sale or queue item stands where it does: main writes `CODE: detail` (shown through the
 * catalogue) or passes on the platform's own words and the cashier's note (shown as they are).
 */
export function useReasonText(): (reason: string) => string {
  const errorText = useErrorText();
  return (reason) => {
    const code = /^([A-Z][A-Z0-9_]+)(:|$)/.exec(reason)?.[1];
    return code ? errorText(code) : reason;
  };
}
