// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import { useSpeech } from './speech';

/** Stands in for the browser's utterance: keeps what the hook sets on it. */
class Utterance {
  lang = '';
  rate = 1;
  constructor(readonly text: string) {}
}

const synth = { speak: vi.fn<(u: Utterance) => void>(), cancel: vi.fn() };

beforeEach(() => {
  synth.speak.mockReset();
  synth.cancel.mockReset();
  vi.stubGlobal('speechSynthesis', synth);
  vi.stubGlobal('SpeechSynthesisUtterance', Utterance);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const mount = (enabled: boolean, lang: string) => renderHook(({ enabled, lang }) => useSpeech(enabled, lang), { initialProps: { enabled, lang } });

describe('useSpeech', () => {
  it('speaks slowly in Chinese in elderly mode, after cutting off the previous prompt', () => {
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    expect(synth.cancel).toHaveBeenCalledTimes(1);
    expect(synth.speak).toHaveBeenCalledTimes(1);
    expect(synth.speak.mock.calls[0]?.[0]).toMatchObject({ text: '请插入社保卡', lang: 'zh-CN', rate: 0.85 });
    expect(speech.result.current.caption).toBe('请插入社保卡');
  });

  it('speaks English with an English voice', () => {
    const speech = mount(true, 'en');
    act(() => speech.result.current.say('Insert your card'));
    expect(synth.speak.mock.calls[0]?.[0]).toMatchObject({ text: 'Insert your card', lang: 'en-US' });
  });

  it('stays silent outside elderly mode', () => {
    const speech = mount(false, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    expect(synth.speak).not.toHaveBeenCalled();
  });

  it('still shows the caption when the machine has no voice', () => {
    synth.speak.mockImplementation(() => {
      throw new Error('synthesis-failed');
    });
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('打印机缺纸'));
    expect(speech.result.current.caption).toBe('打印机缺纸');
  });

  it('still shows the caption where there is no speech synthesis at all', () => {
    vi.stubGlobal('speechSynthesis', undefined);
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('打印机缺纸'));
    expect(speech.result.current.caption).toBe('打印机缺纸');
  });

  it('drops the caption and stops talking when elderly mode is turned off', () => {
    const speech = mount(true, 'zh-CN');
    act(() => speech.result.current.say('请插入社保卡'));
    synth.cancel.mockClear();
    speech.rerender({ enabled: false, lang: 'zh-CN' });
    expect(speech.result.current.caption).toBeNull();
    expect(synth.cancel).toHaveBeenCalledTimes(1);
  });
});
