import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../../main/bridge/contract';
import { getBridge } from '../bridge';
import { codeOf } from '../face/FaceCapture';

/** Polls main's 亲友代办 state while shown: the helper's credential arrives from the readers, not the page. */
function useAgent(poll: boolean): { view: AgentView | null; setView: (v: AgentView) => void } {
  const [view, setView] = useState<AgentView | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      void getBridge()
        .call('kiosk.agentStatus', {})
        .then((v) => alive && setView(v))
        .catch(() => undefined);
    load();
    const timer = poll ? window.setInterval(load, 500) : undefined;
    return () => {
      alive = false;
      if (timer) window.clearInterval(timer);
    };
  }, [poll]);
  return { view, setView };
}

/**
 * 亲友代办: the helper proves who they are with their own card or 医保码. Main takes the next
 * credential as the helper's (not as a new session) and files them as 代办人 where a service allows.
 */
export function AgentScreen({ onDone, say }: { onDone: () => void; say: (text: string) => void }) {
  const { t } = useTranslation();
  const { view, setView } = useAgent(true);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    say(t('agent.prompt'));
    void getBridge()
      .call('kiosk.agentAwait', {})
      .then(setView)
      .catch((e: unknown) => setError(t(`errors.${codeOf(e)}`, { defaultValue: t('errors.fallback', { code: codeOf(e) }) })));
  }, []);
  useEffect(() => {
    if (view?.refused) say(view.refused);
  }, [view?.refused]);
  const agent = view?.agent ?? null;
  return (
    <main className="agent service-screen" data-testid="agent">
      <div className="service-body" tabIndex={0} role="region" aria-label={t('agent.heading')}>
        <h1>{t('agent.heading')}</h1>
        {!agent && <p className="prompt big">{t('agent.prompt')}</p>}
        {!agent && view?.waiting && <p className="hint">{t('agent.waiting')}</p>}
        {view?.refused && (
          <p role="alert" className="error-text" data-testid="agent-refused">
            {view.refused}
          </p>
        )}
        {agent && (
          <p className="ok-text big" role="status" data-testid="agent-recorded">
            {t('agent.recorded', { name: agent.maskedName, no: agent.maskedNo })}
          </p>
        )}
        {agent && <p>{t('agent.note')}</p>}
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
      </div>
      <div className="actions">
        {agent && (
          <button type="button" className="primary" onClick={onDone}>
            {t('agent.done')}
          </button>
        )}
        <button
          type="button"
          onClick={() =>
            void getBridge()
              .call('kiosk.agentClear', {})
              .finally(onDone)
              .catch(() => undefined)
          }
          data-testid="agent-clear"
        >
          {agent ? t('agent.clear') : t('common.back')}
        </button>
      </div>
    </main>
  );
}

/** On the home screen: who acts for the resident, with a way to end it. */
export function AgentLine() {
  const { t } = useTranslation();
  const { view, setView } = useAgent(false);
  const agent = view?.agent;
  if (!agent) return null;
  return (
    <p className="agent-line" data-testid="agent-line">
      {t('agent.recorded', { name: agent.maskedName, no: agent.maskedNo })}{' '}
      <button
        type="button"
        onClick={() =>
          void getBridge()
            .call('kiosk.agentClear', {})
            .then(setView)
            .catch(() => undefined)
        }
      >
        {t('agent.clear')}
      </button>
    </p>
  );
}
