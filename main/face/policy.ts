/**
 * What each face purpose may do and what it must prove, decided in main. The screen names the
 * flow it is in; it cannot make a payment a login, skip the challenge, or use a purpose the
 * terminal's mode does not have. Declarations, so a region can tighten them; `face.loginChallenge`
 * is the one switch a site may loosen (kiosk look-ups only, never consent or payment).
 */
import type { Mode } from '../bridge/contract';
import { FaceError } from './analyzer';

export type FacePurpose = 'enrol' | 'verify' | 'login' | 'pay';

export interface FacePolicy {
  /** Terminal modes that offer this purpose at all. */
  modes: readonly Mode[];
  /** Whose face: the identified person of the session (1:1), or found in the gallery (1:N). */
  identity: 'session' | 'gallery';
  /** An active challenge (blink or head turn) with passive liveness fused over its frames. */
  challenge: boolean;
  /** A second factor (last four phone digits) narrows the gallery before 1:N. */
  secondFactor: boolean;
  /** Needs the person's separate consent recorded first. */
  consent: boolean;
  /**
   * The platform confirms the face against the person's reference photo before it counts: whoever
   * holds a card must not be able to enrol their own face under it, or authorise with it.
   */
  platformConfirm: boolean;
  /** Why: what a success lets happen, shown in logs and the threat model. */
  grants: string;
}

export const FACE_POLICIES: Readonly<Record<FacePurpose, FacePolicy>> = {
  login: {
    modes: ['kiosk'],
    identity: 'gallery',
    challenge: true,
    secondFactor: false,
    consent: false,
    platformConfirm: false,
    grants: 'look-ups of the person’s own records',
  },
  verify: {
    modes: ['kiosk'],
    identity: 'session',
    challenge: true,
    secondFactor: false,
    consent: false,
    platformConfirm: true,
    grants: 'confirms an authorisation or a family binding of the identified person',
  },
  enrol: {
    modes: ['kiosk', 'checkout'],
    identity: 'session',
    challenge: true,
    secondFactor: false,
    consent: true,
    platformConfirm: true,
    grants: 'stores a template that later logs in or pays',
  },
  pay: {
    modes: ['checkout'],
    identity: 'gallery',
    challenge: true,
    secondFactor: true,
    consent: false,
    platformConfirm: false,
    grants: 'identifies the payer of a settlement',
  },
};

/** The policy of `purpose` on a terminal in `mode`, with the site's one allowed loosening applied. */
export function facePolicy(purpose: FacePurpose, mode: Mode, opts: { loginChallenge: boolean } = { loginChallenge: true }): FacePolicy {
  const p = FACE_POLICIES[purpose];
  if (!p) throw new FaceError('FACE_PURPOSE_NOT_ALLOWED', `unknown face purpose`);
  if (!p.modes.includes(mode)) throw new FaceError('FACE_PURPOSE_NOT_ALLOWED', `a ${mode} terminal does not offer face ${purpose}`);
  return purpose === 'login' && !opts.loginChallenge ? { ...p, challenge: false } : p;
}
