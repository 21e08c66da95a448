/**
 * The kiosk's voice: what may be spoken (no amounts, no ID numbers, no long numbers), espeak-ng
 * rendering real Mandarin and English speech (non-silent, of a length that grows with the text),
 * and the service rendering a prompt once and never handing the engine anything personal.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EspeakEngine, pcmOf, speakable, VoiceService, type SpeechEngine } from './voice';

const espeakAvailable = (() => {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Seconds of audio, and the share of 20 ms frames that carry sound (RMS over a quiet floor). */
function analyse(wav: Buffer): { seconds: number; voiced: number; rms: number } {
  const { rate, samples } = pcmOf(wav);
  const frame = Math.round(rate * 0.02);
  let voiced = 0;
  let frames = 0;
  let total = 0;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += samples[j]! * samples[j]!;
    const rms = Math.sqrt(sum / frame);
    total += sum;
    frames++;
    if (rms > 300) voiced++;
  }
  return { seconds: samples.length / rate, voiced: voiced / Math.max(1, frames), rms: Math.sqrt(total / Math.max(1, samples.length)) };
}

describe('what may be spoken', () => {
  it('hides ID numbers (whole or masked), amounts and long numbers; leaves the rest as it is', () => {
    expect(speakable('您的身份证号 320102195001011234，请核对', 'zh')).toBe('您的身份证号 证件号码请看屏幕，请核对');
    expect(speakable('参保人 王*国 320***********1234', 'zh')).toBe('参保人 王*国 证件号码请看屏幕');
    expect(speakable('本次共需支付￥12.34，个人账户 8.00 元', 'zh')).toBe('本次共需支付金额请看屏幕，个人账户 金额请看屏幕');
    expect(speakable('联系电话 13912345678', 'zh')).toBe('联系电话 号码请看屏幕');
    expect(speakable('第 2 步 / 共 5 步：请插入社保卡', 'zh')).toBe('第 2 步 / 共 5 步：请插入社保卡');
    expect(speakable('You pay ¥5.00', 'en')).toBe('You pay the amount on screen');
  });

  it('the service hands the engine only the masked text, renders a prompt once, and refuses an empty or huge one', async () => {
    const heard: string[] = [];
    const engine: SpeechEngine = { name: 'recording', synthesize: async (t) => (heard.push(t), Buffer.from(`RIFF${t}`)) };
    const voice = new VoiceService(engine);
    const a = await voice.say('应付￥20.00，请扫码', 'zh');
    const b = await voice.say('应付￥20.00，请扫码', 'zh');
    expect(heard).toEqual(['应付金额请看屏幕，请扫码']);
    expect(b.wav).toBe(a.wav);
    await expect(voice.say('   ', 'zh')).rejects.toMatchObject({ code: 'VOICE_TEXT_INVALID' });
    await expect(voice.say('长'.repeat(1001), 'zh')).rejects.toMatchObject({ code: 'VOICE_TEXT_INVALID' });
  });
});

describe.skipIf(!espeakAvailable)('espeak-ng speaks (needs the espeak-ng package: .ci/run installs it)', () => {
  const engine = new EspeakEngine();

  it('renders a Mandarin prompt to non-silent speech of plausible length', async () => {
    const short = analyse(await engine.synthesize('请插入社保卡', 'zh', 0.85));
    expect(short.seconds).toBeGreaterThan(0.6);
    expect(short.seconds).toBeLessThan(6);
    expect(short.voiced).toBeGreaterThan(0.3);
    expect(short.rms).toBeGreaterThan(500);
    // Three times the text takes longer to say.
    const long = analyse(await engine.synthesize('请插入社保卡。请插入社保卡。请插入社保卡。', 'zh', 0.85));
    expect(long.seconds).toBeGreaterThan(short.seconds * 2);
    // Slower is longer.
    const slow = analyse(await engine.synthesize('请插入社保卡', 'zh', 0.5));
    expect(slow.seconds).toBeGreaterThan(short.seconds);
  });

  it('speaks English too, and a missing binary is a typed error', async () => {
    const en = analyse(await engine.synthesize('Please insert your card', 'en', 1));
    expect(en.voiced).toBeGreaterThan(0.3);
    await expect(new EspeakEngine('/nonexistent/espeak-ng').synthesize('你好', 'zh', 1)).rejects.toMatchObject({ code: 'VOICE_UNAVAILABLE' });
  });
});
