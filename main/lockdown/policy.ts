/**
 * The kiosk window's security decisions as pure functions: main/electron wires them to Electron's
 * hooks, and Vitest tests them here without an Electron binary. Deny by default everywhere.
 */
import { APP_ORIGIN } from '../bridge/sender-policy';

export { APP_ORIGIN };

/** The policy the Electron shell sends for app://; the Node host serves the same for its pages. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    // Node's URL treats app: as non-special (origin 'null'): build it from protocol and host,
    // compared exactly. Chromium lower-cases a standard scheme's host, so a genuine app URL is
    // lower-case; credentials in the URL are never ours.
    if (u.username || u.password) return null;
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function isAppUrl(url: string | null | undefined, origin = APP_ORIGIN): boolean {
  return originOf(url) === origin;
}

/** will-navigate / will-redirect / will-frame-navigate: stay on the app origin. */
export function mayNavigate(url: string, origin = APP_ORIGIN): boolean {
  return isAppUrl(url, origin);
}

/**
 * Requests the renderer may make at all (webRequest.onBeforeRequest). All networking — the
 * platform, updates, the LAN — happens in main; the page gets its own files, data: and blob:
 * URLs for images and camera frames, and devtools' own scheme when devtools are on.
 */
export function mayRendererRequest(url: string, origin = APP_ORIGIN, devTools = false): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:') return true;
  if (devTools && u.protocol === 'devtools:') return true;
  return isAppUrl(url, origin);
}

export interface PermissionRequest {
  permission: string;
  requestingUrl: string | null | undefined;
  isMainFrame: boolean;
  /** For 'media': the kinds asked for ('video', 'audio'). */
  mediaTypes?: readonly string[];
}

/**
 * setPermissionRequestHandler: the camera, for the app's own main frame, video only. Microphone,
 * geolocation, notifications, clipboard, HID, serial, USB, MIDI, screen capture: no.
 */
export function grantPermission(r: PermissionRequest, origin = APP_ORIGIN): boolean {
  if (r.permission !== 'media') return false;
  if (!r.isMainFrame || !isAppUrl(r.requestingUrl, origin)) return false;
  const kinds = r.mediaTypes ?? [];
  return kinds.length > 0 && kinds.every((k) => k === 'video');
}

/**
 * setPermissionCheckHandler: synchronous checks (e.g. enumerateDevices labels). Only 'media'
 * from the app origin; everything else reports denied.
 */
export function permissionCheck(permission: string, requestingOrigin: string | null | undefined, origin = APP_ORIGIN): boolean {
  return permission === 'media' && (requestingOrigin === origin || isAppUrl(requestingOrigin, origin));
}

/** setDevicePermissionHandler, select-hid-device / select-serial-port / select-usb-device: never. */
export function grantDevice(): false {
  return false;
}

export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  control?: boolean;
  alt?: boolean;
  meta?: boolean;
  shift?: boolean;
}

const FREE_KEYS = new Set(['Enter', 'Tab', 'Backspace', 'Delete', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', ' ']);

/**
 * before-input-event: what the kiosk swallows. Function keys (F5 reload, F11 fullscreen, F12
 * devtools), Escape (leaves fullscreen), and any Ctrl/Alt/Meta chord (Ctrl+W, Ctrl+R, Alt+F4,
 * Ctrl+P, zoom keys...). Plain typing, Shift for capitals, and editing keys pass: residents type
 * into forms and the PIN pad. OS-level chords (Ctrl+Alt+Del, VT switch) never reach Electron:
 * that is the kiosk compositor's job (cage).
 */
export function blockKey(i: KeyInput): boolean {
  if (i.control || i.alt || i.meta) return true;
  if (/^F\d{1,2}$/.test(i.key)) return true;
  if (i.key === 'Escape' || i.key === 'ContextMenu' || i.key === 'BrowserBack' || i.key === 'BrowserForward' || i.key === 'BrowserRefresh') return true;
  if (i.key.length === 1 || FREE_KEYS.has(i.key) || i.key === 'Shift' || i.key === 'Unidentified' || i.key === 'Process') return false;
  // Anything else (media keys, BrowserHome, LaunchApp…) has no use on a kiosk.
  return true;
}

/** Chromium switches for the kiosk (appended before `ready`). */
export const KIOSK_SWITCHES: readonly (readonly [string, string?])[] = [
  ['disable-pinch'],
  ['overscroll-history-navigation', '0'],
  ['disable-features', 'Translate,MediaRouter,HardwareMediaKeyHandling'],
  ['autoplay-policy', 'no-user-gesture-required'],
];
