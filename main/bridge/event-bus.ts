import { events, momentaryEvents, type EventName, type EventPayload } from './contract';
import type { Logger } from '../ground/logger';

export interface EventEnvelope {
  event: EventName;
  payload: unknown;
}

type Listener = (envelope: EventEnvelope) => void;

/**
 * Services publish typed events here; each transport subscribes and forwards. Payloads are
 * validated against the contract before anyone sees them, so a service bug cannot put a bad
 * shape on the wire.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly last = new Map<string, EventEnvelope>();

  constructor(private readonly log: Logger) {}

  emit<E extends EventName>(event: E, payload: EventPayload<E>, key = ''): void {
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) {
      this.log.error('bridge.event_invalid', { event, issues: parsed.error.issues.map((i) => i.message) });
      return;
    }
    const envelope: EventEnvelope = { event, payload: parsed.data };
    if (!momentaryEvents.has(event)) this.last.set(`${event}\u0000${key}`, envelope);
    for (const l of this.listeners) {
      try {
        l(envelope);
      } catch (err) {
        this.log.error('bridge.listener_failed', { event, error: String(err) });
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Latest envelope per (event, key) of state events: lets a transport that connects late start from the present. */
  snapshot(): EventEnvelope[] {
    return [...this.last.values()];
  }
}
