import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../../main/bridge/contract';
import { useIdle } from '../shell/useIdle';

type Screen = 'attract' | 'home';

/** The resident kiosk: an attract screen until someone touches it or presents a credential. */
export function KioskApp({ info }: { info: AppInfo }) {
  const { t } = useTranslation();
  const [screen, setScreen] = useState<Screen>('attract');
  const { secondsLeft, reset } = useIdle(screen !== 'attract', info.idleTimeoutSeconds, 15, () => setScreen('attract'));

  if (screen === 'attract') {
    return (
      <main className="attract" data-testid="attract">
        <button type="button" className="attract-surface" onClick={() => setScreen('home')} aria-label={t('attract.touchToStart')}>
          <h1>{t('attract.welcome')}</h1>
          <p className="prompt">{t('attract.prompt')}</p>
          <ul className="ways" aria-hidden="true">
            <li>{t('attract.ways.idCard')}</li>
            <li>{t('attract.ways.ssCard')}</li>
            <li>{t('attract.ways.qr')}</li>
            <li>{t('attract.ways.face')}</li>
          </ul>
          <span className="touch">{t('attract.touchToStart')}</span>
        </button>
      </main>
    );
  }
  return (
    <main className="home" data-testid="home">
      <h1>{t('home.heading')}</h1>
      <p>{t('home.comingSoon')}</p>
      <button type="button" className="primary" onClick={() => setScreen('attract')}>
        {t('home.back')}
      </button>
      {secondsLeft !== null && (
        <div className="idle-warning" role="alertdialog" aria-live="assertive" data-testid="idle-warning">
          <p>{t('idle.countdown', { seconds: secondsLeft })}</p>
          <button type="button" className="primary" onClick={reset}>
            {t('idle.stay')}
          </button>
        </div>
      )}
    </main>
  );
}
