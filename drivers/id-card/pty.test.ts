/**
 * Integration over a real PTY pair (socat): the reader uses the real `serialport` binding, the
 * simulator sits on the other end, exactly as a GA 467 module on /dev/ttyUSB0 would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPtyPair, socatAvailable, type PtyPair } from '../transport/pty';
import { SerialTransport } from '../transport/serial';
import { IdCardReader } from './reader';
import { IdCardSimulator } from './simulator';
import { chenJiaming, wangJianguo } from '../../fixtures/people/id-cards';

const hasSocat = socatAvailable();

describe.skipIf(!hasSocat)('ID-card reader over a socat PTY with the real serialport binding (needs socat)', () => {
  let pty: PtyPair;
  let host: SerialTransport;
  let device: SerialTransport;
  let sim: IdCardSimulator;
  let reader: IdCardReader;

  beforeAll(async () => {
    pty = await createPtyPair('idcard');
    host = await SerialTransport.open({ path: pty.hostPath, baudRate: 115200 });
    device = await SerialTransport.open({ path: pty.devicePath, baudRate: 115200 });
    sim = new IdCardSimulator(device);
    reader = new IdCardReader(host, { timeoutMs: 1000 });
  });
  afterAll(async () => {
    await reader?.close();
    await host?.close();
    await device?.close();
    await pty?.close();
  });

  it('reads a resident card end to end', async () => {
    await reader.samStatus();
    sim.insert({ text: wangJianguo });
    expect(await reader.findCard()).toBe(true);
    const card = await reader.readCard();
    expect(card.text).toEqual(wangJianguo);
  });

  it('reads a 港澳台 residence card and reports a pulled card without a partial identity', async () => {
    sim.insert({ text: chenJiaming });
    expect((await reader.readCard()).text.kind).toBe('hmt-residence');
    sim.insert({ text: wangJianguo });
    sim.pullDuringNextRead('truncate');
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'ID_CARD_READ_FAILED' });
    expect(await reader.findCard()).toBe(false);
  });
});
