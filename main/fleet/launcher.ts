/**
 * The launcher's trial of a switched release: start what `current` points at; if it is on trial,
 * watch it until it says it is healthy (commit), crashes, or the health window passes (rollback,
 * then start the previous release). The process that runs this is the one that outlives the
 * terminal's own (the services host's supervisor, or the service manager's unit via
 * `estation launch`).
 */
import type { ChildProcess } from 'node:child_process';
import type { UpdateSlots } from './slots';

export type TrialOutcome = { outcome: 'no-trial' | 'committed' | 'rolled-back'; version: string | null; reason?: string; child: ChildProcess | null };

/** Starts the release in `dir` (the terminal's entry point inside it). */
export type StartRelease = (dir: string) => ChildProcess;

export async function runTrial(slots: UpdateSlots, start: StartRelease, opts: { pollMs?: number; now?: () => number } = {}): Promise<TrialOutcome> {
  const pollMs = opts.pollMs ?? 250;
  const now = opts.now ?? Date.now;
  const s = slots.state();
  const dir = slots.currentDir();
  if (!dir || !s.current) return { outcome: 'no-trial', version: null, child: null };
  if (!s.trial) return { outcome: 'no-trial', version: s.current, child: start(dir) };
  const version = s.trial.version;
  const deadline = Date.parse(s.trial.deadline);
  const child = start(dir);
  let exit: string | null = null;
  child.once('exit', (code, signal) => (exit = signal ?? `exit code ${code}`));
  child.once('error', (e) => (exit = e.message));
  // One check per poll until the deadline: the loop awaits every turn and ends by the window.
  for (;;) {
    if (slots.trialPassed(version)) {
      slots.commit();
      return { outcome: 'committed', version, child };
    }
    if (exit !== null || now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - now()))));
  }
  const reason = exit !== null ? `crashed on trial (${exit})` : 'no health report within the window';
  if (exit === null) {
    child.kill('SIGTERM');
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  }
  const back = slots.rollback(reason);
  return { outcome: 'rolled-back', version, reason, child: back.current ? start(slots.currentDir()!) : null };
}

/** The exit code with which a terminal asks its launcher to start `current` again (after a switch, or a restart command). */
export const RESTART_EXIT_CODE = 75;

/** Resolves with how a child ended, also when it ended before this was called. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * `estation launch`: start the current release, run its trial after a switch, and start it again
 * whenever it exits with RESTART_EXIT_CODE. Any other exit ends the launcher with that code (the
 * service manager restarts the whole). `stop` (SIGTERM, SIGINT) is passed on to the terminal.
 */
export async function runLauncher(
  slots: UpdateSlots,
  start: StartRelease,
  opts: { stop: Promise<void>; log: (line: string) => void; pollMs?: number },
): Promise<number> {
  let stopping = false;
  let current: ChildProcess | null = null;
  void opts.stop.then(() => {
    stopping = true;
    current?.kill('SIGTERM');
  });
  for (;;) {
    if (stopping) return 0;
    const trial = await runTrial(slots, start, { pollMs: opts.pollMs });
    if (trial.outcome !== 'no-trial') opts.log(`update ${trial.version}: ${trial.outcome}${trial.reason ? ` (${trial.reason})` : ''}`);
    current = trial.child;
    if (!current) {
      opts.log('no release to start: install one and adopt it (estation launch --adopt VERSION)');
      return 1;
    }
    if (stopping) current.kill('SIGTERM');
    const { code, signal } = await exitOf(current);
    current = null;
    if (stopping) return 0;
    if (code === RESTART_EXIT_CODE) {
      opts.log(`the terminal asked to be started again (now ${slots.state().current})`);
      continue;
    }
    opts.log(`the terminal ended (${signal ?? `exit code ${code}`})`);
    return code ?? 1;
  }
}
