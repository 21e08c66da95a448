/**
 * A platform client wired to an embedded simulator, for tests and tools.
 */
import { systemClock, type Clock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { PlatformClient } from './client';
import { MemoryMsgids, type TerminalIdentity } from './envelope';
import { makeSigner, type SigningConfig } from './signing';

export const TEST_TERMINAL: TerminalIdentity = {
  fixmedinsCode: 'P44030300001',
  fixmedinsName: 'E-Station 示范药店',
  mdtrtareaAdmvs: '440300',
  opter: 'ZZJ001',
  opterName: '1号自助机',
};

export function clientFor(url: string, opts: { timeoutMs?: number; clock?: Clock; signing?: SigningConfig; terminal?: TerminalIdentity } = {}): PlatformClient {
  const terminal = opts.terminal ?? TEST_TERMINAL;
  return new PlatformClient({
    baseUrl: () => url,
    terminal,
    msgids: new MemoryMsgids(terminal.fixmedinsCode),
    signer: makeSigner(opts.signing ?? { kind: 'none' }),
    timeoutMs: opts.timeoutMs ?? 5000,
    clock: opts.clock ?? systemClock,
    log: silentLogger,
  });
}
