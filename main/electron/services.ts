/** Starts the services host as an Electron utility process, as a ChildLike for the supervisor. */
import { utilityProcess } from 'electron';
import type { ChildLike } from '../services-host/supervisor';

export function forkUtilityServices(entry: string, env: NodeJS.ProcessEnv): ChildLike {
  const child = utilityProcess.fork(entry, [], { serviceName: 'E-Station services', stdio: 'inherit', env });
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.once('exit', (code) => l(code)),
    kill: () => void child.kill(),
  };
}
