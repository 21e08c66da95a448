/**
 * The sandboxed preload: exposes exactly the bridge as `window.estation` and checks nothing but
 * shape. Validation happens in main's dispatcher.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BridgeResult, EStationBridge } from '../bridge/contract';

const bridge = {
  async call(channel: string, input: unknown) {
    if (typeof channel !== 'string') throw new Error('BRIDGE_UNKNOWN_CHANNEL');
    const result = (await ipcRenderer.invoke('estation:call', channel, input)) as BridgeResult<unknown>;
    if (result.ok) return result.value;
    // contextBridge keeps only an Error's message, so the code travels in it.
    throw new Error(`${result.error.code}: ${result.error.message}`);
  },
  on(event: string, listener: (payload: unknown) => void) {
    const handler = (_e: IpcRendererEvent, envelope: { event: string; payload: unknown }) => {
      if (envelope && envelope.event === event) listener(envelope.payload);
    };
    ipcRenderer.on('estation:event', handler);
    return () => void ipcRenderer.removeListener('estation:event', handler);
  },
} as EStationBridge satisfies EStationBridge;

contextBridge.exposeInMainWorld('estation', bridge);
