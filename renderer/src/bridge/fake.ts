import {
  BridgeError,
  type Channel,
  type EStationBridge,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestOutput,
} from '../../../main/bridge/contract';

type Answer<C extends Channel> = (input: RequestInput<C>) => RequestOutput<C> | Promise<RequestOutput<C>>;

/**
 * A bridge for the renderer's unit tests, installed as `window.estation` like the preload's.
 * Tests set the answers per channel, emit events by hand and read back the calls made. A channel
 * without an answer is refused the way main refuses an unknown channel.
 */
export class FakeBridge implements EStationBridge {
  readonly calls: { channel: Channel; input: unknown }[] = [];
  private readonly answers = new Map<Channel, (input: unknown) => unknown>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  answer<C extends Channel>(channel: C, answer: Answer<C>): this {
    this.answers.set(channel, answer as (input: unknown) => unknown);
    return this;
  }

  async call<C extends Channel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>> {
    this.calls.push({ channel, input });
    const answer = this.answers.get(channel);
    if (!answer) throw new BridgeError('BRIDGE_UNKNOWN_CHANNEL', `no answer for ${channel}`);
    return (await answer(input)) as RequestOutput<C>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: unknown) => void);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  /** How many listeners an event has: 0 once every subscriber has unsubscribed. */
  listening(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Forgets answers, listeners and calls between tests. */
  reset(): void {
    this.calls.length = 0;
    this.answers.clear();
    this.listeners.clear();
  }

  /** The inputs of the calls made on one channel, oldest first. */
  inputsOf<C extends Channel>(channel: C): RequestInput<C>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.input as RequestInput<C>);
  }
}

/** A promise the test settles when it chooses, to put an answer in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
