import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../transport/memory';
import { IdCardReader, type IdCardRead, type IdCardError } from './reader';
import { IdCardSimulator } from './simulator';
import { wangJianguo as residentCard } from '../../fixtures/people/id-cards';

function rig(opts = {}) {
  const [host, device] = memoryPair('id');
  const sim = new IdCardSimulator(device);
  const reader = new IdCardReader(host, { timeoutMs: 300, ...opts });
  const cards: IdCardRead[] = [];
  const errors: IdCardError[] = [];
  let removed = 0;
  reader.on('card', (c) => cards.push(c));
  reader.on('read-error', (e) => errors.push(e));
  reader.on('removed', () => removed++);
  return { host, device, sim, reader, cards, errors, removed: () => removed };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('IdCardReader with the simulator', () => {
  it('reads 王建国 once per insertion and reports the removal', async () => {
    const r = rig();
    cleanup = () => r.reader.close();
    await r.reader.pollOnce();
    expect(r.cards).toHaveLength(0);
    r.sim.insert({ text: residentCard });
    await r.reader.pollOnce();
    await r.reader.pollOnce();
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.text).toEqual(residentCard);
    expect(r.cards[0]!.photo.length).toBe(1024);
    r.sim.remove();
    await r.reader.pollOnce();
    expect(r.removed()).toBe(1);
    expect(r.sim.received.map((c) => c.cmd.toString(16) + c.para.toString(16))).toEqual(['201', '201', '202', '301', '201', '201']);
  });

  it('a resident whose card is pulled mid-read gets ID_CARD_READ_FAILED and no identity, then reads fine on reinsertion', async () => {
    for (const mode of ['truncate', 'status'] as const) {
      const r = rig();
      r.sim.insert({ text: residentCard });
      r.sim.pullDuringNextRead(mode);
      await r.reader.pollOnce();
      expect(r.cards).toEqual([]);
      expect(r.errors.map((e) => e.code)).toEqual(['ID_CARD_READ_FAILED']);
      r.sim.insert({ text: residentCard });
      await r.reader.pollOnce();
      expect(r.cards).toHaveLength(1);
      await r.reader.close();
    }
  });

  it('reads the fingerprint variant (30 10)', async () => {
    const r = rig({ readFingerprint: true });
    cleanup = () => r.reader.close();
    r.sim.insert({ text: residentCard, fingerprint: Buffer.alloc(1024, 7) });
    await r.reader.pollOnce();
    expect(r.cards[0]!.fingerprint?.length).toBe(1024);
  });

  it('ignores line noise between frames and still reads', async () => {
    const r = rig();
    cleanup = () => r.reader.close();
    const frameErrors: string[] = [];
    r.reader.on('frame-error', (e) => frameErrors.push(e.code));
    r.sim.insert({ text: residentCard });
    await r.sim.injectNoise(Buffer.from([0x00, 0xaa, 0x13, 0x37]));
    await r.reader.pollOnce();
    expect(r.cards).toHaveLength(1);
  });

  it('reports the module unhealthy when it stops answering, and healthy again', async () => {
    const r = rig();
    cleanup = () => r.reader.close();
    const health: boolean[] = [];
    r.reader.on('health', (h) => health.push(h.ok));
    await r.reader.pollOnce();
    r.sim.close();
    await r.reader.pollOnce();
    expect(health).toEqual([true, false]);
  });

  it('maps a SAM fault to a typed error', async () => {
    const r = rig();
    cleanup = () => r.reader.close();
    r.sim.setSamFault(true);
    await expect(r.reader.samStatus()).rejects.toMatchObject({ code: 'ID_SAM_FAULT', sw3: 0x60 });
  });
});
