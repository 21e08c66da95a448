import { z } from 'zod';

export const deviceKinds = ['idCardReader', 'ssCardReader', 'scanner', 'printer', 'camera'] as const;
export const deviceKindSchema = z.enum(deviceKinds);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

/**
 * The coarse state every device has. The specific condition (paper out, cover open, ...) is in
 * `code`, so the status bar can colour by state and the screens can speak the condition.
 */
export const deviceStateSchema = z.enum(['opening', 'ready', 'busy', 'warning', 'fault', 'absent']);
export type DeviceState = z.infer<typeof deviceStateSchema>;

export const deviceStatusSchema = z.object({
  id: z.string().min(1),
  kind: deviceKindSchema,
  model: z.string(),
  port: z.string().nullable(),
  state: deviceStateSchema,
  code: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  simulated: z.boolean(),
  updatedAt: z.string(),
});
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const networkStatusSchema = z.object({
  platform: z.enum(['unknown', 'online', 'offline']),
  latencyMs: z.number().nonnegative().nullable(),
  checkedAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type NetworkStatus = z.infer<typeof networkStatusSchema>;

export const queueStatusSchema = z.object({
  pending: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
  needsAttention: z.number().int().nonnegative(),
  oldestPendingAt: z.string().nullable(),
});
export type QueueStatus = z.infer<typeof queueStatusSchema>;

export const statusSnapshotSchema = z.object({
  devices: z.array(deviceStatusSchema),
  network: networkStatusSchema,
  queue: queueStatusSchema,
});
export type StatusSnapshot = z.infer<typeof statusSnapshotSchema>;

/**
 * The technician's service mode as main holds it: whether a PIN exists, whether service mode is
 * open, and the backoff or lockout after wrong PINs. Times are ISO; never the PIN or its hash.
 */
export const serviceAccessSchema = z.object({
  pinSet: z.boolean(),
  /** True until a correct PIN; again after leaving, the idle timeout or a restart. */
  locked: z.boolean(),
  /** Set while locked out after too many wrong PINs: even the right PIN is refused until then. */
  lockedUntil: z.string().nullable(),
  /** The next PIN is not even checked before this time (backoff after a wrong PIN). */
  nextTryAt: z.string().nullable(),
  failures: z.number().int().nonnegative(),
});
export type ServiceAccessState = z.infer<typeof serviceAccessSchema>;
