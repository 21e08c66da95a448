/**
 * The bridge's `sim.device` actions applied to the simulated hardware.
 */
import type { z } from 'zod';
import type { simDeviceActionSchema } from '../bridge/contract';
import { BridgeError } from '../bridge/contract';
import { hidPosReports } from '../../drivers/scanner/hid-pos';
import { SimulatedSsCard } from '../../drivers/ss-card/simulator';
import type { DeviceManager } from './manager';

export type SimAction = z.output<typeof simDeviceActionSchema>;

export async function applySimAction(devices: DeviceManager, a: SimAction): Promise<void> {
  const sim = devices.sim;
  if (!sim) throw new BridgeError('BRIDGE_NOT_AVAILABLE', 'devices are not simulated on this terminal');
  switch (a.action) {
    case 'unplug':
    case 'replug': {
      const serial = { 'id-card': sim.idCard, 'ss-card': sim.ssCard, printer: sim.printer }[a.deviceId as 'id-card'];
      if (a.deviceId === 'scanner') {
        if (a.action === 'unplug') sim.unplugScanner();
        else sim.replugScanner();
        return;
      }
      if (!serial) throw new BridgeError('DEVICE_UNKNOWN', `no simulated device ${a.deviceId}`);
      await (a.action === 'unplug' ? serial.unplug() : serial.replug());
      return;
    }
    case 'insert-id-card':
      sim.idCard.sim.insert({ text: { kind: 'resident', englishName: null, passNumber: null, issueCount: null, nationality: null, ...a.card } });
      if (a.pullMidRead) sim.idCard.sim.pullDuringNextRead('truncate');
      return;
    case 'remove-id-card':
      sim.idCard.sim.remove();
      return noticed(devices, 'id-card');
    case 'insert-ss-card':
      sim.ssCard.sim.insert(new SimulatedSsCard({ specVersion: '3.00', issueDate: '20200101', expiryDate: '20300101', ...a.card }));
      return;
    case 'remove-ss-card':
      sim.ssCard.sim.remove();
      return noticed(devices, 'ss-card');
    case 'scan':
      for (const r of hidPosReports(a.code, a.aim)) sim.scanner.push(r);
      return;
    case 'printer': {
      const p = sim.printer.sim;
      if (a.condition === 'paper-out') p.setPaperOut();
      // The roll ends a few lines into the next job.
      if (a.condition === 'paper-runs-out-soon') p.runOutAfter(4);
      if (a.condition === 'paper-loaded') p.loadPaper(null);
      if (a.condition === 'paper-near-end') p.nearEnd = true;
      if (a.condition === 'cover-open') p.setCoverOpen(true);
      if (a.condition === 'cover-closed') p.setCoverOpen(false);
      if (a.condition === 'cutter-error') p.setCutterError(true);
      if (a.condition === 'cutter-ok') p.setCutterError(false);
      return;
    }
  }
}

/** A simulated removal answers once the reader has seen it, so the next insert is a new card. */
async function noticed(devices: DeviceManager, id: string): Promise<void> {
  if (!(await devices.cardNoticedGone(id, 10_000)))
    throw new BridgeError('DEVICE_NOT_RESPONDING', `the ${id} reader did not notice the card was removed within 10 s`);
}
