import { useEffect, useState } from 'react';
import type { SessionView } from '../../../main/bridge/contract';
import type { FaceOutcome } from '../face/FaceCapture';
import type { ServiceName } from './services/catalogue';
import type { CatalogueCategory } from './services/form';

export type Screen =
  | { name: 'attract' }
  | { name: 'identify' }
  | { name: 'home' }
  | { name: 'face-consent' }
  | { name: 'face-enrol' }
  | { name: 'face-login' }
  | { name: 'pin'; then: ServiceName }
  | { name: 'service'; service: ServiceName }
  | { name: 'form'; id: string }
  | { name: 'catalogue'; category: CatalogueCategory | null }
  | { name: 'agent' }
  | { name: 'message'; text: string; tone: 'ok' | 'error'; next: 'home' | 'identify' };

export type StepKey = 'identify' | 'choose' | 'fill' | 'verify' | 'result' | 'view';

/** Where the resident stands in a transaction: the steps it has (at most five) and the current one. */
export interface Steps {
  steps: StepKey[];
  at: number;
}

/**
 * The steps of what the resident is doing on `screen` (第 n 步 / 共 N 步): identify, choose the
 * service, then what the service needs — its form (`tail`, reported by the form itself), a
 * verification, the result. null where the screen is no step of a transaction (attract, messages).
 */
export function stepsFor(screen: Screen, identified: boolean, tail: { steps: StepKey[]; at: StepKey } | null): Steps | null {
  const head: StepKey[] = identified ? ['identify', 'choose'] : ['choose'];
  switch (screen.name) {
    case 'identify':
    case 'face-login':
      return { steps: ['identify', 'choose', 'result'], at: 0 };
    case 'home':
    case 'catalogue':
      return { steps: [...head, 'result'], at: head.length - 1 };
    case 'pin':
      return { steps: ['identify', 'choose', 'verify', 'view'], at: 2 };
    case 'service':
      // A service that only shows is one step; one that has steps of its own (a new 个人信息授权) says which.
      if (!tail) return { steps: [...head, 'view'], at: head.length };
      return withTail(head, tail);
    case 'form':
      return withTail(head, tail ?? { steps: ['fill', 'result'], at: 'fill' });
    default:
      return null;
  }
}

function withTail(head: StepKey[], tail: { steps: StepKey[]; at: StepKey }): Steps {
  const steps = [...head, ...tail.steps].slice(0, 5);
  return { steps, at: Math.max(0, steps.lastIndexOf(tail.at)) };
}

/** Services that show money or medical history: a social-security card holder confirms with the PIN. */
export const PIN_PROTECTED: ServiceName[] = ['account', 'records', 'cumulative'];

/** Where a service tile leads: a card holder opening a protected service enters the PIN first, once per session. */
export function screenForService(service: ServiceName, session: SessionView | null, pinConfirmed: boolean): Screen {
  if (PIN_PROTECTED.includes(service) && session?.provenBy === 'ss-card' && !pinConfirmed) return { name: 'pin', then: service };
  return { name: 'service', service };
}

/**
 * A session starting (card, QR, face) opens the services; its end returns to the attract screen.
 * A message stays up when the session ends so the person can still read it. Returns `screen`
 * itself when nothing changes, so React skips the render.
 */
export function screenForSession(screen: Screen, session: SessionView | null): Screen {
  const identifying = screen.name === 'attract' || screen.name === 'identify' || screen.name === 'face-login';
  if (session) return identifying ? { name: 'home' } : screen;
  return identifying || screen.name === 'message' ? screen : { name: 'attract' };
}

/** OK on a message: home only while someone is still identified, else back to identifying. */
export function screenAfterMessage(next: 'home' | 'identify', session: SessionView | null): Screen {
  return session && next === 'home' ? { name: 'home' } : { name: 'identify' };
}

/**
 * Where a finished face capture leads; null when a recognised face logs in, because the session
 * main then starts is what moves the kiosk home (screenForSession).
 */
export function screenAfterFace(
  capture: 'face-enrol' | 'face-login',
  outcome: FaceOutcome,
  text: { enrolled: string; notRecognised: string; failed: string },
): Screen | null {
  if (capture === 'face-enrol') {
    return outcome.state === 'done' && outcome.enrolled
      ? { name: 'message', text: text.enrolled, tone: 'ok', next: 'home' }
      : { name: 'message', text: text.failed, tone: 'error', next: 'home' };
  }
  if (outcome.state === 'done' && outcome.match) return null;
  return { name: 'message', text: outcome.state === 'done' ? text.notRecognised : text.failed, tone: 'error', next: 'identify' };
}

/** The kiosk's screen as it follows the session, and the PIN confirmation that belongs to that session. */
export function useKioskNavigation(session: SessionView | null): {
  screen: Screen;
  setScreen: (screen: Screen) => void;
  open: (service: ServiceName) => void;
  pinAccepted: (service: ServiceName) => void;
} {
  const [screen, setScreen] = useState<Screen>({ name: 'attract' });
  const [pinConfirmed, setPinConfirmed] = useState(false);
  // A PIN confirmed by one card holder must not open the protected services for the next.
  useEffect(() => setPinConfirmed(false), [session?.startedAt]);
  useEffect(() => setScreen((s) => screenForSession(s, session)), [session]);
  return {
    screen,
    setScreen,
    open: (service) => setScreen(screenForService(service, session, pinConfirmed)),
    pinAccepted: (service) => {
      setPinConfirmed(true);
      setScreen({ name: 'service', service });
    },
  };
}
