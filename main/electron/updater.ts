/**
 * Updates from a LAN server in electron-updater's generic layout (latest-linux.yml / latest.yml
 * plus the artifacts; sha512 checked by electron-updater). The policy — when to install — is
 * main/lockdown/update-installer.ts; this file only adapts electron-updater and the services.
 */
import electronUpdater from 'electron-updater';
import type { Config } from '../app/config';
import { UpdateInstaller } from '../lockdown/update-installer';
import type { ServicesSupervisor } from '../services-host/supervisor';

type Log = (msg: string, f?: Record<string, unknown>) => void;

export function startUpdater(
  config: Config,
  services: ServicesSupervisor,
  screen: { outOfService(code: string): Promise<void>; backInService(): void },
  log: Log,
): () => void {
  const { url, checkIntervalMinutes, windowStart, windowEnd } = config.electron.updates;
  if (!url) return () => {};
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.setFeedURL({ provider: 'generic', url });
  autoUpdater.on('error', (err) => log('update.error', { message: err.message }));
  const installer = new UpdateInstaller({
    updater: {
      check: async () => void (await autoUpdater.checkForUpdates()),
      onDownloaded: (l) => void autoUpdater.on('update-downloaded', (info) => l(info.version)),
      quitAndInstall: () => autoUpdater.quitAndInstall(true, true),
    },
    window: { start: windowStart, end: windowEnd, timeZone: config.electron.timeZone },
    facts: async () => {
      const status = await services.call('status.get', {});
      const session = await services.call('session.get', {});
      if (!status.ok || !session.ok) return null;
      const q = (status.value as { queue: { pending: number; unknown: number; needsAttention: number } }).queue;
      return {
        queueNotFinal: q.pending + q.unknown,
        needsAttention: q.needsAttention,
        sessionActive: (session.value as { session: unknown }).session !== null,
      };
    },
    showOutOfService: () => screen.outOfService('UPDATING'),
    backInService: () => screen.backInService(),
    stopServices: () => services.stop(),
    log,
  });
  void installer.check();
  const timers = [setInterval(() => void installer.check(), checkIntervalMinutes * 60_000), setInterval(() => void installer.tryInstall(), 60_000)];
  return () => timers.forEach(clearInterval);
}
