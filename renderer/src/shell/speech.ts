import { useCallback, useEffect, useRef, useState } from 'react';
import { getBridge } from '../bridge';

/**
 * Spoken prompts for elderly mode. Main renders the prompt with its offline speech engine
 * (espeak-ng; amounts and ID numbers replaced before speaking) and the page plays the audio; where
 * main has no engine, the browser's own speech is tried. Whatever is spoken is also shown as a
 * caption, so a prompt is never only sound. A new prompt cuts off the one playing.
 */
export function useSpeech(enabled: boolean, lang: string): { caption: string | null; say: (text: string) => void } {
  const [caption, setCaption] = useState<string | null>(null);
  const playing = useRef<HTMLAudioElement | null>(null);
  const turn = useRef(0);
  const stop = () => {
    playing.current?.pause();
    playing.current = null;
    if (typeof window.speechSynthesis !== 'undefined') window.speechSynthesis.cancel();
  };
  const browserSpeech = (text: string) => {
    if (typeof window.speechSynthesis === 'undefined') return;
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang === 'en' ? 'en-US' : 'zh-CN';
      u.rate = 0.85;
      window.speechSynthesis.speak(u);
    } catch {
      // No voice at all: the caption still shows.
    }
  };
  const say = useCallback(
    (text: string) => {
      setCaption(text);
      if (!enabled) return;
      const mine = ++turn.current;
      stop();
      getBridge()
        .call('voice.say', { text: text.slice(0, 1000), lang: lang === 'en' ? 'en' : 'zh', rate: 0.85 })
        .then((r) => {
          if (mine !== turn.current) return;
          if (!r.audio) return browserSpeech(text);
          const audio = new Audio(`data:audio/wav;base64,${r.audio}`);
          audio.dataset.spoken = r.spoken ?? '';
          playing.current = audio;
          audio.play().catch(() => undefined);
        })
        .catch(() => mine === turn.current && browserSpeech(text));
    },
    [enabled, lang],
  );
  useEffect(() => {
    if (!enabled) {
      setCaption(null);
      turn.current++;
      stop();
    }
  }, [enabled]);
  return { caption, say };
}
