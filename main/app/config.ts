/**
 * One config schema for the whole terminal. The embedded default runs everything against
 * simulated devices and the embedded platform simulator; a file (JSON or YAML) overrides parts of
 * it. A wrong file stops start-up with a message that names the key and what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import YAML from 'yaml';
import { localeSchema, modeSchema } from '../bridge/contract';
import { devicesConfigSchema } from '../devices/config';
import { faceConfigSchema } from '../face/config';
import { signingConfigSchema } from '../platform/signing';
import { outboxConfigSchema } from '../outbox/config';
import { counterConfigSchema, offlineConfigSchema } from '../pharmacy/config';
import { serviceConfigSchema } from '../service/config';
import { serviceDeclSchema } from '../kiosk/catalogue/schema';
import { voiceConfigSchema } from '../voice/config';
import { fleetConfigSchema } from '../fleet/config';

const admdvs = z.string().regex(/^\d{6}$/, 'a 6-digit region code (医保区划), e.g. 440300');

export const configSchema = z
  .object({
    mode: modeSchema.default('kiosk'),
    locale: localeSchema.default('zh-CN'),
    /** Where the SQLite file, logs, keys and reports live. Default: the user's data directory. */
    dataDir: z.string().min(1).optional(),
    terminal: z
      .object({
        id: z.string().min(1).max(30).default('ZZJ001'),
        name: z.string().min(1).max(50).default('1号自助机'),
        institutionCode: z
          .string()
          .regex(/^[A-Z0-9]{12}$/, '12 characters of A-Z and 0-9 (定点医药机构编号), e.g. P44030300001')
          .default('P44030300001'),
        institutionName: z.string().min(1).max(200).default('E-Station 示范药店'),
        admdvs: admdvs.default('440300'),
      })
      .strict()
      .prefault({}),
    platform: z
      .object({
        /** `embedded` starts the platform simulator inside the app on a loopback port. */
        kind: z.enum(['embedded', 'remote']).default('embedded'),
        url: z.url().optional(),
        timeoutMs: z.number().int().min(500).max(120_000).default(15_000),
        /** Gateway signing in front of the platform (x-tif, CSB _api_*, apikey). */
        signing: signingConfigSchema.default({ kind: 'none' }),
        /** 接收方系统代码 */
        recerSysCode: z.string().min(1).max(10).default('YBXT'),
        healthIntervalMs: z.number().int().min(200).max(600_000).default(15_000),
      })
      .strict()
      .prefault({})
      .refine((p) => p.kind !== 'remote' || !!p.url, { message: 'platform.url is required when platform.kind is remote', path: ['url'] }),
    devices: devicesConfigSchema.prefault({}),
    face: faceConfigSchema.prefault({}),
    outbox: outboxConfigSchema.prefault({}),
    service: serviceConfigSchema.prefault({}),
    offline: offlineConfigSchema.prefault({}),
    /** The pharmacy counter's rules (checkout mode). */
    counter: counterConfigSchema.prefault({}),
    /** The kiosk's service catalogue as a region adds to or corrects it (kiosk mode). */
    kiosk: z
      .object({
        /** Declarations (main/kiosk/catalogue/types.ts): a built-in id replaces that service, a new id adds one. */
        services: z.array(serviceDeclSchema).max(100).default([]),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        elderlyMode: z.boolean().default(false),
        // At least 120 s a step for an elderly resident by default (elderly-ux.md); a region may set less.
        idleTimeoutSeconds: z.number().int().min(10).max(3600).default(120),
      })
      .strict()
      .prefault({}),
    /** The kiosk's spoken prompts: which engine renders them (main/voice, README "Voice"). */
    voice: voiceConfigSchema.prefault({}),
    host: z
      .object({
        port: z.number().int().min(0).max(65535).default(0),
        openBrowser: z.enum(['auto', 'never', 'always']).default('auto'),
        chromiumPath: z.string().default('/usr/bin/chromium'),
        /** Largest bridge request body; a face frame (up to 2,000,000 base64 characters) is the largest legitimate one. */
        maxBodyBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(64 * 1024 * 1024)
          .default(2 * 1024 * 1024),
        /** Bridge limits, far above what the screen does (a few calls a second at most, one event stream). */
        rateLimit: z
          .object({
            /** Calls per second the token may sustain, and the burst it may spend at once. */
            perSecond: z.number().int().min(1).max(100_000).default(100),
            burst: z.number().int().min(1).max(1_000_000).default(2000),
            /** Requests in flight on one connection (only reachable by pipelining). */
            perConnection: z.number().int().min(1).max(1000).default(8),
            /** Event streams open at once. */
            eventStreams: z.number().int().min(1).max(100).default(4),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The Electron kiosk shell (ignored by the Node host). */
    electron: z
      .object({
        /** Full-screen kiosk window with shortcut lockdown; false for a technician's bench. */
        kiosk: z.boolean().default(true),
        devTools: z.boolean().default(false),
        /** The terminal's time zone, for the maintenance window. */
        timeZone: z
          .string()
          .default('Asia/Shanghai')
          .refine((tz) => {
            try {
              new Intl.DateTimeFormat('en', { timeZone: tz });
              return true;
            } catch {
              return false;
            }
          }, 'an IANA time zone such as Asia/Shanghai'),
        updates: z
          .object({
            /** Base URL of a LAN update server (electron-updater generic layout); null: no updates. */
            url: z
              .url({ protocol: /^https?$/ })
              .nullable()
              .default(null),
            checkIntervalMinutes: z.number().int().min(5).max(1440).default(60),
            windowStart: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
              .default('02:00'),
            windowEnd: z
              .string()
              .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
              .default('04:00'),
          })
          .strict()
          .prefault({}),
        /** Services host restarts: more than maxRestarts within windowSeconds shows the service page. */
        restart: z
          .object({ maxRestarts: z.number().int().min(1).max(100).default(5), windowSeconds: z.number().int().min(10).max(86_400).default(300) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The terminal's fleet server over MQTT (main/fleet, fleet/): off by default. */
    fleet: fleetConfigSchema.prefault({}),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    message: string,
    readonly problems: { key: string; expected: string }[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function describe(issue: z.core.$ZodIssue): { key: string; expected: string } {
  const key = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (key === '(root)' ? k : `${key}.${k}`));
    return { key: keys.join(', '), expected: 'no such key (check the spelling)' };
  }
  return { key, expected: issue.message };
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  const r = configSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map(describe);
  const text = problems.map((p) => `  ${p.key}: ${p.expected}`).join('\n');
  throw new ConfigError(`${source} is invalid:\n${text}`, problems);
}

/** Reads a JSON or YAML file (by extension; YAML is a superset, so unknown extensions parse as YAML). */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, [{ key: '(file)', expected: 'a readable file' }]);
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? null : path.extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, [
      { key: '(file)', expected: 'well-formed JSON or YAML' },
    ]);
  }
  // A file that names no setting is a mistake (truncated copy, wrong path), not a wish for the defaults.
  if (raw === null || raw === undefined) {
    throw new ConfigError(`config file ${file} is empty: write the settings it should change, or use no config file to run on the embedded default`, [
      { key: '(file)', expected: 'at least one setting' },
    ]);
  }
  return parseConfig(raw, file);
}

export const defaultConfig = (): Config => parseConfig({});
