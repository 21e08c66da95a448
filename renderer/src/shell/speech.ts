import { useCallback, useEffect, useRef, useState } from 'react';
import { getBridge } from '../bridge';

/**
 * Spoken prompts for elderly mode. Main renders the prompt with its offline speech engine
 * (espeak-ng; amounts and ID numbers replaced before speaking) and the page plays the audio; where
 * main has no engine, the browser's own speech is tried. Whatever is spoken is also shown as a
 * caption, so a prompt is never only sound. A new prompt cuts off the one playing.
 */
/**
 * The page's address for main's WAV. The content security policy lets media come only from the app
 * and from blob: URLs (not data:), so the bytes become a Blob; the URL is dropped once played.
 */
export function audioUrl(base64: string): string {
  if (typeof URL.createObjectURL !== 'function') return `data:audio/wav;base64,${base64}`;
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
}

const release = (audio: HTMLAudioElement | null) => {
  if (audio?.src.startsWith('blob:')) URL.revokeObjectURL(audio.src);
};

/** Volume steps the resident can choose with − and + (the page's audio volume, 0..1). */
export const VOLUME_STEPS = [0.25, 0.5, 0.75, 1] as const;

export interface Speech {
  /** What was said last, shown as a caption (null when voice is off). */
  caption: string | null;
  say: (text: string) => void;
  /** Says the last prompt again (重听). */
  repeat: () => void;
  /** Stops the prompt playing now (停止). */
  stop: () => void;
  /** Index into VOLUME_STEPS. */
  volume: number;
  setVolume: (step: number) => void;
}

export function useSpeech(enabled: boolean, lang: string): Speech {
  const [caption, setCaption] = useState<string | null>(null);
  const [volume, setVolumeState] = useState(2);
  const volumeRef = useRef(VOLUME_STEPS[2] as number);
  const playing = useRef<HTMLAudioElement | null>(null);
  const last = useRef<string | null>(null);
  const turn = useRef(0);
  const stopPlaying = () => {
    playing.current?.pause();
    release(playing.current);
    playing.current = null;
    if (typeof window.speechSynthesis !== 'undefined') window.speechSynthesis.cancel();
  };
  const browserSpeech = (text: string) => {
    if (typeof window.speechSynthesis === 'undefined') return;
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang === 'en' ? 'en-US' : 'zh-CN';
      u.rate = 0.85;
      u.volume = volumeRef.current;
      window.speechSynthesis.speak(u);
    } catch {
      // No voice at all: the caption still shows.
    }
  };
  const say = useCallback(
    (text: string) => {
      setCaption(text);
      last.current = text;
      if (!enabled) return;
      const mine = ++turn.current;
      stopPlaying();
      getBridge()
        .call('voice.say', { text: text.slice(0, 1000), lang: lang === 'en' ? 'en' : 'zh', rate: 0.85 })
        .then((r) => {
          if (mine !== turn.current) return;
          if (!r.audio) return browserSpeech(text);
          const audio = new Audio(audioUrl(r.audio));
          audio.dataset.spoken = r.spoken ?? '';
          audio.volume = volumeRef.current;
          playing.current = audio;
          audio.play().catch(() => undefined);
        })
        .catch(() => mine === turn.current && browserSpeech(text));
    },
    [enabled, lang],
  );
  const repeat = useCallback(() => {
    if (last.current) say(last.current);
  }, [say]);
  const stop = useCallback(() => {
    // A prompt still being rendered in main must not start after 停止 either.
    turn.current++;
    stopPlaying();
  }, []);
  const setVolume = useCallback((step: number) => {
    const i = Math.max(0, Math.min(VOLUME_STEPS.length - 1, Math.round(step)));
    volumeRef.current = VOLUME_STEPS[i]!;
    if (playing.current) playing.current.volume = volumeRef.current;
    setVolumeState(i);
  }, []);
  useEffect(() => {
    if (!enabled) {
      setCaption(null);
      turn.current++;
      stopPlaying();
    }
  }, [enabled]);
  return { caption, say, repeat, stop, volume, setVolume };
}
