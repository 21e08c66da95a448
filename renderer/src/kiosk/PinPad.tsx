import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;

/**
 * The on-screen PIN pad for the social-security card: digits never shown, six then verify. It is
 * the screen while it is up: on its own (KioskApp's PIN screen wraps it in the page's main) and
 * inside a service's screen (a form, 个人信息授权), where its title and 取消 stand in for the
 * service's (styles.css), so every key fits without scrolling, in 长辈版 on the 10-inch too.
 */
export function PinPad({ onDone, onCancel, say }: { onDone: () => void; onCancel: () => void; say: (text: string) => void }) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const press = async (k: (typeof KEYS)[number]) => {
    if (busy) return;
    if (k === 'clear') return setPin('');
    if (k === 'back') return setPin((p) => p.slice(0, -1));
    const next = (pin + k).slice(0, 6);
    setPin(next);
    if (next.length < 6) return;
    setBusy(true);
    try {
      await getBridge().call('kiosk.ssPin', { pin: next });
      onDone();
    } catch (e) {
      const code = codeOf(e);
      const text = t(`errors.${code}`, { defaultValue: t('errors.fallback', { code }) });
      setError(text);
      say(text);
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="pin" data-testid="pin-pad">
      <h1>{t('pin.title')}</h1>
      <p className="pin-dots" aria-label={t('pin.entered', { count: pin.length })}>
        {'●'.repeat(pin.length).padEnd(6, '○')}
      </p>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <div className="pin-keys" role="group" aria-label={t('pin.title')}>
        {KEYS.map((k) => (
          <button
            key={k}
            type="button"
            className="pin-key"
            onClick={() => void press(k)}
            aria-label={k === 'clear' ? t('pin.clear') : k === 'back' ? t('pin.back') : k}
          >
            {k === 'clear' ? t('pin.clear') : k === 'back' ? '⌫' : k}
          </button>
        ))}
      </div>
      <button type="button" className="pin-cancel" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
