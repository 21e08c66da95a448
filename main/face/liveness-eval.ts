/**
 * Presentation-attack detection measured as ISO/IEC 30107-3 does: whole face sessions through the
 * real decision code (FaceService, a real gallery, the real models), live ones and attacks, and per
 * kind the share decided wrongly: BPCER (live sessions refused) and APCER (attack sessions
 * accepted), with the codes that refused them. Material: LFW persons with a frontal and a turned
 * photo, each scaled to fill the camera frame (the live head turn), the attacks made from that
 * frontal photo (models/liveness-eval.ts): injected and looped camera frames, the photo turned as a
 * print held at arm's length and as a picture filling the frame; and the print and screen samples
 * of faces/spoof. Every session is verify, against the person
 * enrolled from the frontal photo, so an attack that beats detection is also recognised and shows
 * as accepted. Deterministic: fixed noise seeds, one challenge kind per session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { qualityHint } from '../../models/analyze';
import { turnPicture } from '../../models/attacks';
import { decodeImage, type Image } from '../../models/image';
import { fillFrame, headTurnClip, heldPictureClip, injectedStill, loopedClip, placeInFrame } from '../../models/liveness-eval';
import { manifest } from '../../models/manifest';
import { fixedClock, type Clock } from '../ground/clock';
import { silentLogger } from '../ground/logger';
import { openDatabase, type Db } from '../store/database';
import type { FaceAnalyzer } from './analyzer';
import type { ChallengeKind } from './challenge';
import type { FaceConfig } from './config';
import { FaceGallery, type EnrolledPerson } from './gallery';
import { StaticKeyProvider } from './keys';
import { FaceService, type FaceProgress, type PlatformFaceCheck } from './service';

export const LIVENESS_EVAL_DEFAULTS = {
  people: 40,
  /** The frontal photo turned as a picture by these angles (positive: its right edge moves away). */
  turnAngles: [-55, -40, 40, 55],
  /** Attacks held before the camera (faces/README.md): screen and print recaptures. */
  heldPictures: ['silentface_image_F1.jpg', 'silentface_image_F2.jpg', 'vietmoney_fake_001.jpg', 'vietmoney_fake_002.jpg', 'vietmoney_fake_003.jpg'],
  heldFrames: 40,
  /** Live single stills: they cannot answer a challenge, so only their passive score is reported. */
  liveStills: ['silentface_image_T1.jpg', 'vietmoney_true_001.jpg', 'vietmoney_true_002.jpg', 'vietmoney_true_003.png'],
};

/** A frontal photo leaves room for noise within the challenge's neutral band; a turned one clears its 18°. */
const FRONTAL_YAW = 6;
const TURNED_YAW = 20;

export interface LivenessEvalOptions {
  /** Holds lfw-dev/ and spoof/. */
  facesDir: string;
  people?: number;
  turnAngles?: number[];
  heldPictures?: string[];
  heldFrames?: number;
  liveStills?: string[];
  /** One line per person or sample as the run goes (a full run takes minutes). */
  progress?: (line: string) => void;
}

/**
 * Why sessions were refused: FaceService's code, or NO_MATCH (decided live but not recognised as
 * the enrolled person), or CLIP_ENDED (the clip ran out while the service was still collecting,
 * say for a challenge a held picture cannot answer: a real session would go on to
 * FACE_CHALLENGE_FAILED or FACE_TIMEOUT).
 */
export type RefusalCodes = Record<string, number>;

export interface BonaFideTally {
  kind: string;
  sessions: number;
  accepted: number;
  refused: number;
  /** refused / sessions. */
  bpcer: number | null;
  codes: RefusalCodes;
}

export interface AttackTally {
  kind: string;
  sessions: number;
  accepted: number;
  refused: number;
  /** accepted / sessions. */
  apcer: number | null;
  codes: RefusalCodes;
}

/** Single stills scored by the passive model alone (as `estation face liveness` does): not sessions. */
export interface PassiveStills {
  kind: string;
  presentation: 'bona-fide' | 'attack';
  passiveOnly: true;
  stills: number;
  /** Stills whose p(live) reaches config.livenessThreshold. */
  calledLive: number;
  scores: { file: string; liveness: number | null }[];
}

export interface LivenessReport {
  modelVersion: string;
  config: { livenessThreshold: number; livenessQuartileThreshold: number; minParallax: number; turnDegrees: number };
  bonaFide: BonaFideTally;
  attacks: AttackTally[];
  passiveStills: PassiveStills[];
  seconds: number;
}

/**
 * Verify asks the platform to confirm the face against the person's reference photo: another
 * safeguard than the terminal's detection measured here. This stand-in confirms every face, as the
 * real one would confirm a picture of the right person.
 */
const platformConfirmsEveryFace: PlatformFaceCheck = async () => ({ match: true, score: null });

/** How one session ended: null when accepted, else the refusal code. */
type Outcome = string | null;

/** A terminal of its own for the run: a throw-away gallery and one FaceService per challenge kind. */
class EvalTerminal {
  private readonly services = new Map<ChallengeKind, FaceService>();

  private constructor(
    private readonly dir: string,
    private readonly db: Db,
    private readonly gallery: FaceGallery,
    private readonly analyzer: FaceAnalyzer,
    private readonly config: FaceConfig,
    private readonly clock: Clock,
  ) {}

  static open(analyzer: FaceAnalyzer, config: FaceConfig): EvalTerminal {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-eval-liveness-'));
    const db = openDatabase(path.join(dir, 'faces.sqlite'));
    // A second a step: never faster than the service's frame rate, and no wall time in the results.
    const clock = fixedClock('2026-01-05T09:00:00Z', 1000);
    const gallery = new FaceGallery(db, new StaticKeyProvider(randomBytes(32)), clock, {
      modelVersion: manifest.version,
      terminalId: 'EVAL',
      retentionDays: config.retentionDays,
    });
    return new EvalTerminal(dir, db, gallery, analyzer, config, clock);
  }

  /** The session's challenge is fixed so the clip can answer it; everything else is the site's config. */
  private service(kind: ChallengeKind): FaceService {
    let s = this.services.get(kind);
    if (!s) {
      const config = { ...this.config, challenge: { ...this.config.challenge, kinds: [kind] } };
      s = new FaceService(this.analyzer, this.gallery, config, this.clock, silentLogger, platformConfirmsEveryFace);
      this.services.set(kind, s);
    }
    return s;
  }

  enrol(person: EnrolledPerson, embedding: Float32Array): void {
    const consentId = this.gallery.recordConsent(person, { purpose: 'verification', textVersion: this.config.consentTextVersion });
    this.gallery.enrol(person, embedding, consentId, null);
  }

  async present(challenge: ChallengeKind, person: EnrolledPerson, clip: Iterable<Uint8Array>): Promise<Outcome> {
    const face = this.service(challenge);
    const s = face.start('verify', { person });
    let p: FaceProgress = s;
    for (const jpeg of clip) {
      p = await face.frame(s.sessionId, { jpeg });
      if (p.state !== 'collecting') break;
    }
    face.end(s.sessionId);
    if (p.state === 'done') return p.result?.match ? null : 'NO_MATCH';
    if (p.state === 'failed') return p.error ?? 'FACE_FAILED';
    return 'CLIP_ENDED';
  }

  async close(): Promise<void> {
    await this.gallery.close();
    this.db.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface LfwPerson {
  name: string;
  /** The frontal photo filling the camera frame: how a camera sees the person standing before it. */
  frontal: Image;
  /** The same photo as a print held at arm's length, its edges in sight on a grey ground. */
  print: Image;
  embedding: Float32Array;
  turned: Image;
  turnedYaw: number;
}

/**
 * The first `limit` LFW persons (by name) with a frontal photo good enough for the service to
 * collect embeddings from, and a turned one. Nothing is chosen by its liveness score.
 */
async function findPeople(analyzer: FaceAnalyzer, config: FaceConfig, lfwDir: string, limit: number): Promise<LfwPerson[]> {
  const found: LfwPerson[] = [];
  const names = fs
    .readdirSync(lfwDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    if (found.length >= limit) break;
    const files = fs
      .readdirSync(path.join(lfwDir, name))
      .filter((f) => f.endsWith('.jpg'))
      .sort();
    if (files.length < 2) continue;
    let frontal: { img: Image; photo: Image; embedding: Float32Array } | null = null;
    let turned: { img: Image; yaw: number } | null = null;
    for (const file of files) {
      const photo = decodeImage(fs.readFileSync(path.join(lfwDir, name, file)));
      const img = fillFrame(photo);
      const a = await analyzer.analyze(img, { detectThreshold: config.detectThreshold });
      const yaw = a.face?.quality.pose?.yaw;
      if (yaw === undefined) continue;
      const hint = qualityHint(a, config.quality);
      if (!frontal && hint === 'OK' && Math.abs(yaw) < FRONTAL_YAW && a.face!.embedding) frontal = { img, photo, embedding: a.face!.embedding };
      else if (!turned && (hint === 'OK' || hint === 'TURN_TO_CAMERA') && Math.abs(yaw) >= TURNED_YAW) turned = { img, yaw };
      if (frontal && turned) break;
    }
    if (frontal && turned)
      found.push({ name, frontal: frontal.img, print: placeInFrame(frontal.photo), embedding: frontal.embedding, turned: turned.img, turnedYaw: turned.yaw });
  }
  return found;
}

const ATTACK_KINDS = ['injected-still', 'looped-clip', 'turned-picture', 'turned-picture-close', 'print-or-screen'] as const;
type AttackKind = (typeof ATTACK_KINDS)[number];

/** The challenge a turn of this yaw answers, as the pose model reports it. */
const turnFor = (yaw: number): ChallengeKind => (yaw < 0 ? 'turn-left' : 'turn-right');
const rate = (n: number, of: number) => (of ? n / of : null);

function count(outcomes: Outcome[]): { sessions: number; accepted: number; refused: number; codes: RefusalCodes } {
  const codes: RefusalCodes = {};
  for (const o of outcomes) if (o) codes[o] = (codes[o] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(codes).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
  const accepted = outcomes.filter((o) => o === null).length;
  return { sessions: outcomes.length, accepted, refused: outcomes.length - accepted, codes: sorted };
}

function attackTally(kind: string, outcomes: Outcome[]): AttackTally {
  const c = count(outcomes);
  return { kind, sessions: c.sessions, accepted: c.accepted, refused: c.refused, apcer: rate(c.accepted, c.sessions), codes: c.codes };
}

async function passiveStills(
  analyzer: FaceAnalyzer,
  config: FaceConfig,
  kind: string,
  presentation: PassiveStills['presentation'],
  dir: string,
  files: string[],
) {
  const scores: PassiveStills['scores'] = [];
  for (const file of files) {
    const a = await analyzer.analyze(decodeImage(fs.readFileSync(path.join(dir, file))), { embed: false });
    const liveness = a.face?.liveness;
    scores.push({ file, liveness: liveness === undefined || liveness === null ? null : Math.round(liveness * 1e4) / 1e4 });
  }
  const calledLive = scores.filter((s) => s.liveness !== null && s.liveness >= config.livenessThreshold).length;
  return { kind, presentation, passiveOnly: true as const, stills: scores.length, calledLive, scores };
}

export async function evaluateLiveness(analyzer: FaceAnalyzer, config: FaceConfig, opts: LivenessEvalOptions): Promise<LivenessReport> {
  const started = Date.now();
  const d = LIVENESS_EVAL_DEFAULTS;
  const o = {
    people: opts.people ?? d.people,
    turnAngles: opts.turnAngles ?? d.turnAngles,
    heldPictures: opts.heldPictures ?? d.heldPictures,
    heldFrames: opts.heldFrames ?? d.heldFrames,
    liveStills: opts.liveStills ?? d.liveStills,
  };
  const spoofDir = path.join(opts.facesDir, 'spoof');
  const terminal = EvalTerminal.open(analyzer, config);
  try {
    const people = await findPeople(analyzer, config, path.join(opts.facesDir, 'lfw-dev'), o.people);
    const subject = (certNo: string): EnrolledPerson => ({ certType: '02', certNo, idNumber: null, name: null });
    const outcomes: Record<'live' | AttackKind, Outcome[]> = {
      live: [],
      'injected-still': [],
      'looped-clip': [],
      'turned-picture': [],
      'turned-picture-close': [],
      'print-or-screen': [],
    };

    for (const [i, p] of people.entries()) {
      const person = subject(`LFW-${i}`);
      terminal.enrol(person, p.embedding);
      const turn = turnFor(p.turnedYaw);
      const live = await terminal.present(turn, person, headTurnClip(p.frontal, p.turned, 1000 + i));
      const still = await terminal.present(turn, person, injectedStill(p.frontal));
      // A recording of that very live session (same seed, the same bytes) played in a loop.
      const looped = await terminal.present(turn, person, loopedClip(headTurnClip(p.frontal, p.turned, 1000 + i)));
      outcomes.live.push(live);
      outcomes['injected-still'].push(still);
      outcomes['looped-clip'].push(looped);
      const turned: Record<string, string[]> = { 'turned-picture': [], 'turned-picture-close': [] };
      // A print held at arm's length (its edges in sight), and a picture held so close that it fills
      // the frame (a tablet before the lens): each shown flat, then turned as the challenge asks.
      const held = [
        ['turned-picture', p.print, 3000],
        ['turned-picture-close', p.frontal, 5000],
      ] as const;
      for (const [kind, flat, seed] of held) {
        for (const [k, degrees] of o.turnAngles.entries()) {
          const picture = turnPicture(flat, degrees);
          // The attacker turns the picture the way the challenge asks, as far as the pose model sees it.
          const seen = await analyzer.analyze(picture, { embed: false, detectThreshold: config.detectThreshold });
          const outcome = await terminal.present(turnFor(seen.face?.quality.pose?.yaw ?? degrees), person, headTurnClip(flat, picture, seed + 10 * i + k));
          outcomes[kind].push(outcome);
          turned[kind]!.push(`${degrees}° ${outcome ?? 'accepted'}`);
        }
      }
      opts.progress?.(
        `${i + 1}/${people.length} ${p.name}: live ${live ?? 'accepted'}; still ${still ?? 'accepted'}; loop ${looped ?? 'accepted'}; ` +
          `turned print ${turned['turned-picture']!.join(', ')}; turned close ${turned['turned-picture-close']!.join(', ')}`,
      );
    }

    for (const [j, file] of o.heldPictures.entries()) {
      const img = placeInFrame(decodeImage(fs.readFileSync(path.join(spoofDir, file))));
      const person = subject(`SPOOF-${j}`);
      // Enrolled from the picture itself: the attacker holds up a picture of the enrolled person.
      const embedding = (await analyzer.analyze(img, { detectThreshold: config.detectThreshold })).face?.embedding;
      if (embedding) terminal.enrol(person, embedding);
      const outcome = await terminal.present('turn-left', person, heldPictureClip(img, o.heldFrames, 4000 + j));
      outcomes['print-or-screen'].push(outcome);
      opts.progress?.(`${file}: ${outcome ?? 'accepted'}`);
    }

    const live = count(outcomes.live);
    return {
      modelVersion: manifest.version,
      config: {
        livenessThreshold: config.livenessThreshold,
        livenessQuartileThreshold: config.livenessQuartileThreshold,
        minParallax: config.challenge.minParallax,
        turnDegrees: config.challenge.turnDegrees,
      },
      bonaFide: {
        kind: 'live',
        sessions: live.sessions,
        accepted: live.accepted,
        refused: live.refused,
        bpcer: rate(live.refused, live.sessions),
        codes: live.codes,
      },
      attacks: ATTACK_KINDS.map((kind) => attackTally(kind, outcomes[kind])),
      passiveStills: [
        await passiveStills(analyzer, config, 'live-still-samples', 'bona-fide', spoofDir, o.liveStills),
        await passiveStills(analyzer, config, 'print-or-screen-stills', 'attack', spoofDir, o.heldPictures),
      ],
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await terminal.close();
  }
}
