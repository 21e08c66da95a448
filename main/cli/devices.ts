/**
 * `estation devices …`: list ports and HID devices, run every self-test, read an ID card on a
 * given port, print a test receipt.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';
import { NodeHidTransport } from '../../drivers/transport/hid';
import { SerialTransport } from '../../drivers/transport/serial';
import { IdCardReader } from '../../drivers/id-card/reader';
import { ReceiptPrinter } from '../../drivers/printer/printer';
import { DeviceManager } from '../devices/manager';
import { DeviceSupervisor } from '../devices/supervisor';
import { testReceipt } from '../devices/handles';
import { systemClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { maskIdNumber, maskName } from '../bridge/contract/mask';
import type { Config } from '../app/config';

type Out = (text: string) => void;

import { CliFailure } from './failure';
export { CliFailure };

export async function devicesCommand(argv: string[], loadConfig: (file?: string) => Config, out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      json: { type: 'boolean', default: false },
      simulate: { type: 'boolean', default: false },
      config: { type: 'string' },
      port: { type: 'string' },
      baud: { type: 'string' },
      timeout: { type: 'string' },
      unmasked: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const emit = (value: unknown, text: string) => out(values.json ? JSON.stringify(value, null, 2) + '\n' : text + '\n');
  const baud = values.baud ? Number(values.baud) : 115200;
  const timeoutMs = (values.timeout ? Number(values.timeout) : 10) * 1000;

  switch (sub) {
    case 'list': {
      // serialport lists through udevadm on Linux; a machine without udev still gets the rest of the answer.
      let serialListError: string | null = null;
      const ports = await SerialPort.list().catch((err: Error) => ((serialListError = err.message), []));
      const serialPorts = ports.map((p) => ({
        path: p.path,
        manufacturer: p.manufacturer ?? null,
        vendorId: p.vendorId ?? null,
        productId: p.productId ?? null,
      }));
      const hidDevices = await NodeHidTransport.list().catch(() => []);
      const config = loadConfig(values.config);
      emit(
        { serialPorts, serialListError, hidDevices, configured: config.devices },
        [
          `serial ports: ${serialListError ? `cannot list (${serialListError})` : serialPorts.map((p) => p.path).join(', ') || 'none'}`,
          `HID devices: ${hidDevices.length}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'test': {
      const config = loadConfig(values.config);
      const devicesConfig = values.simulate ? { ...config.devices, simulate: true } : config.devices;
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-devtest-'));
      const manager = new DeviceManager(devicesConfig, new DeviceSupervisor(systemClock), systemClock, silentLogger, dataDir);
      try {
        await manager.start();
        await manager.settled();
        const results = await manager.selfTestAll();
        const passed = results.length > 0 && results.every((r) => r.ok);
        emit(
          { simulated: devicesConfig.simulate, passed, results },
          results.map((r) => `${r.ok ? 'PASS' : 'FAIL'} ${r.deviceId}: ${r.code ? r.code + ' ' : ''}${r.message}`).join('\n'),
        );
        return passed ? 0 : 1;
      } finally {
        await manager.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
    case 'read-id': {
      if (!values.port) throw new CliFailure('CLI_USAGE', '--port PATH is required', 64);
      const t = await SerialTransport.open({ path: values.port, baudRate: baud });
      const reader = new IdCardReader(t, { timeoutMs: 1500 });
      try {
        await reader.samStatus();
        const deadline = Date.now() + timeoutMs;
        while (!(await reader.findCard())) {
          if (Date.now() > deadline) throw new CliFailure('ID_CARD_NOT_FOUND', `no card on the reader within ${timeoutMs / 1000} s`);
          await new Promise((r) => setTimeout(r, 300));
        }
        const card = await reader.readCard();
        const m = values.unmasked ? (s: string) => s : maskIdNumber;
        const text = {
          ...card.text,
          name: values.unmasked ? card.text.name : maskName(card.text.name),
          idNumber: m(card.text.idNumber),
          address: values.unmasked ? card.text.address : card.text.address ? '[masked]' : null,
        };
        emit(
          { port: values.port, card: text, photoBytes: card.photo.length, fingerprintBytes: card.fingerprint?.length ?? 0 },
          `${text.kind}: ${text.name} ${text.idNumber}`,
        );
        return 0;
      } finally {
        await reader.close();
        await t.close();
      }
    }
    case 'print-test': {
      if (!values.port) throw new CliFailure('CLI_USAGE', '--port PATH is required', 64);
      const t = await SerialTransport.open({ path: values.port, baudRate: baud });
      const printer = new ReceiptPrinter(t, { statusTimeoutMs: 500, pollMs: 200 });
      try {
        const { condition } = await printer.status();
        printer.submit('cli-print-test', testReceipt(`serial ${values.port}`));
        const job = await printer.waitFor('cli-print-test', timeoutMs);
        emit({ port: values.port, conditionBefore: condition, job }, `test receipt ${job.state}${job.reason ? ` (${job.reason})` : ''}`);
        return job.state === 'done' ? 0 : 1;
      } finally {
        await printer.close();
        await t.close();
      }
    }
    default:
      throw new CliFailure('CLI_USAGE', `unknown devices command: ${String(sub)} (list, test, read-id, print-test)`, 64);
  }
}
