/**
 * Long-lived children that end when the host ends, however it ends (crash, SIGKILL included).
 * Node cannot set PR_SET_PDEATHSIG, so the command runs under a tiny POSIX shell whose stdin is a
 * pipe only the host holds: when the host dies the kernel closes that pipe, a watcher's `read`
 * returns and the command is killed. The shell also exits when the command exits on its own, so
 * the host sees the command's life through the wrapper's, and the shell reaps both of its
 * children before it exits: nothing is left as a zombie or an orphan.
 *
 * The wrapper runs in its own process group, out of the terminal's reach: Ctrl+C typed where the
 * host runs sends SIGINT to the terminal's foreground group, and the children must end because the
 * host closes their pipe while it shuts down, not by a signal racing that shutdown (a wrapper
 * killed by the SIGINT looked like a link that died, and the host reacted to it mid-close).
 */
import { spawn, type ChildProcess } from 'node:child_process';

// $@ is the command and its arguments. The command starts before fd 3 exists so it never holds
// the host's pipe; the watcher reads fd 3 because an asynchronous list's stdin is /dev/null.
const WRAPPER = [
  '"$@" &',
  'child=$!',
  'exec 3<&0',
  '{ read -r _ <&3; kill "$child" 2>/dev/null; } &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$child"',
  'status=$?',
  'kill "$watcher" 2>/dev/null',
  'wait "$watcher"',
  'exit "$status"',
].join('\n');

export interface TiedChildOptions {
  /** 'pipe' to read the command's diagnostics; stdout is always discarded. */
  stderr?: 'pipe' | 'ignore';
}

/** Starts `command args…` so that it cannot outlive this process. Stop it with {@link stopTiedChild}. */
export function spawnTiedChild(command: string, args: readonly string[], opts: TiedChildOptions = {}): ChildProcess {
  const child = spawn('sh', ['-c', WRAPPER, 'tied-child', command, ...args], {
    stdio: ['pipe', 'ignore', opts.stderr ?? 'ignore'],
    detached: true,
  });
  // The host never writes; an EPIPE after the wrapper exits is not worth a crash.
  child.stdin!.on('error', () => undefined);
  return child;
}

export function tiedChildRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Closing the pipe is the stop signal: the watcher kills the command and the wrapper reaps it. A
 * command that ignores SIGTERM (or a wrapper the scheduler starves) gets `graceMs`, then the whole
 * group (wrapper, watcher, command) is killed outright: a stop never waits forever.
 */
export async function stopTiedChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!tiedChildRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin!.end();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const outcome = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (outcome !== 'late') return;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // The group ended between the deadline and the kill.
  }
  await exited;
}
