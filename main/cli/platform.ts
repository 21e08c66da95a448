/**
 * `estation platform call INFNO --input FILE.json` for technicians and integrators, and
 * `estation platform-sim --port N` to run the simulator standalone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../app/config';
import { resolveDataDir } from '../app/compose';
import { systemClock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { openDatabase } from '../store/database';
import { platformClientFor } from '../app/platform-client';
import { transactions, type Infno } from '../platform/schemas';
import { embeddedPlatformDbFile, startEmbeddedPlatform } from '../app/embedded';
import { CliFailure } from './devices';

type Out = (text: string) => void;

export async function platformCommand(argv: string[], loadConfig: (file?: string) => Config, out: Out): Promise<number> {
  const [sub, infno, ...rest] = argv;
  if (sub !== 'call') throw new CliFailure('CLI_USAGE', 'usage: estation platform call INFNO --input FILE.json [--json]', 64);
  const { values } = parseArgs({
    args: rest,
    options: { input: { type: 'string' }, json: { type: 'boolean', default: false }, config: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
  });
  if (!infno || !(infno in transactions))
    throw new CliFailure('CLI_USAGE', `unknown transaction ${String(infno)}; known: ${Object.keys(transactions).join(' ')}`, 64);
  if (!values.input) throw new CliFailure('CLI_USAGE', '--input FILE.json is required', 64);
  let input: unknown;
  try {
    input = JSON.parse(fs.readFileSync(values.input, 'utf8'));
  } catch (err) {
    throw new CliFailure('CLI_INPUT_UNREADABLE', `cannot read ${values.input}: ${(err as Error).message}`, 64);
  }
  const config = loadConfig(values.config);
  const dataDir = values['data-dir'] ?? resolveDataDir(config);
  const db = openDatabase(path.join(dataDir, 'estation.sqlite'));
  const sim =
    config.platform.kind === 'embedded' ? await startEmbeddedPlatform({ dbFile: embeddedPlatformDbFile(dataDir), admdvs: config.terminal.admdvs }) : null;
  try {
    const client = platformClientFor(config, db, () => sim?.url ?? config.platform.url!, systemClock, silentLogger);
    const r = await client.send(infno as Infno, input as never);
    const shown = r.kind === 'ok' && Buffer.isBuffer(r.output) ? { ...r, output: { bytes: r.output.length, base64: r.output.toString('base64') } } : r;
    out(values.json ? JSON.stringify(shown, null, 2) + '\n' : `${infno} ${r.kind}${r.kind === 'ok' ? '' : `: ${r.code} ${r.message}`} (msgid ${r.msgid})\n`);
    return { ok: 0, 'business-error': 2, unknown: 3, unreachable: 4 }[r.kind];
  } finally {
    await sim?.close();
    db.close();
  }
}

export async function platformSimCommand(argv: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', default: '0' }, db: { type: 'string' }, admdvs: { type: 'string', default: '440300' } },
    strict: true,
  });
  const sim = await startEmbeddedPlatform({ port: Number(values.port), dbFile: values.db, admdvs: values.admdvs });
  // The standalone simulator is a development tool: its own admin token is printed for the tester
  // who started it (it guards /__sim/*, never the terminal's bridge).
  out(JSON.stringify({ event: 'ready', url: sim.url, port: sim.port, adminToken: sim.adminToken }) + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}
