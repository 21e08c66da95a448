/**
 * The one bridge contract between the renderer and main. Every request and event is listed here
 * with zod schemas; the dispatcher validates both directions on both hosts (Electron IPC and the
 * Node host's HTTP + server-sent events). This folder is environment-free: it compiles under the
 * Node project and the web project alike.
 */
import { z } from 'zod';
import { deviceStatusSchema, networkStatusSchema, queueStatusSchema, statusSnapshotSchema } from './status';

export const modeSchema = z.enum(['kiosk', 'checkout', 'service']);
export type Mode = z.infer<typeof modeSchema>;
export const localeSchema = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof localeSchema>;

const empty = z.object({}).strict();

export const appInfoSchema = z.object({
  version: z.string(),
  mode: modeSchema,
  locale: localeSchema,
  terminalName: z.string(),
  elderlyModeDefault: z.boolean(),
  idleTimeoutSeconds: z.number().int().positive(),
  simulate: z.boolean(),
  host: z.enum(['electron', 'node']),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

export const simDeviceActionSchema = z.object({
  deviceId: z.string().min(1).max(64),
  action: z.enum(['unplug', 'replug']),
});

function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const requests = {
  'app.hello': request(empty, appInfoSchema),
  'status.get': request(empty, statusSnapshotSchema),
  /** Drives a simulated device; refused with BRIDGE_NOT_AVAILABLE unless devices are simulated. */
  'sim.device': request(simDeviceActionSchema, deviceStatusSchema),
} as const;

export const events = {
  'status.device': deviceStatusSchema,
  'status.network': networkStatusSchema,
  'status.queue': queueStatusSchema,
} as const;

export type Requests = typeof requests;
export type Channel = keyof Requests;
export type RequestInput<C extends Channel> = z.input<Requests[C]['input']>;
export type RequestOutput<C extends Channel> = z.output<Requests[C]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(requests, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** What the renderer sees, whichever host carries it. The preload ends in `satisfies EStationBridge`. */
export interface EStationBridge {
  call<C extends Channel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Envelope carried by both transports for one event. */
export const eventEnvelopeSchema = z.object({ event: z.string(), payload: z.unknown() });
