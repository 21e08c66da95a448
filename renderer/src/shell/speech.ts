import { useCallback, useEffect, useState } from 'react';

/**
 * Spoken prompts for elderly mode (Web Speech API). Whatever is spoken is also shown as a
 * caption, so a prompt is never only sound.
 */
export function useSpeech(enabled: boolean, lang: string): { caption: string | null; say: (text: string) => void } {
  const [caption, setCaption] = useState<string | null>(null);
  const say = useCallback(
    (text: string) => {
      setCaption(text);
      if (!enabled || typeof window.speechSynthesis === 'undefined') return;
      try {
        window.speechSynthesis.cancel();
        const u = new SpeechSynthesisUtterance(text);
        u.lang = lang === 'en' ? 'en-US' : 'zh-CN';
        u.rate = 0.85;
        window.speechSynthesis.speak(u);
      } catch {
        // No voice on this machine: the caption still shows.
      }
    },
    [enabled, lang],
  );
  useEffect(() => {
    if (!enabled) {
      setCaption(null);
      if (typeof window.speechSynthesis !== 'undefined') window.speechSynthesis.cancel();
    }
  }, [enabled]);
  return { caption, say };
}
