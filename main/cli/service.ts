/**
 * `estation service status|set-pin|reset-pin`: the service PIN from the terminal's own shell. Who
 * can run this as the terminal's user can read and write its data directory, so it is the way
 * back in after a forgotten PIN or a lockout, and the way to set the first PIN where the screen
 * must not (`service.firstPinOnScreen: false`). The running terminal sees the change at once.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../app/config';
import { resolveDataDir } from '../app/compose';
import { requests } from '../bridge/contract';
import { BridgeError } from '../bridge/contract/errors';
import { systemClock } from '../ground/clock';
import { createLogger, fileSink } from '../ground/logger';
import { openDatabase } from '../store/database';
import { ServiceAccess } from '../service/access';
import { CliFailure } from './devices';

type Out = (text: string) => void;

/** Reads one line; on a terminal without echoing it. */
export type ReadSecret = (prompt: string) => Promise<string>;

export async function serviceCommand(argv: string[], loadConfig: (file?: string) => Config, out: Out, readSecret: ReadSecret): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!['status', 'set-pin', 'reset-pin'].includes(sub ?? ''))
    throw new CliFailure('CLI_USAGE', 'usage: estation service status|set-pin|reset-pin [--config FILE] [--data-dir DIR] [--yes]', 64);
  const config = loadConfig(values.config);
  const dataDir = values['data-dir'] ?? resolveDataDir(config);
  const db = openDatabase(path.join(dataDir, 'estation.sqlite'));
  // The audit trail goes where the terminal's own log goes.
  const log = createLogger({ sinks: [fileSink(path.join(dataDir, 'logs'))], fields: { component: 'service-cli' } });
  const access = new ServiceAccess(db, config.service, systemClock, log, () => undefined);
  try {
    if (sub === 'status') {
      const s = access.state();
      out(
        values.json
          ? JSON.stringify(s) + '\n'
          : `PIN ${s.pinSet ? 'set' : 'not set'}; ${s.lockedUntil ? `locked out until ${s.lockedUntil}` : `${s.failures} wrong PIN(s) in a row`}\n`,
      );
      return 0;
    }
    if (sub === 'reset-pin') {
      if (!values.yes) throw new CliFailure('CLI_USAGE', 'reset-pin forgets the service PIN of this terminal: repeat with --yes', 64);
      await access.resetPinLocally();
      out(
        config.service.firstPinOnScreen
          ? 'service PIN forgotten and lockout cleared: the next technician at the screen sets a new one (or: estation service set-pin)\n'
          : 'service PIN forgotten and lockout cleared: set a new one with estation service set-pin\n',
      );
      return 0;
    }
    const pinSchema = requests['service.setPin'].input;
    const pin = await readSecret('new service PIN (6 to 8 digits): ');
    const confirm = await readSecret('the same PIN again: ');
    const parsed = pinSchema.safeParse({ pin, confirm });
    if (!parsed.success) throw new CliFailure('SERVICE_PIN_FORMAT', 'the PIN must be 6 to 8 digits', 65);
    await access.setPinLocally(parsed.data.pin, parsed.data.confirm);
    out('service PIN set; any lockout cleared\n');
    return 0;
  } catch (err) {
    if (err instanceof BridgeError) throw new CliFailure(err.code, err.message, 65);
    throw err;
  } finally {
    db.close();
  }
}

/** Lines from stdin; on a terminal the digits are not echoed. */
export function stdinSecrets(): ReadSecret {
  const stdin = process.stdin;
  let buffered = '';
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const flush = () => {
    for (let i = buffered.search(/\r|\n/); i >= 0 && waiting.length; i = buffered.search(/\r|\n/)) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(buffered[i] === '\r' && buffered[i + 1] === '\n' ? i + 2 : i + 1);
      waiting.shift()!(line);
    }
    if (ended) while (waiting.length) waiting.shift()!(null);
  };
  let listening = false;
  // Only when a PIN is asked for: a listener would keep a command that reads nothing waiting on stdin.
  const listen = () => {
    if (listening) return;
    listening = true;
    stdin.setEncoding('utf8');
    stdin.on('data', (d: string) => {
      // Ctrl+C in raw mode arrives as a byte, not a signal.
      if (d.includes('\u0003')) process.exit(130);
      buffered += d;
      flush();
    });
    stdin.on('end', () => ((ended = true), flush()));
  };
  return (prompt) => {
    listen();
    process.stderr.write(prompt);
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.resume();
    return new Promise<string>((resolve, reject) => {
      waiting.push((line) => {
        if (stdin.isTTY) stdin.setRawMode(false);
        if (stdin.isTTY) process.stderr.write('\n');
        stdin.pause();
        if (line === null) reject(new CliFailure('CLI_USAGE', 'stdin ended before the PIN was entered twice', 64));
        else resolve(line);
      });
      flush();
    });
  };
}
