/**
 * Face decisions: enrol with consent, verify 1:1, identify 1:N with a margin (and, for payment,
 * a second factor that narrows the gallery), passive liveness averaged over several frames and an
 * active challenge for payments. Frames are analysed and dropped; only encrypted templates stay.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ground/clock';
import type { Logger } from '../ground/logger';
import { l2normalise } from '../../models/face-engine';
import { qualityHint, type FrameAnalysis, type QualityHint } from '../../models/analyze';
import { encodeJpeg, type Image } from '../../models/image';
import type { FaceAnalyzer } from './analyzer';
import { FaceError } from './analyzer';
import { ChallengeTracker, pickChallenge, type ChallengeKind } from './challenge';
import type { FaceConfig } from './config';
import type { EnrolledPerson, FaceGallery } from './gallery';
import { FACE_POLICIES, type FacePolicy, type FacePurpose } from './policy';
import { FrameHistory, fuseLiveness, headMovedAsHead, type FusedLiveness } from './pad';

export type { FacePurpose } from './policy';

export interface FaceSessionResult {
  purpose: FacePurpose;
  /** enrol: the template id; verify: match; login/pay: the identified person. */
  templateId?: number;
  match?: boolean;
  score?: number;
  person?: EnrolledPerson;
  shortlist?: { score: number }[];
  livenessMean: number;
  liveness?: FusedLiveness;
  /** Head turns: the landmarks' distance from a plane-to-plane mapping (see pad.ts). */
  parallax?: number;
}

export interface FaceProgress {
  sessionId: string;
  state: 'collecting' | 'done' | 'failed';
  hint: QualityHint;
  framesAccepted: number;
  framesNeeded: number;
  challenge: ChallengeKind | null;
  challengeStep: 'start' | 'act' | 'return' | 'done' | null;
  box: { x1: number; y1: number; x2: number; y2: number } | null;
  error: string | null;
  result: FaceSessionResult | null;
}

interface Session {
  id: string;
  purpose: FacePurpose;
  person: EnrolledPerson | null;
  consentId: number | null;
  factor: string | null;
  challenge: ChallengeTracker | null;
  embeddings: Float32Array[];
  liveness: number[];
  history: FrameHistory;
  /** How often each hint was given: why a session that failed could not finish. */
  hints: Partial<Record<QualityHint, number>>;
  /** The head's yaw over the session, rounded: how far the person turned, for the same reason. */
  yaws: number[];
  /** Pay: the person the factor-narrowed gallery pointed to before the challenge ended, once. */
  provisional: EnrolledPerson | null | undefined;
  policy: FacePolicy;
  /** The decision (platform check, enrolment, 1:N) is under way: frames that arrive meanwhile change nothing. */
  deciding: boolean;
  /** The live frame the platform is shown (most live of the frontal ones); memory only, dropped with the session. */
  best: { frame: Image | { jpeg: Uint8Array }; liveness: number } | null;
  frames: number;
  state: FaceProgress['state'];
  error: string | null;
  result: FaceSessionResult | null;
  lastFrameAt: number;
}

/**
 * The platform's answer on a live frame of a person against their reference photo. Throws (with
 * a code) when the platform cannot be asked.
 */
export type PlatformFaceCheck = (person: EnrolledPerson, jpeg: Uint8Array) => Promise<{ match: boolean; score: number | null }>;

/** A payer found before the challenge ended: enough to start work that moves no money. */
export interface ProvisionalPayer {
  sessionId: string;
  person: EnrolledPerson;
}

export class FaceService {
  private readonly sessions = new Map<string, Session>();
  private readonly provisionalListeners = new Set<(p: ProvisionalPayer) => void>();

  /**
   * Called once per payment session when the gallery, narrowed by the second factor, points to
   * one person while the challenge is still running. Only for what moves no money (a 2101
   * pre-settlement, a 1101 look-up): the session may still fail, and then that work is dropped.
   */
  onProvisionalPayer(listener: (p: ProvisionalPayer) => void): () => void {
    this.provisionalListeners.add(listener);
    return () => this.provisionalListeners.delete(listener);
  }

  constructor(
    private readonly analyzer: FaceAnalyzer,
    readonly gallery: FaceGallery,
    private readonly config: FaceConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Null: this terminal cannot reach a platform that confirms faces; enrolment and face-confirmed acts are refused. */
    private readonly platformCheck: PlatformFaceCheck | null = null,
  ) {
    // The technician's cue to ask that person to enrol again; the row holds no clear person data.
    gallery.on('quarantined', (t) => this.log.error('face.template_quarantined', { ...t }));
  }

  get consentTextVersion(): string {
    return this.config.consentTextVersion;
  }

  analyze(frame: Image | { jpeg: Uint8Array }, payment = false): Promise<FrameAnalysis> {
    return this.analyzer.analyze(frame, { detectThreshold: payment ? this.config.paymentDetectThreshold : this.config.detectThreshold });
  }

  hint(a: FrameAnalysis): QualityHint {
    return qualityHint(a, this.config.quality);
  }

  /**
   * Starts collecting frames under `policy` (main's, from policy.ts: the screen cannot choose it).
   * Enrol and verify need the person (from the session's identity); enrol also needs a consent
   * id; pay needs the second factor.
   */
  start(
    purpose: FacePurpose,
    opts: { person?: EnrolledPerson | null; consentId?: number | null; factor?: string | null; policy?: FacePolicy } = {},
  ): FaceProgress {
    const policy = opts.policy ?? FACE_POLICIES[purpose];
    if (policy.identity === 'session' && !opts.person) throw new FaceError('FACE_NO_IDENTITY', 'identify first (card or QR code), then use the face');
    if (policy.consent && !opts.consentId) throw new FaceError('FACE_CONSENT_MISSING', 'face enrolment needs the person’s separate consent');
    if (policy.secondFactor && !opts.factor) throw new FaceError('FACE_SECOND_FACTOR_REQUIRED', 'face payment needs a second factor (last four digits)');
    const s: Session = {
      id: randomUUID(),
      purpose,
      person: opts.person ?? null,
      consentId: opts.consentId ?? null,
      factor: opts.factor ?? null,
      challenge: policy.challenge
        ? new ChallengeTracker(pickChallenge(this.config.challenge.kinds), this.config.challenge.turnDegrees, this.config.challenge.blinkClosed)
        : null,
      embeddings: [],
      liveness: [],
      history: new FrameHistory(),
      hints: {},
      yaws: [],
      provisional: undefined,
      policy,
      deciding: false,
      best: null,
      frames: 0,
      state: 'collecting',
      error: null,
      result: null,
      lastFrameAt: 0,
    };
    this.sessions.set(s.id, s);
    return this.progress(s, 'NO_FACE', null);
  }

  private progress(s: Session, hint: QualityHint, a: FrameAnalysis | null): FaceProgress {
    const b = a?.face?.box;
    return {
      sessionId: s.id,
      state: s.state,
      hint,
      framesAccepted: s.embeddings.length,
      framesNeeded: this.config.livenessFrames,
      challenge: s.challenge?.kind ?? null,
      challengeStep: s.challenge?.progress ?? null,
      box: b ? { x1: b.x1 / a!.width, y1: b.y1 / a!.height, x2: b.x2 / a!.width, y2: b.y2 / a!.height } : null,
      error: s.error,
      result: s.result,
    };
  }

  private fail(s: Session, code: string): void {
    s.state = 'failed';
    s.error = code;
    this.log.info('face.session_failed', {
      purpose: s.purpose,
      code,
      frames: s.frames,
      hints: s.hints,
      yaws: s.yaws.join(' '),
      challengeStep: s.challenge?.progress ?? null,
    });
  }

  /** Feeds one camera frame to a session. Frames faster than the configured rate are skipped. */
  async frame(sessionId: string, frame: Image | { jpeg: Uint8Array }): Promise<FaceProgress> {
    const s = this.sessions.get(sessionId);
    if (!s) throw new FaceError('FACE_SESSION_UNKNOWN', 'no such face session (it may have ended)');
    if (s.state !== 'collecting' || s.deciding) return this.progress(s, 'OK', null);
    const now = this.clock.now();
    // A quarter of the interval's slack: a camera's frames jitter, and dropping the one that came
    // 60 ms after the last at 15 per second would cost a whole frame of the challenge.
    if (now - s.lastFrameAt < 750 / this.config.maxFramesPerSecond) return this.progress(s, 'OK', null);
    s.lastFrameAt = now;
    s.frames++;
    // A camera never sends the same frame twice: a repeat is a still, a frozen feed or a loop.
    const back = s.history.repeatOf('jpeg' in frame ? frame.jpeg : frame.data);
    if (back) {
      this.log.warn('face.replay_suspected', { purpose: s.purpose, frame: s.frames, sameAsFramesBack: back });
      this.fail(s, 'FACE_REPLAY_SUSPECTED');
      return this.progress(s, 'OK', null);
    }
    let a: FrameAnalysis;
    try {
      a = await this.analyze(frame, s.purpose === 'pay');
    } catch (err) {
      // A crashed, hung or closed engine ends this session with its typed code; the next session
      // gets a fresh worker. Any other failure (a frame that is not an image) is the caller's.
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('FACE_ENGINE_')) throw err;
      this.fail(s, code);
      return this.progress(s, 'OK', null);
    }
    if (s.state !== 'collecting' || s.deciding) return this.progress(s, 'OK', null);
    const hint = this.hint(a);
    s.hints[hint] = (s.hints[hint] ?? 0) + 1;
    if (a.face?.quality.pose && s.yaws.length < 200) s.yaws.push(Math.round(a.face.quality.pose.yaw));
    s.challenge?.feed(a);
    // Liveness from every frame that shows the one face well enough, the challenge's turned or
    // blinking frames included; embeddings only from frontal, open-eyed, sharp ones.
    if (a.face && a.face.liveness !== null && ['OK', 'TURN_TO_CAMERA', 'EYES_CLOSED', 'BLURRY'].includes(hint)) s.liveness.push(a.face.liveness);
    if (hint === 'OK' && a.face?.embedding) {
      s.embeddings.push(a.face.embedding);
      if (s.policy.platformConfirm && a.face.liveness !== null && (!s.best || a.face.liveness > s.best.liveness)) s.best = { frame, liveness: a.face.liveness };
    }
    const enough = s.embeddings.length >= this.config.livenessFrames;
    // Clearly not live already (a print, a screen): no need to wait for the challenge.
    const early =
      s.liveness.length >= this.config.livenessFrames ? fuseLiveness(s.liveness, this.config.livenessThreshold, this.config.livenessQuartileThreshold) : null;
    if (s.purpose === 'pay' && s.provisional === undefined && enough && early?.pass && s.challenge && !s.challenge.done) await this.provisionalPayer(s);
    if (early && !early.pass) this.notLive(s, early);
    else if (enough && (!s.challenge || s.challenge.done)) {
      const fused = fuseLiveness(s.liveness, this.config.livenessThreshold, this.config.livenessQuartileThreshold);
      const head =
        s.challenge?.frontal && s.challenge.turned.length ? headMovedAsHead(s.challenge.frontal, s.challenge.turned, this.config.challenge.minParallax) : null;
      if (!fused.pass) this.notLive(s, fused);
      else if (head && !head.pass) {
        this.log.warn('face.planar_motion', { purpose: s.purpose, parallax: +head.residual.toFixed(4), turnedFrames: s.challenge!.turned.length });
        this.fail(s, 'FACE_LIVENESS_FAILED');
      } else {
        // Frames sent at once must not enrol, ask the platform or identify twice.
        s.deciding = true;
        await this.finish(s, fused, head?.residual);
      }
    }
    if (s.state === 'collecting' && s.frames >= this.config.maxSessionFrames)
      this.fail(s, s.challenge && !s.challenge.done && enough ? 'FACE_CHALLENGE_FAILED' : 'FACE_TIMEOUT');
    return this.progress(s, hint, a);
  }

  private notLive(s: Session, fused: FusedLiveness): void {
    this.log.warn('face.liveness_low', {
      purpose: s.purpose,
      mean: +fused.mean.toFixed(3),
      lowerQuartile: +fused.lowerQuartile.toFixed(3),
      frames: fused.frames,
    });
    this.fail(s, 'FACE_LIVENESS_FAILED');
  }

  /** The platform's word on the session's best frame; false (and the session failed) unless it matches. */
  private async confirmWithPlatform(s: Session): Promise<boolean> {
    const best = s.best;
    s.best = null;
    if (!best || !s.person) {
      this.fail(s, 'FACE_TIMEOUT');
      return false;
    }
    if (!this.platformCheck) {
      this.fail(s, 'FACE_PLATFORM_UNAVAILABLE');
      return false;
    }
    const jpeg = 'jpeg' in best.frame ? best.frame.jpeg : encodeJpeg(best.frame, 90);
    try {
      const r = await this.platformCheck(s.person, jpeg);
      this.log.info('face.platform_checked', { purpose: s.purpose, match: r.match, score: r.score === null ? null : +r.score.toFixed(3) });
      if (r.match) return true;
      this.fail(s, 'FACE_REFERENCE_MISMATCH');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      this.log.warn('face.platform_check_failed', { purpose: s.purpose, code: typeof code === 'string' ? code : null });
      this.fail(s, code === 'EC_REFUSED' ? 'FACE_REFERENCE_UNAVAILABLE' : 'FACE_PLATFORM_UNAVAILABLE');
    }
    return false;
  }

  private async provisionalPayer(s: Session): Promise<void> {
    s.provisional = null;
    try {
      const top = await this.identifyPayer(s);
      if (!top || s.state !== 'collecting') return;
      s.provisional = top;
      for (const l of this.provisionalListeners) l({ sessionId: s.id, person: top });
    } catch (err) {
      this.log.warn('face.provisional_failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** 1:N on the mean of the session's embeddings, narrowed by the factor: the one accepted person, or null. */
  private async identifyPayer(s: Session): Promise<EnrolledPerson | null> {
    const list = await this.gallery.identify(this.probe(s), { factor: s.factor, limit: 5, confirmedOnly: true });
    const [top, second] = list;
    return top && top.score >= this.config.identifyThreshold && (!second || top.score - second.score >= this.config.identifyMargin) ? top.person : null;
  }

  private probe(s: Session): Float32Array {
    const sum = new Float32Array(s.embeddings[0]!.length);
    for (const e of s.embeddings) for (let i = 0; i < e.length; i++) sum[i] = sum[i]! + e[i]!;
    return l2normalise(sum);
  }

  private async finish(s: Session, fused: FusedLiveness, parallax?: number): Promise<void> {
    const livenessMean = fused.mean;
    const pad = { liveness: fused, ...(parallax === undefined ? {} : { parallax }) };
    const probe = this.probe(s);
    try {
      if (s.policy.platformConfirm) {
        const ok = await this.confirmWithPlatform(s);
        if (!ok) return;
      }
      if (s.purpose === 'enrol') {
        const templateId = this.gallery.enrol(s.person!, probe, s.consentId!, s.factor, s.policy.platformConfirm ? this.clock.nowIso() : null);
        s.result = { purpose: s.purpose, templateId, livenessMean, ...pad };
      } else if (s.purpose === 'verify') {
        const score = await this.gallery.verify(s.person!, probe);
        s.result = { purpose: s.purpose, match: score >= this.config.verifyThreshold, score, livenessMean, ...pad };
      } else {
        // Payment trusts only faces the platform matched with the payer's reference photo.
        const list = await this.gallery.identify(probe, { factor: s.purpose === 'pay' ? s.factor : null, limit: 5, confirmedOnly: s.purpose === 'pay' });
        const [top, second] = list;
        const accepted = !!top && top.score >= this.config.identifyThreshold && (!second || top.score - second.score >= this.config.identifyMargin);
        s.result = {
          purpose: s.purpose,
          match: accepted,
          score: top?.score ?? 0,
          person: accepted ? top!.person : undefined,
          shortlist: list.map((x) => ({ score: x.score })),
          livenessMean,
          ...pad,
        };
      }
      s.state = 'done';
      this.log.info('face.session_done', {
        purpose: s.purpose,
        match: s.result.match ?? null,
        score: s.result.score ?? null,
        livenessMean,
        livenessLowerQuartile: fused.lowerQuartile,
        parallax: parallax ?? null,
        frames: s.frames,
      });
    } catch (err) {
      this.fail(s, (err as { code?: string }).code ?? 'FACE_FAILED');
    }
  }

  /** Face sessions open now (login, verify, pay or enrolment): the update lock holds while any is. */
  get openSessions(): number {
    return this.sessions.size;
  }

  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  endAll(): void {
    this.sessions.clear();
  }

  async close(): Promise<void> {
    this.sessions.clear();
    await this.analyzer.close();
    await this.gallery.close();
  }
}
