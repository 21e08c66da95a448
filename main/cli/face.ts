/**
 * `estation face …` and `estation models …`: detect, compare, evaluate on LFW pairs, passive
 * liveness of a still, presentation-attack detection over whole sessions, and obtaining the models.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cosine } from '../../models/face-engine';
import { decodeImage } from '../../models/image';
import { parsePairs, verificationMetrics } from '../../models/evaluate';
import { checkModels, manifest, modelsDir } from '../../models/manifest';
import { obtainModels } from '../../models/obtain';
import { LocalAnalyzer } from '../face/analyzer';
import { evaluateLiveness, type LivenessReport } from '../face/liveness-eval';
import { qualityHint } from '../../models/analyze';
import type { Config } from '../app/config';
import { CliFailure } from './devices';

type Out = (text: string) => void;

function readImage(p: string) {
  if (!fs.existsSync(p)) throw new CliFailure('IMAGE_NOT_FOUND', `no such file: ${p}`);
  return decodeImage(fs.readFileSync(p));
}

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

export async function faceCommand(argv: string[], loadConfig: (file?: string) => Config, out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
      pairs: { type: 'string' },
      images: { type: 'string' },
      threshold: { type: 'string' },
      faces: { type: 'string' },
      people: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig(values.config);
  const face = config.face;
  const emit = (value: unknown, text: string) => out(values.json ? JSON.stringify(value, null, 2) + '\n' : text + '\n');
  const facesDir = path.resolve(values.faces ?? process.env.ESTATION_FACES_DIR ?? path.join(import.meta.dirname, '../../../shared/faces'));
  if (sub === 'eval-liveness' && !['lfw-dev', 'spoof'].every((d) => fs.existsSync(path.join(facesDir, d))))
    throw new CliFailure('FACES_NOT_FOUND', `no lfw-dev/ and spoof/ in ${facesDir} (--faces DIR or ESTATION_FACES_DIR)`, 66);
  const people = values.people === undefined ? undefined : Number(values.people);
  if (people !== undefined && !(Number.isInteger(people) && people > 0))
    throw new CliFailure('CLI_USAGE', `--people must be a positive integer, got ${values.people}`, 64);
  const analyzer = await LocalAnalyzer.create({ intraOpNumThreads: face.intraOpNumThreads });
  try {
    switch (sub) {
      case 'detect': {
        const file = positionals[0];
        if (!file) throw new CliFailure('CLI_USAGE', 'usage: estation face detect IMAGE', 64);
        const img = readImage(file);
        const a = await analyzer.analyze(img, { embed: false, detectThreshold: face.detectThreshold });
        const hint = qualityHint(a, face.quality);
        const main = a.face;
        emit(
          {
            image: file,
            width: a.width,
            height: a.height,
            faces: a.boxes.map((b) => ({ box: [round(b.x1, 1), round(b.y1, 1), round(b.x2, 1), round(b.y2, 1)], score: round(b.score) })),
            main: main
              ? {
                  box: [main.box.x1, main.box.y1, main.box.x2, main.box.y2].map((v) => round(v, 1)),
                  landmarks68: main.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
                  quality: main.quality,
                  liveness: main.liveness === null ? null : round(main.liveness),
                }
              : null,
            hint,
            timingsMs: Object.fromEntries(Object.entries(a.timings).map(([k, v]) => [k, round(v, 2)])),
          },
          `${a.boxes.length} face(s); ${hint}`,
        );
        return 0;
      }
      case 'compare': {
        const [fa, fb] = positionals;
        if (!fa || !fb) throw new CliFailure('CLI_USAGE', 'usage: estation face compare IMAGE_A IMAGE_B', 64);
        const [a, b] = [await analyzer.analyze(readImage(fa), { pick: 'central' }), await analyzer.analyze(readImage(fb), { pick: 'central' })];
        if (!a.face || !b.face) throw new CliFailure('FACE_NOT_FOUND', `no face in ${!a.face ? fa : fb}`);
        const threshold = values.threshold ? Number(values.threshold) : face.verifyThreshold;
        const score = cosine(a.face.embedding!, b.face.embedding!);
        emit(
          { a: fa, b: fb, score: round(score), threshold, samePerson: score >= threshold },
          `score ${score.toFixed(4)}: ${score >= threshold ? 'same person' : 'different people'} at ${threshold}`,
        );
        return 0;
      }
      case 'liveness': {
        const file = positionals[0];
        if (!file) throw new CliFailure('CLI_USAGE', 'usage: estation face liveness IMAGE', 64);
        const a = await analyzer.analyze(readImage(file), { embed: false });
        if (!a.face) throw new CliFailure('FACE_NOT_FOUND', `no face in ${file}`);
        const live = a.face.liveness!;
        emit(
          {
            image: file,
            liveness: round(live),
            threshold: face.livenessThreshold,
            live: live >= face.livenessThreshold,
            eyes: a.face.quality.eyes,
            pose: a.face.quality.pose,
          },
          `p(live) = ${live.toFixed(4)}: ${live >= face.livenessThreshold ? 'live' : 'attack'}`,
        );
        return 0;
      }
      case 'eval': {
        if (!values.pairs || !values.images) throw new CliFailure('CLI_USAGE', 'usage: estation face eval --pairs PAIRS.txt --images DIR', 64);
        const { folds, pairs } = parsePairs(fs.readFileSync(values.pairs, 'utf8'));
        const cache = new Map<string, Float32Array | null>();
        const started = Date.now();
        let missing = 0;
        const emb = async (name: string, index: number) => {
          const rel = path.join(name, `${name}_${String(index).padStart(4, '0')}.jpg`);
          if (!cache.has(rel)) {
            const a = await analyzer.analyze(readImage(path.join(values.images!, rel)), { pick: 'central', liveness: false, eyes: false, pose: false });
            let e = a.face?.embedding ?? null;
            if (!e) {
              const retry = await analyzer.analyze(readImage(path.join(values.images!, rel)), {
                pick: 'central',
                liveness: false,
                eyes: false,
                pose: false,
                detectThreshold: 0.3,
              });
              e = retry.face?.embedding ?? null;
            }
            if (!e) missing++;
            cache.set(rel, e);
          }
          return cache.get(rel)!;
        };
        const scored: { s: number; same: boolean; fold: number }[] = [];
        for (const p of pairs) {
          const a = await emb(p.a.name, p.a.index);
          const b = await emb(p.b.name, p.b.index);
          scored.push({ s: a && b ? cosine(a, b) : -1, same: p.same, fold: p.fold });
        }
        const m = verificationMetrics(scored, folds);
        emit(
          {
            ...m,
            images: cache.size,
            imagesWithoutFace: missing,
            seconds: (Date.now() - started) / 1000,
            pipeline: 'ultraface-rfb320 / 68pt sdk crop / 5-pt similarity / mobilefacenet BGR / cosine',
            modelVersion: manifest.version,
          },
          `accuracy ${(m.accuracy * 100).toFixed(2)}% ± ${(m.accuracyStd * 100).toFixed(2)} over ${m.folds} folds (${m.pairs} pairs); EER ${(m.eer * 100).toFixed(2)}% at ${m.eerThreshold.toFixed(3)}`,
        );
        return 0;
      }
      case 'eval-liveness': {
        const report = await evaluateLiveness(analyzer, face, { facesDir, people, progress: (line) => process.stderr.write(`eval-liveness: ${line}\n`) });
        emit(report, livenessReportText(report));
        return 0;
      }
      default:
        throw new CliFailure('CLI_USAGE', `unknown face command: ${String(sub)} (detect, compare, liveness, eval, eval-liveness)`, 64);
    }
  } finally {
    await analyzer.close();
  }
}

const percent = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const codeList = (codes: Record<string, number>) =>
  Object.entries(codes)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ') || 'none refused';

function livenessReportText(r: LivenessReport): string {
  const b = r.bonaFide;
  return [
    `${b.kind.padEnd(22)} bona fide  ${b.sessions} sessions, ${b.refused} refused: BPCER ${percent(b.bpcer)} (${codeList(b.codes)})`,
    ...r.attacks.map((a) => `${a.kind.padEnd(22)} attack     ${a.sessions} sessions, ${a.accepted} accepted: APCER ${percent(a.apcer)} (${codeList(a.codes)})`),
    ...r.passiveStills.map(
      (p) =>
        `${p.kind.padEnd(22)} ${p.presentation.padEnd(10)} passive only: ${p.calledLive} of ${p.stills} stills called live at ${r.config.livenessThreshold} (p(live) ${p.scores.map((s) => s.liveness?.toFixed(2) ?? 'no face').join(' ')})`,
    ),
  ].join('\n');
}

export async function modelsCommand(argv: string[], out: Out): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, strict: true });
  if (sub === 'obtain') {
    const r = obtainModels(modelsDir(), (s) => process.stderr.write(`models: ${s}\n`));
    out(values.json ? JSON.stringify(r) + '\n' : r.alreadyPresent ? 'models already present and verified\n' : `installed ${r.installed.join(', ')}\n`);
    return 0;
  }
  if (sub === 'list' || sub === undefined) {
    const checks = checkModels();
    out(
      values.json
        ? JSON.stringify({ version: manifest.version, dir: modelsDir(), source: manifest.source, models: checks }, null, 2) + '\n'
        : checks.map((c) => `${c.status.padEnd(13)} ${c.name} ${c.file}`).join('\n') + '\n',
    );
    return checks.every((c) => c.status === 'verified') ? 0 : 1;
  }
  throw new CliFailure('CLI_USAGE', `unknown models command: ${sub} (list, obtain)`, 64);
}
