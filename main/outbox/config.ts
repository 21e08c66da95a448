import { z } from 'zod';

const yuan = (v: number) => v * 100;

/** Risk limits for checkouts taken while the platform is unreachable (先就医后结算). Fen. */
export const offlineConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    maxPerTransaction: z.number().int().positive().default(yuan(500)),
    maxPerPersonPerDay: z.number().int().positive().default(yuan(1_000)),
    /** What the insurance side owes across all unsettled offline checkouts. */
    maxTerminalExposure: z.number().int().positive().default(yuan(20_000)),
    /** No new offline checkout while an older one has waited longer than this. */
    maxAgeHours: z.number().positive().default(72),
  })
  .strict();
export type OfflineConfig = z.output<typeof offlineConfigSchema>;

export const outboxConfigSchema = z
  .object({
    drainIntervalMs: z.number().int().min(50).max(600_000).default(2_000),
    backoffBaseMs: z.number().int().min(10).default(1_000),
    backoffMaxMs: z.number().int().min(100).default(300_000),
    breakerThreshold: z.number().int().min(1).default(5),
    breakerCooldownMs: z.number().int().min(100).default(30_000),
  })
  .strict();
