/**
 * Ctrl+C and SIGTERM for a long-running command (the terminal's `estation start`, the fleet
 * server, the launcher): `stopped` resolves at the first one. The handlers stay for the whole
 * shutdown, so a second Ctrl+C while closing does not kill the process half-way (an unfinished
 * close leaves files and child processes behind); it only says that closing goes on. Install
 * before printing a ready line: whoever reads it may stop the process at once.
 */
export function onStopSignal(say: (line: string) => void = (line) => process.stderr.write(line)): { stopped: Promise<void>; stop(): void } {
  let stopping = false;
  let resolve!: () => void;
  const stopped = new Promise<void>((r) => (resolve = r));
  const stop = () => {
    if (stopping) say('still closing…\n');
    stopping = true;
    resolve();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stopped, stop };
}
