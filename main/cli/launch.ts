/**
 * `estation launch --updates DIR --release-key KEY.pem [--adopt VERSION] -- start …`: the process
 * a service manager keeps running. It starts the terminal from the release `current` points at,
 * runs the trial after a switch (commit, or roll back to the previous release) and starts the
 * terminal again when it asks (RESTART_EXIT_CODE). The terminal learns where its update slots and
 * the release key are from its environment, and which version it is.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runLauncher } from '../fleet/launcher';
import { UpdateSlots } from '../fleet/slots';
import { CliFailure } from './failure';
import { onStopSignal } from '../ground/stop-signal';

export const LAUNCH_USAGE = `usage: estation launch --updates DIR --release-key KEY.pem [--adopt VERSION] -- start [start's options]
       (a release whose estation-release.json says "runtime": "exec" gets the arguments after -- as they are)
`;

export async function launchCommand(argv: string[], err: (t: string) => void): Promise<number> {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const child = dashes < 0 ? ['start', '--headless'] : argv.slice(dashes + 1);
  const { values } = parseArgs({
    args: own,
    options: { updates: { type: 'string' }, 'release-key': { type: 'string' }, adopt: { type: 'string' } },
    strict: true,
  });
  if (!values.updates || !values['release-key']) throw new CliFailure('CLI_USAGE', `--updates and --release-key are required\n${LAUNCH_USAGE}`, 2);
  const keyFile = path.resolve(values['release-key']);
  let pem: string;
  try {
    pem = fs.readFileSync(keyFile, 'utf8');
  } catch (e) {
    throw new CliFailure('UPDATE_KEY_UNREADABLE', `cannot read the release key ${keyFile}: ${(e as Error).message}`);
  }
  const slots = new UpdateSlots(path.resolve(values.updates), pem);
  if (values.adopt) slots.adopt(values.adopt);
  const { stopped: stop } = onStopSignal(err);
  return runLauncher(
    slots,
    (dir) => {
      const version = slots.state().current!;
      const { entry, runtime } = slots.release(version);
      const env = { ...process.env, ESTATION_LAUNCHED: '1', ESTATION_UPDATES_DIR: slots.dir, ESTATION_RELEASE_KEY: keyFile, ESTATION_RELEASE_VERSION: version };
      // A node release is a script for this Node; an exec release (the packaged Electron shell) is its own program.
      if (runtime === 'exec') return spawn(path.join(dir, entry), child, { stdio: 'inherit', env });
      return spawn(process.execPath, ['--unhandled-rejections=strict', path.join(dir, entry), ...child], { stdio: 'inherit', env });
    },
    { stop, log: (line) => err(`estation launch: ${line}\n`) },
  );
}
