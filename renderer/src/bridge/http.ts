/**
 * The renderer's side of the Node host's bridge: POST for requests, server-sent events for
 * events. The per-launch token arrives in the URL fragment, moves to sessionStorage, and the
 * fragment is cleared so it never sits in the address bar or history.
 */
import {
  BridgeError,
  eventEnvelopeSchema,
  type Channel,
  type EStationBridge,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestOutput,
  type BridgeResult,
} from '../../../main/bridge/contract';

const TOKEN_KEY = 'estation.bridge.token';

export function takeToken(): string | null {
  const m = /(?:^|[#&])token=([0-9a-f]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createHttpBridge(token: string, base = ''): EStationBridge & { close(): void } {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  const source = new EventSource(`${base}/bridge/events?token=${encodeURIComponent(token)}`);
  source.onmessage = (msg) => {
    let parsed;
    try {
      parsed = eventEnvelopeSchema.safeParse(JSON.parse(msg.data as string));
    } catch {
      return;
    }
    if (!parsed.success) return;
    for (const l of listeners.get(parsed.data.event) ?? []) l(parsed.data.payload);
  };

  return {
    async call<C extends Channel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>> {
      const res = await fetch(`${base}/bridge/call/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as BridgeResult<RequestOutput<C>>;
      if (!body.ok) throw new BridgeError(body.error.code, body.error.message, body.error.details);
      return body.value;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    close: () => source.close(),
  };
}
