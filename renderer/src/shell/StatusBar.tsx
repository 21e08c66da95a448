import { useTranslation } from 'react-i18next';
import type { LiveStatus } from './useStatus';
import { clockTime, useServiceAccess } from '../service/useServiceAccess';
import { useHelp } from './useHelp';

export function StatusBar({ status }: { status: LiveStatus }) {
  const { t, i18n } = useTranslation();
  const network = status.network?.platform ?? 'unknown';
  // A service-mode lockout means someone tried PINs at this terminal: every mode shows it.
  const lockedUntil = useServiceAccess().access?.lockedUntil ?? null;
  // A resident's call for staff shows on every screen of the terminal until it is answered.
  const help = useHelp().call;
  return (
    <footer className="status-bar" aria-label={t('status.bar')} data-testid="status-bar">
      <ul>
        {status.devices.map((d) => (
          <li key={d.id} className={`status-item state-${d.state}`} data-testid={`device-${d.id}`} data-state={d.state}>
            <span className="dot" aria-hidden="true" />
            {t(`status.device.${d.kind}`)}: {t(`status.state.${d.state}`)}
          </li>
        ))}
        <li className={`status-item net-${network}`} data-testid="network" data-state={network}>
          <span className="dot" aria-hidden="true" />
          {t('status.network.label')}: {t(`status.network.${network}`)}
        </li>
        <li className="status-item" data-testid="queue" data-pending={status.queue?.pending ?? 0}>
          {t('status.queue.label')}: {t('status.queue.value', { count: status.queue?.pending ?? 0 })}
        </li>
        {help && (
          <li className="status-item state-warning" data-testid="status-help" data-state="called">
            <span className="dot" aria-hidden="true" />
            {t('status.help', { time: clockTime(help.at, i18n.language) })}
          </li>
        )}
        {lockedUntil && (
          <li className="status-item state-fault" data-testid="service-lockout" data-state="locked-out">
            <span className="dot" aria-hidden="true" />
            {t('service.lockedOutStatus', { time: clockTime(lockedUntil, i18n.language) })}
          </li>
        )}
      </ul>
    </footer>
  );
}
