import type { Handlers } from '../bridge/dispatcher';
import type { Logger } from '../ground/logger';
import { VoiceError, type VoiceService } from './voice';

/**
 * `voice.say`: the prompt as WAV (base64). Where no engine can speak it, audio is null and the
 * page tries the browser's voice; the caption shows either way.
 */
export function voiceHandlers(voice: VoiceService, log: Pick<Logger, 'warn'>): Pick<Handlers, 'voice.say'> {
  return {
    'voice.say': async (i) => {
      try {
        const r = await voice.say(i.text, i.lang, i.rate);
        return { audio: r.wav.toString('base64'), engine: r.from === 'clip' ? `${voice.engineName} (prerecorded)` : voice.engineName, spoken: r.spoken };
      } catch (err) {
        if (err instanceof VoiceError && (err.code === 'VOICE_UNAVAILABLE' || err.code === 'VOICE_FAILED' || err.code === 'VOICE_TIMEOUT')) {
          log.warn('voice.unavailable', { code: err.code });
          return { audio: null, engine: null, spoken: null };
        }
        throw err;
      }
    },
  };
}
