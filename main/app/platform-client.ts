/** The platform client for a terminal's config: one place for the terminal identity the envelope carries. */
import type { Config } from './config';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import type { Db } from '../store/database';
import { PlatformClient } from '../platform/client';
import { SqliteMsgids } from '../platform/envelope';
import { makeSigner } from '../platform/signing';

export function platformClientFor(config: Config, db: Db, baseUrl: () => string, clock: Clock, log: Logger): PlatformClient {
  return new PlatformClient({
    baseUrl,
    terminal: {
      fixmedinsCode: config.terminal.institutionCode,
      fixmedinsName: config.terminal.institutionName,
      mdtrtareaAdmvs: config.terminal.admdvs,
      opter: config.terminal.id,
      opterName: config.terminal.name,
      recerSysCode: config.platform.recerSysCode,
      devNo: config.terminal.id,
    },
    msgids: new SqliteMsgids(db, config.terminal.institutionCode),
    signer: makeSigner(config.platform.signing),
    timeoutMs: config.platform.timeoutMs,
    clock,
    log,
  });
}
