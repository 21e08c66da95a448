/**
 * Whether an IPC message may reach the dispatcher: only the app's own window, its main frame,
 * and a document on the app origin. A pure function so it is tested without Electron.
 */
export const APP_ORIGIN = 'app://kiosk';

export interface SenderFacts {
  /** The sender's webContents is the kiosk window's webContents. */
  fromAppWindow: boolean;
  /** The sending frame is the window's main frame (not an iframe). */
  isMainFrame: boolean;
  /** URL of the sending frame's document. */
  frameUrl: string | null | undefined;
}

export function isTrustedSender(f: SenderFacts, origin = APP_ORIGIN): boolean {
  if (!f.fromAppWindow || !f.isMainFrame || !f.frameUrl) return false;
  try {
    const u = new URL(f.frameUrl);
    return `${u.protocol}//${u.host}` === origin;
  } catch {
    return false;
  }
}
