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
import { useHoldGesture } from './service/useHoldGesture';
import { useServiceOverlay } from './service/useServiceOverlay';

const TITLE = { kiosk: 'app.title', checkout: 'app.checkoutTitle', service: 'app.serviceTitle' } as const;

/** The terminal name stays plain text to a resident's eye while it is the technician's way in. */
const plainText = { background: 'none', border: 0, padding: 0, color: 'inherit', font: 'inherit', userSelect: 'none', touchAction: 'none' } as const;

export function App({ info }: { info: AppInfo }) {
  const { t, i18n } = useTranslation();
  const status = useStatus();
  const [elderly, setElderly] = useState(info.elderlyModeDefault);
  const speech = useSpeech(elderly, i18n.language);
  const { caption, say } = speech;
  // On the kiosk the caption sits in the help row (AssistBar), between 呼叫工作人员 and the voice controls.
  // On a kiosk or counter, holding the terminal name opens service mode over the running screen.
  const overlay = useServiceOverlay(info.mode);
  const hold = useHoldGesture(() => void overlay.enter());
  const servicing = info.mode === 'service' || overlay.open;
  return (
    // data-mode is the screen shown: service while the technician's screens are open over a kiosk or counter.
    <div className={`shell mode-${info.mode} ${elderly ? 'elderly' : ''}`} data-mode={servicing ? 'service' : info.mode} data-elderly={elderly}>
      <header className="toolbar">
        <span className="brand">{t(TITLE[servicing ? 'service' : info.mode])}</span>
        {info.mode === 'service' ? (
          <span className="terminal">{info.terminalName}</span>
        ) : (
          <button type="button" className="terminal" style={plainText} aria-description={t('service.gestureHint')} data-testid="terminal-name" {...hold}>
            {info.terminalName}
          </button>
        )}
        {info.mode === 'kiosk' && !overlay.open && (
          <button type="button" className="toolbar-button" aria-pressed={elderly} onClick={() => setElderly((e) => !e)}>
            {elderly ? t('elderly.off') : t('elderly.on')}
          </button>
        )}
        <LanguageToggle />
      </header>
      {overlay.open ? (
        <ServiceApp status={status} onExit={overlay.leave} />
      ) : (
        <>
          {info.mode === 'kiosk' && <KioskApp info={info} elderly={elderly} say={say} speech={speech} />}
          {info.mode === 'checkout' && <CheckoutApp />}
          {info.mode === 'service' && <ServiceApp status={status} />}
        </>
      )}
      {info.mode !== 'kiosk' && elderly && caption && (
        <p className="caption" role="status" aria-live="polite" data-testid="caption">
          {caption}
        </p>
      )}
      <StatusBar status={status} />
    </div>
  );
}
