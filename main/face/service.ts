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
import type { Image } from '../../models/image';
import type { FaceAnalyzer } from './analyzer';
import { FaceError } from './analyzer';
import { ChallengeTracker, pickChallenge, type ChallengeKind } from './challenge';
import type { FaceConfig } from './config';
import type { EnrolledPerson, FaceGallery } from './gallery';

export type FacePurpose = 'enrol' | 'verify' | 'login' | 'pay';

export interface FaceSessionResult {
  purpose: FacePurpose;
  /** enrol: the template id; verify: match; login/pay: the identified person. */
  templateId?: number;
  match?: boolean;
  score?: number;
  person?: EnrolledPerson;
  shortlist?: { score: number }[];
  livenessMean: number;
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
  frames: number;
  state: FaceProgress['state'];
  error: string | null;
  result: FaceSessionResult | null;
  lastFrameAt: number;
}

export class FaceService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly analyzer: FaceAnalyzer,
    readonly gallery: FaceGallery,
    private readonly config: FaceConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
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
   * Starts collecting frames. Enrol and verify need the person (from the session's identity);
   * enrol also needs a consent id; pay needs the second factor and always gets a challenge.
   */
  start(
    purpose: FacePurpose,
    opts: { person?: EnrolledPerson | null; consentId?: number | null; factor?: string | null; challenge?: boolean } = {},
  ): FaceProgress {
    if ((purpose === 'enrol' || purpose === 'verify') && !opts.person)
      throw new FaceError('FACE_NO_IDENTITY', 'identify first (card or QR code), then use the face');
    if (purpose === 'enrol' && !opts.consentId) throw new FaceError('FACE_CONSENT_MISSING', 'face enrolment needs the person’s separate consent');
    if (purpose === 'pay' && !opts.factor) throw new FaceError('FACE_SECOND_FACTOR_REQUIRED', 'face payment needs a second factor (last four digits)');
    const withChallenge = purpose === 'pay' || opts.challenge === true;
    const s: Session = {
      id: randomUUID(),
      purpose,
      person: opts.person ?? null,
      consentId: opts.consentId ?? null,
      factor: opts.factor ?? null,
      challenge: withChallenge
        ? new ChallengeTracker(pickChallenge(this.config.challenge.kinds), this.config.challenge.turnDegrees, this.config.challenge.blinkClosed)
        : null,
      embeddings: [],
      liveness: [],
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
    this.log.info('face.session_failed', { purpose: s.purpose, code, frames: s.frames });
  }

  /** Feeds one camera frame to a session. Frames faster than the configured rate are skipped. */
  async frame(sessionId: string, frame: Image | { jpeg: Uint8Array }): Promise<FaceProgress> {
    const s = this.sessions.get(sessionId);
    if (!s) throw new FaceError('FACE_SESSION_UNKNOWN', 'no such face session (it may have ended)');
    if (s.state !== 'collecting') return this.progress(s, 'OK', null);
    const now = this.clock.now();
    if (now - s.lastFrameAt < 1000 / this.config.maxFramesPerSecond) return this.progress(s, 'OK', null);
    s.lastFrameAt = now;
    s.frames++;
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
    const hint = this.hint(a);
    s.challenge?.feed(a);
    if (hint === 'OK' && a.face?.embedding && a.face.liveness !== null) {
      s.embeddings.push(a.face.embedding);
      s.liveness.push(a.face.liveness);
    }
    const enough = s.embeddings.length >= this.config.livenessFrames;
    if (enough) {
      const mean = s.liveness.reduce((x, y) => x + y, 0) / s.liveness.length;
      if (mean < this.config.livenessThreshold) this.fail(s, 'FACE_LIVENESS_FAILED');
      else if (!s.challenge || s.challenge.done) await this.finish(s, mean);
    }
    if (s.state === 'collecting' && s.frames >= this.config.maxSessionFrames)
      this.fail(s, s.challenge && !s.challenge.done && enough ? 'FACE_CHALLENGE_FAILED' : 'FACE_TIMEOUT');
    return this.progress(s, hint, a);
  }

  private async finish(s: Session, livenessMean: number): Promise<void> {
    const sum = new Float32Array(s.embeddings[0]!.length);
    for (const e of s.embeddings) for (let i = 0; i < e.length; i++) sum[i] = sum[i]! + e[i]!;
    const probe = l2normalise(sum);
    try {
      if (s.purpose === 'enrol') {
        const templateId = this.gallery.enrol(s.person!, probe, s.consentId!, s.factor);
        s.result = { purpose: s.purpose, templateId, livenessMean };
      } else if (s.purpose === 'verify') {
        const score = await this.gallery.verify(s.person!, probe);
        s.result = { purpose: s.purpose, match: score >= this.config.verifyThreshold, score, livenessMean };
      } else {
        const list = await this.gallery.identify(probe, { factor: s.purpose === 'pay' ? s.factor : null, limit: 5 });
        const [top, second] = list;
        const accepted = !!top && top.score >= this.config.identifyThreshold && (!second || top.score - second.score >= this.config.identifyMargin);
        s.result = {
          purpose: s.purpose,
          match: accepted,
          score: top?.score ?? 0,
          person: accepted ? top!.person : undefined,
          shortlist: list.map((x) => ({ score: x.score })),
          livenessMean,
        };
      }
      s.state = 'done';
      this.log.info('face.session_done', { purpose: s.purpose, match: s.result.match ?? null, score: s.result.score ?? null, livenessMean, frames: s.frames });
    } catch (err) {
      this.fail(s, (err as { code?: string }).code ?? 'FACE_FAILED');
    }
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
