import fs from 'node:fs';
import path from 'node:path';
import { maskIdNumbersIn } from '../bridge/contract/mask';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LogSink {
  write(line: string): void;
}

/** Keys whose values are personal data and never written, whatever they hold. */
const REDACT_KEYS = /^(certno|idNo|id_number|idNumber|psn_name|userName|name|phone|tel|addr|address|pin|password|ecToken|token|secret)$/i;

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return maskIdNumbersIn(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = REDACT_KEYS.test(k) ? '[masked]' : scrub(v, depth + 1);
    return out;
  }
  return value;
}

export function createLogger(opts: { level?: LogLevel; sinks: LogSink[]; fields?: Record<string, unknown> }): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const base = opts.fields ?? {};
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...(scrub({ ...base, ...fields }) as object) });
    for (const s of opts.sinks) s.write(line);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

/**
 * Appends JSON lines to `dir/estation.log`, rotating at `maxBytes` and keeping `keep` old files.
 * A write never throws: a log line is not worth the process. When the directory has vanished
 * (cleaned up, unmounted) it is made again once; when that fails too (disk full, read-only) the
 * line goes to stderr with the reason.
 */
export function fileSink(dir: string, maxBytes = 5 * 1024 * 1024, keep = 5): LogSink {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'estation.log');
  let size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const rotate = () => {
    for (let i = keep - 1; i >= 1; i--) {
      const from = `${file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${file}.${i + 1}`);
    }
    if (fs.existsSync(file)) fs.renameSync(file, `${file}.1`);
    size = 0;
  };
  return {
    write(line) {
      const data = line + '\n';
      try {
        if (size + data.length > maxBytes) rotate();
        fs.appendFileSync(file, data);
      } catch {
        try {
          fs.mkdirSync(dir, { recursive: true });
          size = fs.existsSync(file) ? fs.statSync(file).size : 0;
          fs.appendFileSync(file, data);
        } catch (err) {
          process.stderr.write(`estation: log file ${file} not writable (${(err as NodeJS.ErrnoException).code ?? String(err)}): ${line}\n`);
          return;
        }
      }
      size += data.length;
    },
  };
}

export const stderrSink: LogSink = { write: (line) => process.stderr.write(line + '\n') };

export function memorySink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (l) => lines.push(l) };
}

export const silentLogger: Logger = createLogger({ sinks: [] });
