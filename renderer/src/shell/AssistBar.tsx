import { useTranslation } from 'react-i18next';
import { VOLUME_STEPS, type Speech } from './speech';
import { useHelp } from './useHelp';

/**
 * The same row at the bottom of every kiosk screen: 呼叫工作人员 (always), and — when prompts are
 * spoken — 重听, 停止 and the volume. Fixed in place so a resident finds it where it was.
 */
export function AssistBar({ screen, speech, voice }: { screen: string; speech: Speech; voice: boolean }) {
  const { t } = useTranslation();
  const { call, request, withdraw } = useHelp();
  return (
    <nav className="assist" aria-label={t('assist.label')} data-testid="assist">
      {call ? (
        <button type="button" className="assist-help called" onClick={withdraw} data-testid="help-withdraw">
          {t('assist.withdraw')}
        </button>
      ) : (
        <button type="button" className="assist-help" onClick={() => request(screen)} data-testid="help-call">
          {t('assist.call')}
        </button>
      )}
      {call && (
        <p className="assist-called" role="status" data-testid="help-called">
          {t('assist.called')}
        </p>
      )}
      {voice && speech.caption && (
        // Focusable: a long caption scrolls inside its two lines (styles.css), by keyboard too.
        <p className="caption" role="status" aria-live="polite" data-testid="caption" tabIndex={0}>
          {speech.caption}
        </p>
      )}
      {voice && (
        <div className="assist-voice" role="group" aria-label={t('assist.voice')}>
          <button type="button" onClick={speech.repeat} data-testid="voice-repeat">
            {t('assist.repeat')}
          </button>
          <button type="button" onClick={speech.stop} data-testid="voice-stop">
            {t('assist.stop')}
          </button>
          <button
            type="button"
            aria-label={t('assist.quieter')}
            disabled={speech.volume <= 0}
            onClick={() => speech.setVolume(speech.volume - 1)}
            data-testid="voice-quieter"
          >
            −
          </button>
          <span className="assist-volume" data-testid="voice-volume" data-volume={speech.volume}>
            {t('assist.volume', { level: speech.volume + 1, of: VOLUME_STEPS.length })}
          </span>
          <button
            type="button"
            aria-label={t('assist.louder')}
            disabled={speech.volume >= VOLUME_STEPS.length - 1}
            onClick={() => speech.setVolume(speech.volume + 1)}
            data-testid="voice-louder"
          >
            +
          </button>
        </div>
      )}
    </nav>
  );
}
