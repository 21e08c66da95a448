/**
 * `estation` — the command-line tool for operators, technicians and integrators.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, defaultConfig, loadConfigFile, type Config } from '../app/config';
import { startNodeHost } from '../node-host/host';
import { LAUNCH_FILE_NAME, removeLaunchFile, writeLaunchFile } from '../ground/launch-file';
import type { runDoctor } from './doctor';
import { CliFailure } from './failure';
import { RESTART_EXIT_CODE } from '../fleet/launcher';
import { onStopSignal } from '../ground/stop-signal';
// Each command's module loads when it runs: `estation start` does not pay for the others.
const doctorModule = () => import('./doctor');
const faceModule = () => import('./face');
const platformModule = () => import('./platform');
const queueModule = () => import('./queue');
const serviceModule = () => import('./service');
const devicesModule = () => import('./devices');
const verifyModule = () => import('./verify');
const launchModule = () => import('./launch');

const USAGE = `usage: estation <command> [options]

commands:
  start [--config FILE] [--headless] [--port N] [--data-dir DIR] [--launch-file FILE]
                       start the terminal on the Node host (embedded defaults without --config);
                       the launch URL with its token goes to FILE (0600, default DATA_DIR/launch-url)
  launch --updates DIR --release-key KEY.pem [--adopt VERSION] -- start [options]
                       run the terminal from its update slots: start the current release, try a
                       switched one and roll it back when it crashes or stays unhealthy
  doctor [--config FILE] [--json]
                       print config, data directory, versions and what is available here
  devices list [--json]                    serial ports and HID devices on this machine
  devices test [--simulate] [--json]       run every device's self-test
  devices read-id --port PATH [--json] [--unmasked] [--timeout S]
                                           read the card on a GA 467 reader at PATH
  devices print-test --port PATH           print a test receipt (Chinese text, QR code, cut)
  face detect IMAGE [--json]               faces, landmarks, quality and liveness of the main face
  face compare IMAGE_A IMAGE_B [--json]    cosine score and the decision at the configured threshold
  face liveness IMAGE [--json]             passive liveness of the main face
  face eval --pairs PAIRS.txt --images DIR [--json]
                                           LFW-protocol accuracy (n-fold), EER, TAR at FAR
  face eval-liveness [--faces DIR] [--people N] [--config FILE] [--json]
                                           whole face sessions, live and attacks: BPCER, APCER per attack kind
  models list [--json] | models obtain     model files, hashes, and fetching them
  platform call INFNO --input FILE.json [--json]
                                           one platform transaction (exit 0 ok, 2 refused, 3 unknown, 4 unreachable)
  platform-sim [--port N] [--db FILE]      run the platform simulator standalone
  service status [--json]                  whether a service PIN is set, wrong PINs, lockout
  service set-pin                          set (or replace) the service PIN; reads it twice from
                                           stdin, unechoed on a terminal; clears a lockout
  service reset-pin --yes                  forget the PIN and any lockout (a forgotten PIN)
  queue status [--json]                    outbox counts, unknown and needs-attention items, tampered rows
  queue drain                              deliver what is due now
  queue reconcile [--date YYYY-MM-DD] [--json]
                                           3201 totals and 3202 detail; repairs and reports
  verify PAYLOAD|FILE (--public-key KEY.pem | --platform URL) [--json]
                                           check a printed document's QR payload against the
                                           platform's key (exit 0 genuine, 1 not, 2 no key)
`;

export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}

export function loadConfig(file: string | undefined, dataDir?: string): Config {
  const config = file ? loadConfigFile(file) : defaultConfig();
  return dataDir ? { ...config, dataDir } : config;
}

async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      headless: { type: 'boolean', default: false },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'launch-file': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig(values.config, values['data-dir']);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be 0..65535, got ${values.port}`);
  const host = await startNodeHost(config, { port, headless: values.headless });
  // The token is in the launch URL: stdout and stderr may end in a journal, so it goes to a 0600 file.
  const launchFile = path.resolve(values['launch-file'] ?? path.join(host.app.dataDir, LAUNCH_FILE_NAME));
  try {
    writeLaunchFile(launchFile, host.launchUrl);
  } catch (err) {
    await host.close();
    throw err;
  }
  // A second Ctrl+C while closing must not kill the host half-way (an unfinished close leaves the token's file and the serial children behind).
  const { stopped, stop: stopNow } = onStopSignal();
  process.stdout.write(JSON.stringify({ event: 'ready', url: host.url, launchFile, dataDir: host.app.dataDir, mode: config.mode }) + '\n');
  process.stderr.write(`E-Station (${config.mode}) is running at ${host.url}; the launch URL is in ${launchFile}\nPress Ctrl+C to stop.\n`);
  if (process.stdout.isTTY) process.stdout.write(`Open ${host.launchUrl}\n`);
  // Under `estation launch`, a restart (an update's switch, a restart command) is an exit the launcher answers by starting `current`.
  let exitCode = 0;
  if (process.env.ESTATION_LAUNCHED === '1')
    host.app.bus.subscribe((e) => {
      if (e.event !== 'shell.request') return;
      exitCode = RESTART_EXIT_CODE;
      stopNow();
    });
  await stopped;
  await host.close();
  removeLaunchFile(launchFile);
  return exitCode;
}

async function doctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  const report = await (await doctorModule()).runDoctor(loadConfig(values.config, values['data-dir']));
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report));
  return 0;
}

function formatDoctor(r: Awaited<ReturnType<typeof runDoctor>>): string {
  const lines = [`E-Station ${r.version}`, r.simulation.summary, `data directory: ${r.dataDir}`, `node ${r.node.version} (ABI ${r.node.abi})`];
  for (const m of r.nativeModules) lines.push(`  ${m.name} ${m.version ?? '-'}: ${m.loads ? 'loads' : `does not load (${m.error})`}`);
  lines.push(`electron ${r.electron.version ?? 'not installed'}; binary ${r.electron.binaryAvailable ? 'present' : 'absent'}`);
  lines.push(`chromium ${r.chromium.available ? r.chromium.version : 'not found'} at ${r.chromium.path}`);
  lines.push(`models ${r.models.version}: ${r.models.files.map((m) => `${m.name} ${m.status}`).join(', ')}`);
  for (const w of r.warnings) lines.push(`warning ${w.code}: ${w.message}`);
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'doctor':
        return await doctor(rest);
      case 'queue':
        return await (
          await queueModule()
        ).queueCommand(
          rest,
          (file) => loadConfig(file),
          (t) => process.stdout.write(t),
        );
      case 'platform':
        return await (
          await platformModule()
        ).platformCommand(
          rest,
          (file) => loadConfig(file),
          (t) => process.stdout.write(t),
        );
      case 'platform-sim':
        return await (await platformModule()).platformSimCommand(rest, (t) => process.stdout.write(t));
      case 'face':
        return await (
          await faceModule()
        ).faceCommand(
          rest,
          (file) => loadConfig(file),
          (t) => process.stdout.write(t),
        );
      case 'models':
        return await (await faceModule()).modelsCommand(rest, (t) => process.stdout.write(t));
      case 'service':
        return await (async () => {
          const m = await serviceModule();
          return m.serviceCommand(
            rest,
            (file) => loadConfig(file),
            (t) => process.stdout.write(t),
            m.stdinSecrets(),
          );
        })();
      case 'launch':
        return await (await launchModule()).launchCommand(rest, (t) => process.stderr.write(t));
      case 'verify':
        return await (await verifyModule()).verifyCommand(rest, (t) => process.stdout.write(t));
      case 'devices':
        return await (
          await devicesModule()
        ).devicesCommand(
          rest,
          (file) => loadConfig(file),
          (t) => process.stdout.write(t),
        );
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`estation: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliFailure) {
      process.stderr.write(`estation: ${err.code}: ${err.message}\n${err.exitCode === 64 ? '\n' + USAGE : ''}`);
      return err.exitCode;
    }
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`estation: ${e.message}\n\n${USAGE}`);
      return 64;
    }
    process.stderr.write(`estation: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return 1;
  }
}
