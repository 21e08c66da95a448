/**
 * The IPC front door: a call reaches the services only from the app window's main frame on the
 * app origin, with a string channel; everything else gets a typed error. No electron import:
 * main.ts hands in the sender facts, and this is tested under Node.
 */
import type { BridgeResult } from '../bridge/contract';
import { isTrustedSender, type SenderFacts } from '../bridge/sender-policy';

export async function frontDoor(
  sender: SenderFacts,
  channel: unknown,
  payload: unknown,
  forward: (channel: string, payload: unknown) => Promise<BridgeResult<unknown>>,
  log: (msg: string, f?: Record<string, unknown>) => void,
): Promise<BridgeResult<unknown>> {
  if (!isTrustedSender(sender)) {
    log('bridge.untrusted_sender', { url: sender.frameUrl?.split(/[?#]/)[0] ?? null });
    return { ok: false, error: { code: 'BRIDGE_UNAUTHORIZED', message: 'untrusted sender' } };
  }
  if (typeof channel !== 'string') return { ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL', message: 'channel must be a string' } };
  return forward(channel, payload);
}
