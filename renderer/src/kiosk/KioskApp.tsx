import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { useIdle } from '../shell/useIdle';
import { useSession } from '../shell/useSession';
import { FaceCapture, codeOf, type FaceOutcome } from '../face/FaceCapture';
import {
  AccountService,
  CertificateService,
  ContributionService,
  CumulativeService,
  EstimateService,
  AuthService,
  FamilyService,
  FilingService,
  InfoService,
  PolicyService,
  PremiumService,
  RecordsService,
  type ServiceName,
} from './services';
import { ServiceForm } from './services/ServiceForm';
import { CatalogueScreen, CategoryBar, Tiles, useCatalogue } from './services/Home';
import type { ServiceListItemView } from '../../../main/bridge/contract';
import { PinPad } from './PinPad';
import { screenAfterFace, screenAfterMessage, stepsFor, useKioskNavigation, type StepKey } from './navigation';
import { AssistBar } from '../shell/AssistBar';
import type { Speech } from '../shell/speech';
import { StepIndicator } from './StepIndicator';
import { AgentScreen, AgentLine } from './Agent';

/** The resident kiosk: attract screen, four ways to identify, then the services. */
export function KioskApp({ info, elderly, say, speech }: { info: AppInfo; elderly: boolean; say: (text: string) => void; speech: Speech }) {
  const { t } = useTranslation();
  const bridge = getBridge();
  const session = useSession();
  const { screen, setScreen, open, pinAccepted } = useKioskNavigation(session);
  const [faceStatus, setFaceStatus] = useState<{ enabled: boolean; enrolled: boolean } | null>(null);
  // The form's own steps (fill, verify, result), reported by the generic form.
  const [formSteps, setFormSteps] = useState<{ steps: StepKey[]; at: StepKey } | null>(null);
  useEffect(() => setFormSteps(null), [screen]);

  // Credential problems (a card pulled mid-read, an unreadable QR) are spoken and shown.
  useEffect(
    () =>
      bridge.on('device.credential', (e) => {
        if (e.kind === 'error') say(t(`errors.${e.code}`, { defaultValue: t('errors.fallback', { code: e.code }) }));
      }),
    [bridge, say, t],
  );
  // The screen's prompt, spoken when the screen opens and again when 长辈版 (and with it the voice) is turned on.
  useEffect(() => {
    if (screen.name === 'attract') say(t('attract.prompt'));
    if (screen.name === 'home' && session) say(t('home.greeting', { name: session.maskedName ?? t('home.resident') }) + '，' + t('home.heading'));
  }, [screen.name, session, say, t, elderly]);

  useEffect(() => {
    if (screen.name !== 'home') return;
    void bridge
      .call('face.status', {})
      .then(setFaceStatus)
      .catch(() => setFaceStatus(null));
  }, [screen.name, bridge, session]);

  const logout = useCallback(() => {
    void bridge.call('session.end', { reason: 'logout' }).catch(() => undefined);
    setScreen({ name: 'attract' });
  }, [bridge, setScreen]);

  const idleActive = screen.name !== 'attract';
  // The countdown takes the last 30 s (half the time on a shorter timeout), spoken when it appears.
  const { secondsLeft, reset } = useIdle(idleActive, info.idleTimeoutSeconds, Math.min(30, Math.floor(info.idleTimeoutSeconds / 2)), () => {
    void bridge.call('session.end', { reason: 'idle' }).catch(() => undefined);
    setScreen({ name: 'attract' });
  });

  // The countdown is spoken once when it appears (and captioned), not only shown: a resident who
  // looked away hears that the session is about to end and how to keep it.
  const warned = secondsLeft !== null;
  useEffect(() => {
    if (warned) say(t('idle.spoken', { seconds: secondsLeft }));
    // Spoken when the warning appears, not at every tick (secondsLeft is left out on purpose).
  }, [warned]);

  // The home screen comes from main's catalogue: what this person may open, most used first.
  const catalogue = useCatalogue(`${screen.name === 'home' || screen.name === 'catalogue' || screen.name === 'identify'}-${session?.startedAt ?? ''}`);
  const openItem = (s: ServiceListItemView) => (s.screen ? open(s.screen as ServiceName) : setScreen({ name: 'form', id: s.id }));
  const mostUsed = (catalogue ?? []).slice(0, elderly ? 6 : 12);

  const faceError = (code: string | null) => t(`errors.${code ?? 'INTERNAL'}`, { defaultValue: t('errors.fallback', { code }) });

  let body;
  switch (screen.name) {
    case 'attract':
      body = (
        <main className="attract" data-testid="attract">
          <button type="button" className="attract-surface" onClick={() => setScreen({ name: 'identify' })}>
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
      break;
    case 'identify':
      body = (
        <main className="identify service-screen" data-testid="identify">
          <div className="service-body" tabIndex={0} role="region" aria-label={t('identify.heading')}>
            <h1>{t('identify.heading')}</h1>
            <ul className="identify-ways">
              <li>{t('identify.idCard')}</li>
              <li>{t('identify.ssCard')}</li>
              <li>{t('identify.qr')}</li>
            </ul>
            <div className="actions">
              <button type="button" className="primary" onClick={() => setScreen({ name: 'face-login' })}>
                {t('identify.faceLogin')}
              </button>
              <button type="button" onClick={() => setScreen({ name: 'catalogue', category: 'query' })} data-testid="public-services">
                {t('identify.publicServices')}
              </button>
            </div>
          </div>
          <div className="actions">
            <button type="button" onClick={() => setScreen({ name: 'attract' })} data-testid="back">
              {t('common.back')}
            </button>
          </div>
        </main>
      );
      break;
    case 'home':
      body = (
        <main className="home" data-testid="home">
          <h1 data-testid="greeting">{t('home.greeting', { name: session?.maskedName ?? t('home.resident') })}</h1>
          <p className="identity-line">
            {t(`home.provenBy.${session?.provenBy ?? 'id-card'}`)} · {session?.maskedNo}
          </p>
          <p>{t('home.heading')}</p>
          <div className="actions top">
            {faceStatus?.enabled && !faceStatus.enrolled && (
              <button type="button" className="primary" onClick={() => setScreen({ name: 'face-consent' })}>
                {t('face.enable')}
              </button>
            )}
            {faceStatus?.enrolled && (
              <button
                type="button"
                onClick={() =>
                  void bridge.call('face.delete', {}).then(() => setScreen({ name: 'message', text: t('face.deleted'), tone: 'ok', next: 'home' }))
                }
              >
                {t('face.delete')}
              </button>
            )}
            <button type="button" onClick={() => setScreen({ name: 'agent' })} data-testid="agent-start">
              {t('agent.start')}
            </button>
            <button type="button" onClick={logout}>
              {t('common.logout')}
            </button>
          </div>
          <AgentLine />
          {catalogue && <Tiles list={mostUsed} onOpen={openItem} few={elderly} />}
          {catalogue && <CategoryBar list={catalogue} onCategory={(category) => setScreen({ name: 'catalogue', category })} />}
        </main>
      );
      break;
    case 'catalogue':
      body = (
        <CatalogueScreen
          category={screen.category}
          list={catalogue ?? []}
          onOpen={openItem}
          onBack={() => setScreen({ name: session ? 'home' : 'identify' })}
          elderly={elderly}
        />
      );
      break;
    case 'form':
      body = <ServiceForm key={screen.id} id={screen.id} onBack={() => setScreen({ name: session ? 'home' : 'identify' })} say={say} onStep={setFormSteps} />;
      break;
    case 'pin':
      body = (
        <main className="pin-screen">
          <PinPad onCancel={() => setScreen({ name: 'home' })} onDone={() => pinAccepted(screen.then)} say={say} />
        </main>
      );
      break;
    case 'service': {
      const props = { onBack: () => setScreen({ name: 'home' }), say, onStep: setFormSteps };
      const s = screen.service;
      body =
        s === 'info' ? (
          <InfoService {...props} />
        ) : s === 'account' ? (
          <AccountService {...props} />
        ) : s === 'records' ? (
          <RecordsService {...props} />
        ) : s === 'cumulative' ? (
          <CumulativeService {...props} />
        ) : s === 'estimate' ? (
          <EstimateService {...props} />
        ) : s === 'certificate' ? (
          <CertificateService {...props} />
        ) : s === 'policy' ? (
          <PolicyService {...props} />
        ) : s === 'contributions' ? (
          <ContributionService {...props} />
        ) : s === 'premium' ? (
          <PremiumService {...props} />
        ) : s === 'family' ? (
          <FamilyService {...props} />
        ) : s === 'auth' ? (
          <AuthService {...props} />
        ) : (
          <FilingService {...props} kind={s} />
        );
      break;
    }
    case 'face-consent':
      body = (
        <main className="consent" data-testid="face-consent">
          <h1>{t('face.consentTitle')}</h1>
          <div className="consent-text">
            {t('face.consentText')
              .split('\n')
              .map((line) => (
                <p key={line}>{line}</p>
              ))}
          </div>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() =>
                void bridge
                  .call('face.consent', { purpose: 'kiosk-login', accept: true })
                  .then(() => setScreen({ name: 'face-enrol' }))
                  .catch((e: unknown) => setScreen({ name: 'message', text: faceError(codeOf(e)), tone: 'error', next: 'home' }))
              }
            >
              {t('face.agree')}
            </button>
            <button type="button" onClick={() => setScreen({ name: 'home' })}>
              {t('face.disagree')}
            </button>
          </div>
        </main>
      );
      break;
    case 'face-enrol':
    case 'face-login':
      body = (
        <main className="face" data-testid={screen.name}>
          <h1>{t(screen.name === 'face-enrol' ? 'face.enrolTitle' : 'face.loginTitle')}</h1>
          <FaceCapture
            purpose={screen.name === 'face-enrol' ? 'enrol' : 'login'}
            onFinished={(o: FaceOutcome) => {
              const next = screenAfterFace(screen.name, o, {
                enrolled: t('face.enrolled'),
                notRecognised: t('face.notRecognised'),
                failed: faceError(o.error),
              });
              if (next) setScreen(next);
            }}
            actions={
              <button type="button" onClick={() => setScreen(screen.name === 'face-enrol' ? { name: 'home' } : { name: 'identify' })}>
                {t('common.cancel')}
              </button>
            }
          />
        </main>
      );
      break;
    case 'agent':
      body = <AgentScreen onDone={() => setScreen({ name: 'home' })} say={say} />;
      break;
    case 'message':
      body = (
        <main className={`message tone-${screen.tone}`} data-testid="message">
          <p role={screen.tone === 'error' ? 'alert' : 'status'}>{screen.text}</p>
          <button type="button" className="primary" onClick={() => setScreen(screenAfterMessage(screen.next, session))}>
            {t('common.ok')}
          </button>
        </main>
      );
      break;
  }

  const steps = stepsFor(screen, session !== null, formSteps);
  const where = screen.name === 'form' ? `form:${screen.id}` : screen.name === 'service' ? `service:${screen.service}` : screen.name;
  return (
    <>
      {steps && <StepIndicator steps={steps} />}
      {/* A banner in the page's flow, not a pop-up over it: nothing is hidden while it counts down. */}
      {secondsLeft !== null && (
        <div className="idle-warning" role="alert" aria-label={t('idle.stay')} data-testid="idle-warning">
          <p>{t('idle.countdown', { seconds: secondsLeft })}</p>
          <button type="button" className="primary" onClick={reset}>
            {t('idle.stay')}
          </button>
        </div>
      )}
      {body}
      <AssistBar screen={where} speech={speech} voice={elderly} />
    </>
  );
}
