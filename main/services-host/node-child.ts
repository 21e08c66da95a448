/**
 * The services host as a forked Node child: how tests (and a non-Electron supervisor) run it.
 * Electron's utility process adapter lives in main/electron/services.ts.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildLike } from './supervisor';

const here = path.dirname(fileURLToPath(import.meta.url));

export function forkServicesHost(env: NodeJS.ProcessEnv = process.env): ChildLike & { pid: number | undefined } {
  const child = fork(path.join(here, 'node-entry.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env,
  });
  child.stderr?.resume();
  return {
    pid: child.pid,
    postMessage: (m) => void (child.connected && child.send(m)),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.once('exit', (code) => l(code)),
    kill: () => void child.kill('SIGKILL'),
  };
}
