import type { EStationBridge } from '../../../main/bridge/contract';
import { createHttpBridge, takeToken } from './http';

declare global {
  interface Window {
    /** Installed by the Electron preload; absent under the Node host. */
    estation?: EStationBridge;
  }
}

let bridge: EStationBridge | null = null;

/** The renderer never knows its host: Electron's preload global, or HTTP + SSE. */
export function getBridge(): EStationBridge {
  if (bridge) return bridge;
  if (window.estation) return (bridge = window.estation);
  const token = takeToken();
  if (!token) throw new Error('BRIDGE_UNAUTHORIZED');
  return (bridge = createHttpBridge(token));
}
