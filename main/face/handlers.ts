/**
 * Bridge handlers of the face flows. The screen sends camera frames (JPEG) and gets progress
 * back; identities and embeddings stay in main.
 */
import type { Handlers } from '../bridge/dispatcher';
import { BridgeError, type FaceProgressView } from '../bridge/contract';
import type { FaceService, FaceProgress } from './service';
import type { ResidentSession } from '../session/session';
import type { EnrolledPerson } from './gallery';
import type { Identity } from '../devices/identity';
import type { Clock } from '../ground/clock';
import type { Mode } from '../bridge/contract';
import { facePolicy } from './policy';
import { consentTextVersion, type FaceSharing } from './consent-text';

export function personOf(id: Identity): EnrolledPerson {
  return { certType: id.certType, certNo: id.certNo, idNumber: id.idNumber, name: id.name };
}

function view(p: FaceProgress): FaceProgressView {
  return {
    sessionId: p.sessionId,
    state: p.state,
    hint: p.hint,
    framesAccepted: p.framesAccepted,
    framesNeeded: p.framesNeeded,
    challenge: p.challenge,
    challengeStep: p.challengeStep,
    box: p.box,
    error: p.error,
    result: p.result ? { purpose: p.result.purpose, match: p.result.match ?? null, enrolled: p.result.templateId !== undefined } : null,
  };
}

type FaceHandlers = Pick<Handlers, 'face.status' | 'face.consent' | 'face.start' | 'face.frame' | 'face.cancel' | 'face.delete'>;

/**
 * `mode` is the terminal's, from its config: each purpose's policy (policy.ts) is looked up in main,
 * so a checkout screen cannot start a login, nor a kiosk a payment, and none can skip a challenge.
 */
export interface FaceHandlerOptions {
  loginChallenge: boolean;
  /** Set when enrolments made here are shared with the chain's other terminals (fleet.chain with its key). */
  sharing?: FaceSharing | null;
}

export function faceHandlers(
  face: FaceService | null,
  session: ResidentSession,
  clock: Clock,
  mode: Mode,
  opts: FaceHandlerOptions = { loginChallenge: true },
): FaceHandlers {
  // Only payment enrolments travel to the chain (main/fleet/faces.ts shares what the gallery enrols on a counter).
  const sharing = mode === 'checkout' ? (opts.sharing ?? null) : null;
  const need = () => {
    if (!face) throw new BridgeError('FACE_UNAVAILABLE', 'face recognition is not available on this terminal');
    return face;
  };
  const person = () => {
    const id = session.current;
    if (!id) throw new BridgeError('FACE_NO_IDENTITY', 'identify first (card or QR code), then use the face');
    return personOf(id);
  };
  // The consent given in this session, with its second factor, until the enrolment uses it.
  let pending: { consentId: number; factor: string | null; key: string } | null = null;
  session.on('ended', () => (pending = null));

  return {
    'face.status': () => {
      if (!face) return { enabled: false, enrolled: false, consent: null, sharing: null };
      const id = session.current;
      if (!id) return { enabled: true, enrolled: false, consent: null, sharing };
      const consent = face.gallery.activeConsent(personOf(id));
      return {
        enabled: true,
        enrolled: face.gallery.isEnrolled(personOf(id)),
        consent: consent ? { purpose: consent.purpose, grantedAt: consent.grantedAt } : null,
        sharing,
      };
    },
    'face.consent': (input) => {
      const f = need();
      const p = person();
      const consentId = f.gallery.recordConsent(p, {
        purpose: input.purpose,
        textVersion: consentTextVersion(f.consentTextVersion, input.purpose, input.purpose === 'payment' ? sharing : null),
      });
      pending = { consentId, factor: input.factor ?? null, key: p.idNumber ?? p.certNo };
      return { consentId };
    },
    'face.start': (input) => {
      const f = need();
      const policy = facePolicy(input.purpose, mode, opts);
      session.touch();
      if (input.purpose === 'login') return view(f.start('login', { policy }));
      if (input.purpose === 'pay') return view(f.start('pay', { factor: input.factor ?? null, policy }));
      const p = person();
      if (input.purpose === 'enrol') {
        if (!pending || pending.key !== (p.idNumber ?? p.certNo))
          throw new BridgeError('FACE_CONSENT_MISSING', 'face enrolment needs the person’s separate consent first');
        return view(f.start('enrol', { person: p, consentId: pending.consentId, factor: pending.factor, policy }));
      }
      return view(f.start('verify', { person: p, policy }));
    },
    'face.frame': async (input) => {
      const f = need();
      session.touch();
      const progress = await f.frame(input.sessionId, { jpeg: Buffer.from(input.jpeg, 'base64') });
      if (
        progress.state === 'done' &&
        (progress.result?.purpose === 'login' || progress.result?.purpose === 'pay') &&
        progress.result.person &&
        progress.result.match
      ) {
        const p = progress.result.person;
        session.begin({
          certType: p.certType,
          certNo: p.certNo,
          cardSn: null,
          idNumber: p.idNumber,
          name: p.name,
          provenBy: 'face',
          cardKind: null,
          at: clock.nowIso(),
        });
      }
      if (progress.state === 'done' && progress.result?.purpose === 'verify' && progress.result.match) session.markVerified('face');
      if (progress.state !== 'collecting') f.end(input.sessionId);
      return view(progress);
    },
    'face.cancel': (input) => {
      face?.end(input.sessionId);
      return { ok: true as const };
    },
    'face.delete': () => {
      const f = need();
      return { removed: f.gallery.deletePerson(person()) };
    },
  };
}
