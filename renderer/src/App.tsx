import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../main/bridge/contract';
import { useStatus } from './shell/useStatus';
import { StatusBar } from './shell/StatusBar';
import { LanguageToggle } from './shell/LanguageToggle';
import { KioskApp } from './kiosk/KioskApp';
import { CheckoutApp } from './checkout/CheckoutApp';
import { ServiceApp } from './service/ServiceApp';

const TITLE = { kiosk: 'app.title', checkout: 'app.checkoutTitle', service: 'app.serviceTitle' } as const;

export function App({ info }: { info: AppInfo }) {
  const { t } = useTranslation();
  const status = useStatus();
  return (
    <div className={`shell mode-${info.mode}`} data-mode={info.mode}>
      <header className="toolbar">
        <span className="brand">{t(TITLE[info.mode])}</span>
        <span className="terminal">{info.terminalName}</span>
        <LanguageToggle />
      </header>
      {info.mode === 'kiosk' && <KioskApp info={info} />}
      {info.mode === 'checkout' && <CheckoutApp />}
      {info.mode === 'service' && <ServiceApp status={status} />}
      <StatusBar status={status} />
    </div>
  );
}
