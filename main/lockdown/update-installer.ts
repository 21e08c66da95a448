/**
 * The update policy of a terminal, independent of electron-updater so it is tested under Node:
 * check on a schedule, let the updater download, and install only when mayInstallUpdate says so
 * — twice: before showing the out-of-service page and again after, because someone may walk up
 * in between. Then stop the services (drainer, devices, database) and quit into the installer.
 */
import { mayInstallUpdate, type MaintenanceWindow } from './maintenance';

export interface Updater {
  check(): Promise<void>;
  /** Registers the listener for a downloaded, verified update. */
  onDownloaded(listener: (version: string) => void): void;
  quitAndInstall(): void;
}

export interface TerminalFacts {
  queueNotFinal: number;
  needsAttention: number;
  sessionActive: boolean;
}

export interface UpdateInstallerDeps {
  updater: Updater;
  window: MaintenanceWindow;
  /** Present state of the outbox and session; null when the services cannot say (then wait). */
  facts(): Promise<TerminalFacts | null>;
  showOutOfService(): Promise<void>;
  /** Puts the terminal back in service when the install is called off after the page went up. */
  backInService(): void;
  stopServices(): Promise<void>;
  now?: () => Date;
  log?: (msg: string, f?: Record<string, unknown>) => void;
}

export class UpdateInstaller {
  private ready: string | null = null;
  private installing = false;

  constructor(private readonly d: UpdateInstallerDeps) {
    d.updater.onDownloaded((v) => {
      this.ready = v;
      d.log?.('update.downloaded', { version: v });
    });
  }

  get pendingVersion(): string | null {
    return this.ready;
  }

  async check(): Promise<void> {
    try {
      await this.d.updater.check();
    } catch (err) {
      this.d.log?.('update.check_failed', { message: (err as Error).message });
    }
  }

  /** One attempt; returns what happened, for logs and tests. */
  async tryInstall(): Promise<'installed' | 'nothing' | 'busy' | string> {
    if (this.installing) return 'busy';
    if (!this.ready) return 'nothing';
    const decide = async () => {
      const f = await this.d.facts();
      if (!f) return 'NO_FACTS';
      const r = mayInstallUpdate({ now: (this.d.now ?? (() => new Date()))(), window: this.d.window, updateReady: true, ...f });
      return r.install ? null : r.reason;
    };
    const first = await decide();
    if (first) {
      this.d.log?.('update.deferred', { version: this.ready, reason: first });
      return first;
    }
    this.installing = true;
    try {
      await this.d.showOutOfService();
      const second = await decide();
      if (second) {
        this.d.backInService();
        this.d.log?.('update.deferred', { version: this.ready, reason: `${second}_WHILE_PREPARING` });
        return `${second}_WHILE_PREPARING`;
      }
      this.d.log?.('update.installing', { version: this.ready });
      await this.d.stopServices();
      this.d.updater.quitAndInstall();
      return 'installed';
    } finally {
      this.installing = false;
    }
  }
}
