import { z } from 'zod';
import { wholeYuan as yuan } from '../bridge/contract/money';

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

/** Rules of the counter that main enforces whatever the screen sends. Amounts in fen. */
export const counterConfigSchema = z
  .object({
    /** A quote (pre-settlement) can be paid for this long; after that the cashier quotes again. */
    quoteTtlSeconds: z.number().int().min(30).max(3600).default(300),
    /** Whole packs per basket line. */
    maxQuantityPerLine: z.number().int().min(1).max(9999).default(50),
    maxLinesPerSale: z.number().int().min(1).max(200).default(40),
    /** The most one online sale may come to; offline sales have the lower offline.maxPerTransaction. */
    maxPerSale: z.number().int().positive().default(yuan(5_000)),
  })
  .strict()
  .refine((c) => c.maxPerSale <= yuan(1_000_000), { message: 'maxPerSale above ¥1,000,000 is not a pharmacy sale', path: ['maxPerSale'] });
export type CounterConfig = z.output<typeof counterConfigSchema>;
