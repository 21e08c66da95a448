import { describe, expect, it } from 'vitest';
import { selectSsse, verifyPin, readRecord } from './apdu';
import { SocialSecurityCardReader } from './reader';
import { SimulatedCardSlot, SimulatedSsCard, SsCardReaderSimulator } from './simulator';
import { SerialApduTransport, SlotFrameDecoder, encodeSlotFrame } from './transport';
import { memoryPair } from '../transport/memory';
import { wangJianguoSsCard } from '../../fixtures/people/ss-cards';

const hex = (b: Buffer) => b.toString('hex').toUpperCase();

describe('social-security card APDUs from the reference', () => {
  it('selects the SSSE application with the GBK AID', () => {
    expect(hex(selectSsse())).toBe('00A404000F7378312E73682EC9E7BBE1B1A3D5CF');
  });
  it('reads records by SFI', () => {
    expect(hex(readRecord(5, 1, 0x12))).toBe('00B2012C12');
    expect(hex(readRecord(5, 7, 0x0b))).toBe('00B2072C0B');
    expect(hex(readRecord(6, 1, 0x14))).toBe('00B2013414');
    expect(hex(readRecord(6, 2, 0x20))).toBe('00B2023420');
  });
  it('packs the PIN as BCD', () => {
    expect(hex(verifyPin('123456'))).toBe('0020000003123456');
    expect(hex(verifyPin('888888'))).toBe('0020000003888888');
    expect(() => verifyPin('12a456')).toThrow(RangeError);
  });
});

describe('SocialSecurityCardReader', () => {
  it('reads 王建国 card: identifier, number, dates, holder', async () => {
    const slot = new SimulatedCardSlot();
    slot.card = new SimulatedSsCard(wangJianguoSsCard);
    const card = await new SocialSecurityCardReader(slot).read();
    expect(card).toEqual({
      cardSn: wangJianguoSsCard.cardSn,
      cardNumber: 'A00000019',
      issuingRegion: '320100',
      specVersion: '3.00',
      issueDate: '20200101',
      expiryDate: '20300101',
      idNumber: wangJianguoSsCard.idNumber,
      name: '王建国',
      gender: '1',
    });
  });

  it('counts PIN tries down and blocks at zero', async () => {
    const slot = new SimulatedCardSlot();
    slot.card = new SimulatedSsCard(wangJianguoSsCard);
    const reader = new SocialSecurityCardReader(slot);
    await reader.read();
    await expect(reader.verifyPin('000000')).rejects.toMatchObject({ code: 'SS_CARD_PIN_WRONG', sw: 0x63c2 });
    await expect(reader.verifyPin('000000')).rejects.toMatchObject({ code: 'SS_CARD_PIN_WRONG', sw: 0x63c1 });
    await reader.verifyPin('123456');
    await expect(reader.verifyPin('000000')).rejects.toMatchObject({ sw: 0x63c2 });
    await expect(reader.verifyPin('000000')).rejects.toMatchObject({ sw: 0x63c1 });
    await expect(reader.verifyPin('000000')).rejects.toMatchObject({ code: 'SS_CARD_PIN_BLOCKED' });
    await expect(reader.verifyPin('123456')).rejects.toMatchObject({ code: 'SS_CARD_PIN_BLOCKED' });
  });

  it('says clearly when there is no card, or it is not a social-security card', async () => {
    const slot = new SimulatedCardSlot();
    await expect(new SocialSecurityCardReader(slot).read()).rejects.toMatchObject({ code: 'SS_CARD_ABSENT' });
    slot.card = new SimulatedSsCard(wangJianguoSsCard);
    const reader = new SocialSecurityCardReader(slot);
    await slot.connect();
    await expect(reader.exchange(Buffer.from('00A404000412345678', 'hex'))).rejects.toMatchObject({ code: 'SS_CARD_NOT_SSSE' });
  });

  it('works through the serial slot framing, and a card pulled mid-read is SS_CARD_MUTE', async () => {
    const [host, device] = memoryPair('ss');
    const sim = new SsCardReaderSimulator(device);
    const apdu = new SerialApduTransport(host, 300);
    expect(await apdu.cardPresent()).toBe(false);
    sim.insert(new SimulatedSsCard(wangJianguoSsCard));
    expect(await apdu.cardPresent()).toBe(true);
    const reader = new SocialSecurityCardReader(apdu);
    expect((await reader.read()).name).toBe('王建国');
    sim.pullDuringNextApdu();
    await expect(reader.read()).rejects.toMatchObject({ code: 'SS_CARD_MUTE' });
    expect(await apdu.cardPresent()).toBe(false);
    apdu.close();
    sim.close();
  });

  it('the slot decoder survives 10,000 random and mutated frames', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 0x100000000;
    const d = new SlotFrameDecoder();
    const good = encodeSlotFrame(0x33, Buffer.from('00A4040000', 'hex'));
    let frames = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = Buffer.from(i % 2 ? good : Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
      if (i % 3 === 0) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      frames += d.push(b).frames.length;
    }
    expect(frames).toBeGreaterThan(100);
  });
});
