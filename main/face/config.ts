import { z } from 'zod';

/**
 * Face thresholds. Defaults are the calibrated values of reference/face-models.md §4 and §6
 * (LFW all-pairs: FAR 1e-4 at 0.41; 1:N accept only with 0.55 and a 0.1 margin; liveness mean of
 * p_live over at least 5 frames >= 0.5); `estation face eval` re-derives them on local data.
 */
export const faceConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    intraOpNumThreads: z.number().int().min(1).max(8).default(1),
    detectThreshold: z.number().min(0.1).max(0.99).default(0.65),
    paymentDetectThreshold: z.number().min(0.1).max(0.99).default(0.7),
    verifyThreshold: z.number().min(0).max(1).default(0.41),
    identifyThreshold: z.number().min(0).max(1).default(0.55),
    identifyMargin: z.number().min(0).max(1).default(0.1),
    livenessThreshold: z.number().min(0).max(1).default(0.5),
    /** Fusion: the lower quartile of the session's liveness scores must reach this too. */
    livenessQuartileThreshold: z.number().min(0).max(1).default(0.3),
    livenessFrames: z.number().int().min(1).max(60).default(5),
    /**
     * Kiosk face login asks for a challenge too (a screen replay passes the passive model). A
     * site may turn it off for look-ups only; consent, enrolment and payment always have one.
     */
    loginChallenge: z.boolean().default(true),
    /** About 10 s at 15 frames a second. */
    maxSessionFrames: z.number().int().min(5).max(900).default(150),
    maxFramesPerSecond: z.number().min(0.5).max(30).default(15),
    quality: z
      .object({
        minRelativeHeight: z.number().min(0.05).max(1).default(0.2),
        maxYaw: z.number().min(5).max(90).default(25),
        maxPitch: z.number().min(5).max(90).default(25),
        minEyesOpen: z.number().min(0).max(1).default(0.5),
        minSharpness: z.number().min(0).default(15),
      })
      .strict()
      .prefault({}),
    challenge: z
      .object({
        turnDegrees: z.number().min(8).max(60).default(18),
        blinkClosed: z.number().min(0).max(1).default(0.3),
        /**
         * A head turn must leave landmarks at least this far (share of the inter-ocular distance)
         * from the best plane-to-plane mapping of the frontal view: a turned picture does not.
         */
        minParallax: z.number().min(0).max(1).default(0.05),
        /** Which challenges may be asked (a site may leave out blinking, say, for its residents). */
        kinds: z
          .array(z.enum(['blink', 'turn-left', 'turn-right']))
          .min(1)
          .default(['blink', 'turn-left', 'turn-right']),
      })
      .strict()
      .prefault({}),
    retentionDays: z.number().int().min(1).max(3650).default(730),
    consentTextVersion: z.string().min(1).default('face-consent-2026-01'),
  })
  .strict();

export type FaceConfig = z.output<typeof faceConfigSchema>;
