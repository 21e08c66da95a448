import { z } from 'zod';

/**
 * Error codes a person can act on. Their Chinese and English texts live in the renderer's
 * message catalogue; main never sends a stack trace across the bridge.
 */
export const errorCodes = [
  'BRIDGE_UNKNOWN_CHANNEL',
  'BRIDGE_BAD_PAYLOAD',
  'BRIDGE_MALFORMED_MESSAGE',
  'BRIDGE_UNAUTHORIZED',
  'BRIDGE_FORBIDDEN_ORIGIN',
  'BRIDGE_PAYLOAD_TOO_LARGE',
  'BRIDGE_OUTPUT_INVALID',
  'BRIDGE_NOT_AVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number] | (string & { readonly __extension?: never });

export const bridgeErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  /** Where the problem is, e.g. the zod issue paths of a bad payload. Never personal data. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export type BridgeErrorBody = z.infer<typeof bridgeErrorSchema>;

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: BridgeErrorBody['details'];
  constructor(code: ErrorCode, message: string, details?: BridgeErrorBody['details']) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
  toBody(): BridgeErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export type BridgeResult<T> = { ok: true; value: T } | { ok: false; error: BridgeErrorBody };

/** A BridgeResult as it crosses a process boundary, checked on arrival. */
export const bridgeResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: bridgeErrorSchema }),
]);
