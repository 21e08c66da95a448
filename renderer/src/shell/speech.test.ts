// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { FakeBridge, deferred } from '../bridge/fake';
import { useSpeech, VOLUME_STEPS } from './speech';

/** Stands in for the browser's utterance: keeps what the hook sets on it. */
class Utterance {
  lang = '';
  rate = 1;
  constructor(readonly text: string) {}
}

/** Stands in for the page's audio element: records what it was given and whether it played. */
class FakeAudio {
  static made: FakeAudio[] = [];
  dataset: Record<string, string> = {};
  volume = 1;
  played = false;
  paused = false;
  constructor(readonly src: string) {
    FakeAudio.made.push(this);
  }
  play() {
    this.played = true;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
}

const synth = { speak: vi.fn<(u: Utterance) => void>(), cancel: vi.fn() };
const bridge = new FakeBridge();
window.estation = bridge;

/** The WAVs handed to the page as blob: URLs (the CSP allows no data: media). */
let blobs: Blob[] = [];
const revoked: string[] = [];
URL.createObjectURL = (b: Blob | MediaSource) => {
  blobs.push(b as Blob);
  return `blob:wav-${blobs.length}`;
};
URL.revokeObjectURL = (u: string) => void revoked.push(u);

beforeEach(() => {
  blobs = [];
  revoked.length = 0;
  bridge.reset();
  FakeAudio.made = [];
  synth.speak.mockReset();
  synth.cancel.mockReset();
  vi.stubGlobal('speechSynthesis', synth);
  vi.stubGlobal('SpeechSynthesisUtterance', Utterance);
  vi.stubGlobal('Audio', FakeAudio);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const mount = (enabled: boolean, lang: string) => renderHook(({ enabled, lang }) => useSpeech(enabled, lang), { initialProps: { enabled, lang } });

describe('useSpeech', () => {
  it('plays the audio main rendered, slowly, in Chinese; the caption shows the text', async () => {
    bridge.answer('voice.say', (i) => ({ audio: btoa(`wav-${i.text.length}`), engine: 'espeak-ng', spoken: i.text }));
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    expect(speech.result.current.caption).toBe('请插入社保卡');
    await waitFor(() => expect(FakeAudio.made).toHaveLength(1));
    expect(bridge.inputsOf('voice.say')).toEqual([{ text: '请插入社保卡', lang: 'zh', rate: 0.85 }]);
    expect(FakeAudio.made[0]!.src).toBe('blob:wav-1');
    expect(blobs[0]!.type).toBe('audio/wav');
    expect(await blobs[0]!.text()).toBe('wav-6');
    expect(FakeAudio.made[0]!.played).toBe(true);
    expect(synth.speak).not.toHaveBeenCalled();
  });

  it('a new prompt cuts off the one playing, and an answer that comes late for an old prompt is not played', async () => {
    const slow = deferred<{ audio: string | null; engine: string | null; spoken: string | null }>();
    let n = 0;
    bridge.answer('voice.say', () => (++n === 1 ? slow.promise : { audio: 'AAAA', engine: 'espeak-ng', spoken: '第二句' }));
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('第一句'));
    act(() => speech.result.current.say('第二句'));
    await waitFor(() => expect(FakeAudio.made).toHaveLength(1));
    slow.resolve({ audio: 'BBBB', engine: 'espeak-ng', spoken: '第一句' });
    await act(async () => slow.promise);
    expect(FakeAudio.made.map((a) => a.src)).toEqual(['blob:wav-1']);
    expect(blobs).toHaveLength(1);
  });

  it('falls back to the browser voice where main has no engine, in the page language', async () => {
    bridge.answer('voice.say', () => ({ audio: null, engine: null, spoken: null }));
    const speech = mount(true, 'en');
    act(() => speech.result.current.say('Insert your card'));
    await waitFor(() => expect(synth.speak).toHaveBeenCalledTimes(1));
    expect(synth.speak.mock.calls[0]?.[0]).toMatchObject({ text: 'Insert your card', lang: 'en-US' });
    expect(bridge.inputsOf('voice.say')[0]).toMatchObject({ lang: 'en' });
  });

  it('stays silent outside elderly mode (the caption is kept for the screen)', () => {
    bridge.answer('voice.say', () => ({ audio: 'AAAA', engine: 'espeak-ng', spoken: 'x' }));
    const speech = mount(false, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    expect(bridge.inputsOf('voice.say')).toEqual([]);
    expect(synth.speak).not.toHaveBeenCalled();
  });

  it('still shows the caption when nothing can speak at all', async () => {
    vi.stubGlobal('speechSynthesis', undefined);
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('打印机缺纸'));
    expect(speech.result.current.caption).toBe('打印机缺纸');
    await waitFor(() => expect(bridge.inputsOf('voice.say')).toHaveLength(1));
  });

  it('drops the caption and stops talking when elderly mode is turned off', async () => {
    bridge.answer('voice.say', () => ({ audio: 'AAAA', engine: 'espeak-ng', spoken: 'x' }));
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    await waitFor(() => expect(FakeAudio.made).toHaveLength(1));
    speech.rerender({ enabled: false, lang: 'zh-CN' });
    expect(speech.result.current.caption).toBeNull();
    expect(FakeAudio.made[0]!.paused).toBe(true);
  });

  it('重听 says the last prompt again; 停止 stops it and keeps a late answer from starting', async () => {
    const late = deferred<{ audio: string | null; engine: string | null; spoken: string | null }>();
    let n = 0;
    bridge.answer('voice.say', (i) => (++n === 3 ? late.promise : { audio: btoa(`${n}`), engine: 'espeak-ng', spoken: i.text }));
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请选择业务'));
    await waitFor(() => expect(FakeAudio.made).toHaveLength(1));
    act(() => speech.result.current.repeat());
    await waitFor(() => expect(FakeAudio.made).toHaveLength(2));
    expect(revoked).toEqual(['blob:wav-1']); // the first prompt's audio is let go when the next starts
    expect(bridge.inputsOf('voice.say').map((i) => i.text)).toEqual(['请选择业务', '请选择业务']);
    expect(FakeAudio.made[0]!.paused).toBe(true);
    act(() => speech.result.current.repeat());
    act(() => speech.result.current.stop());
    expect(FakeAudio.made[1]!.paused).toBe(true);
    late.resolve({ audio: 'CCCC', engine: 'espeak-ng', spoken: '请选择业务' });
    await act(async () => late.promise);
    expect(FakeAudio.made).toHaveLength(2);
  });

  it('音量 applies to the prompt playing and the next ones, within its steps', async () => {
    bridge.answer('voice.say', () => ({ audio: 'AAAA', engine: 'espeak-ng', spoken: 'x' }));
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    await waitFor(() => expect(FakeAudio.made).toHaveLength(1));
    expect(FakeAudio.made[0]!.volume).toBe(VOLUME_STEPS[2]);
    act(() => speech.result.current.setVolume(speech.result.current.volume + 1));
    expect(FakeAudio.made[0]!.volume).toBe(1);
    act(() => speech.result.current.setVolume(9));
    expect(speech.result.current.volume).toBe(VOLUME_STEPS.length - 1);
    act(() => speech.result.current.setVolume(-3));
    expect(speech.result.current.volume).toBe(0);
    act(() => speech.result.current.say('请看屏幕'));
    await waitFor(() => expect(FakeAudio.made).toHaveLength(2));
    expect(FakeAudio.made[1]!.volume).toBe(VOLUME_STEPS[0]);
  });
});
