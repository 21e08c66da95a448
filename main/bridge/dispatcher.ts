import type { z } from 'zod';
import { BridgeError, isChannel, requests, type BridgeErrorBody, type BridgeResult, type Channel, type Requests, type RequestOutput } from './contract';
import type { Logger } from '../ground/logger';

export interface CallContext {
  /** Which transport carried the call: 'ipc' or 'http'. For logs only. */
  transport: 'ipc' | 'http' | 'local';
}

export type Handler<C extends Channel> = (input: z.output<Requests[C]['input']>, ctx: CallContext) => Promise<RequestOutput<C>> | RequestOutput<C>;

export type Handlers = { [C in Channel]: Handler<C> };

const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;

function issuesToDetails(issues: readonly z.core.$ZodIssue[]): NonNullable<BridgeErrorBody['details']> {
  return issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/**
 * Validates a request's channel and input, runs its handler, validates the output. Every failure
 * comes back as a typed error value; nothing a caller sends can throw through here.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: Partial<Handlers>,
    private readonly log: Logger,
  ) {}

  async dispatch(channel: unknown, payload: unknown, ctx: CallContext): Promise<BridgeResult<unknown>> {
    if (typeof channel !== 'string' || !isChannel(channel)) {
      return fail(new BridgeError('BRIDGE_UNKNOWN_CHANNEL', `unknown channel: ${String(channel).slice(0, 64)}`));
    }
    const spec = requests[channel];
    const parsed = spec.input.safeParse(payload);
    if (!parsed.success) {
      return fail(new BridgeError('BRIDGE_BAD_PAYLOAD', `bad payload for ${channel}`, issuesToDetails(parsed.error.issues)));
    }
    const handler = this.handlers[channel] as Handler<typeof channel> | undefined;
    if (!handler) {
      return fail(new BridgeError('BRIDGE_NOT_AVAILABLE', `${channel} is not available on this terminal`));
    }
    let value: unknown;
    try {
      value = await handler(parsed.data as never, ctx);
    } catch (err) {
      return fail(this.toBridgeError(channel, err));
    }
    const out = spec.output.safeParse(value);
    if (!out.success) {
      this.log.error('bridge.output_invalid', { channel, issues: issuesToDetails(out.error.issues) });
      return fail(new BridgeError('BRIDGE_OUTPUT_INVALID', `the terminal produced an invalid reply for ${channel}`));
    }
    return { ok: true, value: out.data };
  }

  private toBridgeError(channel: string, err: unknown): BridgeError {
    if (err instanceof BridgeError) return err;
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && CODE.test(code)) {
      return new BridgeError(code, err instanceof Error ? err.message : code);
    }
    this.log.error('bridge.handler_failed', { channel, error: err instanceof Error ? err.message : String(err) });
    return new BridgeError('INTERNAL', 'internal error');
  }
}

function fail(err: BridgeError): BridgeResult<never> {
  return { ok: false, error: err.toBody() };
}
