import { z } from 'zod';

const serialDevice = (baud: number, model: string) =>
  z
    .object({
      port: z.string().min(1),
      baudRate: z.number().int().positive().default(baud),
      model: z.string().default(model),
    })
    .strict();

const usbId = z.number().int().min(0).max(0xffff);

export const devicesConfigSchema = z
  .object({
    /** Simulated devices on real PTYs (socat) instead of the configured hardware. */
    simulate: z.boolean().default(true),
    /** How often each device is ticked (its health check and card polling). */
    pollMs: z.number().int().min(50).max(10_000).default(400),
    /**
     * The longest one open or health check may take before the device counts as not responding
     * (reported absent, closed and reopened): a port that never answers must not freeze its loop.
     */
    turnDeadlineMs: z.number().int().min(100).max(120_000).default(15_000),
    idCardReader: serialDevice(115200, 'GA 467 SAM module').optional(),
    ssCardReader: serialDevice(9600, 'SSSE contact reader').optional(),
    scanner: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('hid-pos'), vendorId: usbId, productId: usbId, model: z.string().default('HID POS scanner') }).strict(),
        z.object({ kind: z.literal('keyboard-wedge'), vendorId: usbId, productId: usbId, model: z.string().default('keyboard-wedge scanner') }).strict(),
        z
          .object({
            kind: z.literal('serial'),
            port: z.string().min(1),
            baudRate: z.number().int().positive().default(9600),
            model: z.string().default('serial scanner'),
          })
          .strict(),
      ])
      .optional(),
    printer: serialDevice(115200, 'ESC/POS receipt printer').optional(),
  })
  .strict();

export type DevicesConfig = z.output<typeof devicesConfigSchema>;
