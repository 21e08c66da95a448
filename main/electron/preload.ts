/**
 * The sandboxed preload: exposes exactly the bridge as `window.estation` and checks nothing but
 * shape. Validation happens in main's dispatcher; the sender is checked in main/electron/main.ts.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BridgeResult, Channel, EStationBridge, EventName, EventPayload, RequestInput, RequestOutput } from '../bridge/contract';

const bridge = {
  async call<C extends Channel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>> {
    if (typeof channel !== 'string') throw new Error('BRIDGE_UNKNOWN_CHANNEL: channel must be a string');
    const result = (await ipcRenderer.invoke('estation:call', channel, input)) as BridgeResult<RequestOutput<C>>;
    if (result.ok) return result.value;
    // contextBridge keeps only an Error's message, so the code travels in it.
    throw new Error(`${result.error.code}: ${result.error.message}`);
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    // The page's callback never sees Electron's event object.
    const handler = (_e: IpcRendererEvent, envelope: { event: string; payload: unknown }) => {
      if (envelope && envelope.event === event) listener(envelope.payload as EventPayload<E>);
    };
    ipcRenderer.on('estation:event', handler);
    return () => void ipcRenderer.removeListener('estation:event', handler);
  },
} satisfies EStationBridge;

contextBridge.exposeInMainWorld('estation', bridge);
