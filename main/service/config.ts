import { z } from 'zod';

/** Service mode's settings. The PIN itself is never configured: a technician sets it on the terminal. */
export const serviceConfigSchema = z
  .object({
    /** Refused: a PIN in a file is a PIN shared by every terminal installed from it. */
    pin: z
      .never({
        error: 'no longer set in a file: remove it; the first time service mode opens, a technician sets the PIN on the terminal (it is stored hashed)',
      })
      .optional(),
    /**
     * Whether the first PIN may be set on the terminal's own screen. Convenient at installation,
     * but until a technician does it, anyone at the screen could. Set false where the public can
     * reach the terminal before the technician: the first PIN is then set with
     * `estation service set-pin` on the terminal's own shell.
     */
    firstPinOnScreen: z.boolean().default(true),
    /** How long service mode stays locked after 5 wrong PINs in a row. */
    lockoutMinutes: z.number().int().min(1).max(1440).default(15),
    /** Service mode locks again after this long without a service request. */
    idleTimeoutSeconds: z.number().int().min(30).max(7200).default(300),
  })
  .strict();
export type ServiceConfig = z.output<typeof serviceConfigSchema>;
