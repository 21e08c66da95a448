import type { Logger } from '../ground/logger';
import type { VoiceConfig } from './config';
import { importSherpa, openSherpaEngine, type LoadSherpa } from './sherpa';
import { EspeakEngine, type SpeechEngine } from './voice';

/**
 * The engine the config names. A configured sherpa-onnx that cannot be loaded (package not
 * installed, model refused) does not stop the kiosk: it speaks with espeak-ng and the log says why.
 */
export async function openVoiceEngine(
  config: VoiceConfig,
  log: Pick<Logger, 'warn'>,
  deps: { espeak?: SpeechEngine; loadSherpa?: LoadSherpa } = {},
): Promise<SpeechEngine> {
  const espeak = deps.espeak ?? new EspeakEngine();
  if (config.engine !== 'sherpa' || !config.sherpa) return espeak;
  try {
    return await openSherpaEngine(config.sherpa, espeak, deps.loadSherpa ?? importSherpa);
  } catch (err) {
    log.warn('voice.engine-fallback', { configured: 'sherpa', using: espeak.name, reason: (err as Error).message.slice(0, 300) });
    return espeak;
  }
}
