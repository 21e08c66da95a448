/**
 * Updates from a LAN server in electron-updater's generic layout (latest-linux.yml / latest.yml
 * plus the artifacts; sha512 checked by electron-updater). Downloads whenever one is offered;
 * installs only when main/lockdown/maintenance.ts says so: inside the maintenance window, with
 * the outbox empty and nobody at the terminal. Before installing, the window shows the
 * out-of-service page, the services host closes (drainer, devices, database), and only then
 * does the app quit into the installer.
 */
import electronUpdater from 'electron-updater';
import type { Config } from '../app/config';
import { mayInstallUpdate } from '../lockdown/maintenance';
import type { ServicesSupervisor } from '../services-host/supervisor';

type Log = (msg: string, f?: Record<string, unknown>) => void;

interface Facts {
  queueNotFinal: number;
  needsAttention: number;
  sessionActive: boolean;
}

async function facts(services: ServicesSupervisor): Promise<Facts | null> {
  const status = await services.call('status.get', {});
  const session = await services.call('session.get', {});
  if (!status.ok || !session.ok) return null;
  const q = (status.value as { queue: { pending: number; unknown: number; needsAttention: number } }).queue;
  return { queueNotFinal: q.pending + q.unknown, needsAttention: q.needsAttention, sessionActive: (session.value as { session: unknown }).session !== null };
}

export function startUpdater(config: Config, services: ServicesSupervisor, showOutOfService: (code: string) => Promise<void>, log: Log): () => void {
  const { url, checkIntervalMinutes, windowStart, windowEnd } = config.electron.updates;
  if (!url) return () => {};
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.setFeedURL({ provider: 'generic', url });
  let ready: string | null = null;
  let installing = false;
  autoUpdater.on('update-downloaded', (info) => {
    ready = info.version;
    log('update.downloaded', { version: info.version });
  });
  autoUpdater.on('error', (err) => log('update.error', { message: err.message }));
  const check = () => void autoUpdater.checkForUpdates().catch((err: Error) => log('update.check_failed', { message: err.message }));
  const window = { start: windowStart, end: windowEnd, timeZone: config.electron.timeZone };
  const tryInstall = async () => {
    if (installing || !ready) return;
    const f = await facts(services);
    if (!f) return;
    const d = mayInstallUpdate({ now: new Date(), window, updateReady: true, ...f });
    if (!d.install) return log('update.deferred', { version: ready, reason: d.reason });
    installing = true;
    await showOutOfService('UPDATING');
    // Someone may have walked up while the page changed: look once more before stopping.
    const again = await facts(services);
    if (!again || !mayInstallUpdate({ now: new Date(), window, updateReady: true, ...again }).install) {
      installing = false;
      return log('update.deferred', { version: ready, reason: 'CHANGED_WHILE_PREPARING' });
    }
    log('update.installing', { version: ready });
    await services.stop();
    autoUpdater.quitAndInstall(true, true);
  };
  check();
  const timers = [setInterval(check, checkIntervalMinutes * 60_000), setInterval(() => void tryInstall(), 60_000)];
  return () => timers.forEach(clearInterval);
}
