/**
 * Messages between the Electron main process and the services host (an Electron utility process
 * in production, a forked Node process in tests). Both directions are validated: a malformed
 * message is dropped with a typed log line and never takes either side down.
 */
import { z } from 'zod';
import { bridgeResultSchema, eventEnvelopeSchema } from '../bridge/contract';

export const toHostSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    /** Path of the config file, or null for the embedded default. */
    configPath: z.string().nullable(),
    /** The face-template key unwrapped by main (safeStorage), base64; null: use the 0600 key file. */
    faceKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/)
      .nullable(),
    /** Where the face worker's bundle is, when not next to the source (the Electron build). */
    faceWorkerPath: z.string().nullable(),
  }),
  z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), channel: z.string().max(64), payload: z.unknown() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToHost = z.infer<typeof toHostSchema>;

export const fromHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), mode: z.string(), pid: z.number().int() }),
  z.object({ type: z.literal('result'), id: z.number().int().nonnegative(), result: bridgeResultSchema }),
  z.object({ type: z.literal('event'), envelope: eventEnvelopeSchema }),
  z.object({ type: z.literal('fatal'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('stopped') }),
]);
export type FromHost = z.infer<typeof fromHostSchema>;
