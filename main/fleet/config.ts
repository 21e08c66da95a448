/**
 * The terminal's link to its fleet server (issue 19): off by default, so a terminal on its own
 * behaves as before. Credentials: a password (the embedded aedes broker) or TLS client
 * certificates whose CN is the terminal id (mosquitto in production).
 */
import { z } from 'zod';

export const fleetConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?$/, 'mqtt://host:port or mqtts://host:port')
      .default('mqtt://127.0.0.1:1883'),
    /** The pharmacy chain or service-hall group whose shared topics (face enrolment) this terminal reads. */
    chain: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,30}$/)
      .nullable()
      .default(null),
    /**
     * The chain's face-sharing key: a file holding 32 random bytes (raw, or as 64 hex digits or
     * base64), the same on every terminal of the chain and on no fleet server. With `chain` set,
     * enrolments made here reach the chain's other terminals sealed with it (issue 19 item 6).
     */
    chainKeyFile: z.string().min(1).max(500).nullable().default(null),
    /** The chain's name as customers know it (益丰大药房…): the face consent names it. Defaults to `chain`. */
    chainName: z.string().trim().min(1).max(40).nullable().default(null),
    password: z.string().min(16).max(200).nullable().default(null),
    tls: z
      .object({ ca: z.string().min(1), cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .nullable()
      .default(null),
    healthIntervalSeconds: z.number().int().min(1).max(3600).default(60),
    keepaliveSeconds: z.number().int().min(5).max(600).default(60),
    /** Reconnect delays: exponential from minMs, capped at maxMs, each drawn at random below it (full jitter). */
    backoff: z
      .object({ minMs: z.number().int().min(50).max(60_000).default(1000), maxMs: z.number().int().min(100).max(3_600_000).default(300_000) })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((f) => !f.enabled || f.password !== null || f.tls !== null, {
    message: 'fleet.password or fleet.tls is required when fleet.enabled',
    path: ['password'],
  });
export type FleetConfig = z.output<typeof fleetConfigSchema>;
