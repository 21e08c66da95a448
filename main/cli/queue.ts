/**
 * `estation queue status|drain|reconcile`: the transaction queue of this terminal's data
 * directory. The CLI and a running app share the drainer lease, so they never race.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../app/config';
import { resolveDataDir } from '../app/compose';
import { systemClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { openDatabase } from '../store/database';
import { RowMac } from '../store/row-mac';
import { PersonalData } from '../store/personal-data';
import { FileKeyProvider } from '../face/keys';
import { platformClientFor } from '../app/platform-client';
import { beijingDate } from '../platform/envelope';
import { Outbox } from '../outbox/outbox';
import { Drainer } from '../outbox/drainer';
import { Reconciler } from '../pharmacy/reconcile';
import { registerPharmacyDeliveries } from '../pharmacy';
import { registerKioskDeliveries } from '../kiosk';
import { embeddedPlatformDbFile, startEmbeddedPlatform } from '../app/embedded';
import { CliFailure } from './devices';

type Out = (text: string) => void;

export async function queueCommand(argv: string[], loadConfig: (file?: string) => Config, out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { json: { type: 'boolean', default: false }, config: { type: 'string' }, 'data-dir': { type: 'string' }, date: { type: 'string' } },
    strict: true,
  });
  if (!['status', 'drain', 'reconcile'].includes(sub ?? ''))
    throw new CliFailure('CLI_USAGE', 'usage: estation queue status|drain|reconcile [--date YYYY-MM-DD] [--json]', 64);
  if (values.date && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new CliFailure('CLI_USAGE', '--date must be YYYY-MM-DD', 64);
  const config = loadConfig(values.config);
  const dataDir = values['data-dir'] ?? resolveDataDir(config);
  const db = openDatabase(path.join(dataDir, 'estation.sqlite'));
  const outbox = new Outbox(
    db,
    new RowMac(new FileKeyProvider(path.join(dataDir, 'keys', 'store.key'))),
    systemClock,
    new PersonalData(new FileKeyProvider(path.join(dataDir, 'keys', 'face.key'))),
  );
  const emit = (value: unknown, text: string) => out(values.json ? JSON.stringify(value, null, 2) + '\n' : text + '\n');
  try {
    if (sub === 'status') {
      const counts = outbox.counts();
      const attention = outbox.list({ states: ['needs-attention', 'unknown'] }).map((i) => ({
        itemId: i.itemId,
        state: i.state,
        reason: i.reason,
        createdAt: i.createdAt,
        collect: (i.result as { collect?: number } | null)?.collect ?? null,
      }));
      emit(
        { counts, attention, tampered: outbox.verifyAll() },
        Object.entries(counts)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      );
      return 0;
    }
    const sim =
      config.platform.kind === 'embedded' ? await startEmbeddedPlatform({ dbFile: embeddedPlatformDbFile(dataDir), admdvs: config.terminal.admdvs }) : null;
    try {
      const client = platformClientFor(config, db, () => sim?.url ?? config.platform.url!, systemClock, silentLogger);
      if (sub === 'drain') {
        const drainer = new Drainer(outbox, client, systemClock, silentLogger, config.outbox);
        // Whatever kinds the queue holds, whichever mode left them.
        registerPharmacyDeliveries(drainer, systemClock);
        registerKioskDeliveries(drainer, client);
        const processed = await drainer.drainOnce();
        await drainer.stopAndWait();
        emit({ processed, counts: outbox.counts() }, `processed ${processed}; ${JSON.stringify(outbox.counts())}`);
        return 0;
      }
      const report = await new Reconciler(outbox, client, config.terminal.institutionCode, systemClock, silentLogger).reconcile(
        values.date ?? beijingDate(Date.now()),
      );
      emit(
        report,
        report.error
          ? `reconciliation failed: ${report.error}`
          : `${report.date}: matched ${report.detail!.matched}, repaired ${report.detail!.repaired.length}, reported ${report.detail!.reported.length}`,
      );
      return report.error || report.detail!.reported.length ? 1 : 0;
    } finally {
      await sim?.close();
    }
  } finally {
    db.close();
  }
}
