import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../main/bridge/contract';
import { useStatus } from './shell/useStatus';
import { StatusBar } from './shell/StatusBar';
import { LanguageToggle } from './shell/LanguageToggle';
import { useSpeech } from './shell/speech';
import { KioskApp } from './kiosk/KioskApp';
import { CheckoutApp } from './checkout/CheckoutApp';
import { ServiceApp } from './service/ServiceApp';

const TITLE = { kiosk: 'app.title', checkout: 'app.checkoutTitle', service: 'app.serviceTitle' } as const;

export function App({ info }: { info: AppInfo }) {
  const { t, i18n } = useTranslation();
  const status = useStatus();
  const [elderly, setElderly] = useState(info.elderlyModeDefault);
  const { caption, say } = useSpeech(elderly, i18n.language);
  return (
    <div className={`shell mode-${info.mode} ${elderly ? 'elderly' : ''}`} data-mode={info.mode} data-elderly={elderly}>
      <header className="toolbar">
        <span className="brand">{t(TITLE[info.mode])}</span>
        <span className="terminal">{info.terminalName}</span>
        {info.mode === 'kiosk' && (
          <button type="button" className="toolbar-button" aria-pressed={elderly} onClick={() => setElderly((e) => !e)}>
            {elderly ? t('elderly.off') : t('elderly.on')}
          </button>
        )}
        <LanguageToggle />
      </header>
      {info.mode === 'kiosk' && <KioskApp info={info} elderly={elderly} say={say} />}
      {info.mode === 'checkout' && <CheckoutApp />}
      {info.mode === 'service' && <ServiceApp status={status} />}
      {elderly && caption && (
        <p className="caption" role="status" aria-live="polite" data-testid="caption">
          {caption}
        </p>
      )}
      <StatusBar status={status} />
    </div>
  );
}
