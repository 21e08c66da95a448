import { z } from 'zod';

export const outboxConfigSchema = z
  .object({
    drainIntervalMs: z.number().int().min(50).max(600_000).default(2_000),
    backoffBaseMs: z.number().int().min(10).default(1_000),
    backoffMaxMs: z.number().int().min(100).default(300_000),
    breakerThreshold: z.number().int().min(1).default(5),
    breakerCooldownMs: z.number().int().min(100).default(30_000),
    passBudgetMs: z.number().int().min(50).max(60_000).default(5_000),
  })
  .strict();
