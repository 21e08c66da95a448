import { useTranslation } from 'react-i18next';
import type { Steps } from './navigation';

/** 第 n 步 / 共 N 步 above every step of a transaction, with the names of all its steps. */
export function StepIndicator({ steps }: { steps: Steps }) {
  const { t } = useTranslation();
  const n = steps.at + 1;
  const total = steps.steps.length;
  return (
    <nav className="steps" aria-label={t('steps.of', { n, total })} data-testid="steps" data-step={n} data-total={total}>
      <p className="steps-count">
        {t('steps.of', { n, total })}：{t(`steps.${steps.steps[steps.at]}`)}
      </p>
      <ol className="steps-list" aria-hidden="true">
        {steps.steps.map((k, i) => (
          <li key={`${k}-${i}`} className={i === steps.at ? 'current' : i < steps.at ? 'done' : ''}>
            {t(`steps.${k}`)}
          </li>
        ))}
      </ol>
    </nav>
  );
}
