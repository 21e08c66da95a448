/**
 * Verification metrics on the LFW pairs protocol: n-fold accuracy with the threshold chosen on
 * the other folds, EER, and TAR at fixed FAR where the impostor count supports it.
 */
export interface Pair {
  fold: number;
  same: boolean;
  a: { name: string; index: number };
  b: { name: string; index: number };
}

export class PairsError extends Error {
  readonly code = 'PAIRS_INVALID';
}

/** Parses an LFW pairs file: a first line "folds<TAB>n", then per fold n same and n different pairs. */
export function parsePairs(text: string): { folds: number; pairs: Pair[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const head = lines.shift()?.split(/\s+/).map(Number);
  if (!head || head.length !== 2 || !head.every((n) => Number.isInteger(n) && n > 0)) throw new PairsError('first line must be "<folds> <pairs per class>"');
  const [folds, n] = head as [number, number];
  if (lines.length !== folds * n * 2) throw new PairsError(`expected ${folds * n * 2} pair lines, found ${lines.length}`);
  const pairs: Pair[] = lines.map((l, i) => {
    const f = l.split(/\s+/);
    const fold = Math.floor(i / (2 * n));
    const same = i % (2 * n) < n;
    if (same && f.length === 3) return { fold, same, a: { name: f[0]!, index: Number(f[1]) }, b: { name: f[0]!, index: Number(f[2]) } };
    if (!same && f.length === 4) return { fold, same, a: { name: f[0]!, index: Number(f[1]) }, b: { name: f[2]!, index: Number(f[3]) } };
    throw new PairsError(`line ${i + 2} does not fit the ${same ? 'same' : 'different'}-person layout: ${l}`);
  });
  return { folds, pairs };
}

function accuracyAt(scores: { s: number; same: boolean }[], t: number): number {
  let ok = 0;
  for (const x of scores) if (x.s >= t === x.same) ok++;
  return ok / scores.length;
}

function bestThreshold(scores: { s: number; same: boolean }[]): number {
  const cands = [...new Set(scores.map((x) => x.s))].sort((a, b) => a - b);
  let best = 0;
  let bestT = 0;
  for (let i = 0; i < cands.length; i++) {
    const t = i === 0 ? cands[0]! - 1e-6 : (cands[i - 1]! + cands[i]!) / 2;
    const a = accuracyAt(scores, t);
    if (a > best) {
      best = a;
      bestT = t;
    }
  }
  return bestT;
}

export interface VerificationMetrics {
  pairs: number;
  folds: number;
  accuracy: number;
  accuracyStd: number;
  foldAccuracies: number[];
  foldThresholds: number[];
  eer: number;
  eerThreshold: number;
  tarAtFar: { far: number; tar: number | null; threshold: number | null; note?: string }[];
}

export function verificationMetrics(scored: { s: number; same: boolean; fold: number }[], folds: number): VerificationMetrics {
  const foldAccuracies: number[] = [];
  const foldThresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = scored.filter((x) => x.fold !== f);
    const test = scored.filter((x) => x.fold === f);
    const t = bestThreshold(folds === 1 ? test : train);
    foldThresholds.push(t);
    foldAccuracies.push(accuracyAt(test, t));
  }
  const mean = foldAccuracies.reduce((a, b) => a + b, 0) / folds;
  const std = Math.sqrt(foldAccuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / folds);
  const genuine = scored
    .filter((x) => x.same)
    .map((x) => x.s)
    .sort((a, b) => a - b);
  const impostor = scored
    .filter((x) => !x.same)
    .map((x) => x.s)
    .sort((a, b) => a - b);
  // EER: sweep thresholds, take where FAR and FRR cross.
  let eer = 1;
  let eerT = 0;
  let gap = Infinity;
  for (const t of [...genuine, ...impostor]) {
    const far = impostor.filter((s) => s >= t).length / impostor.length;
    const frr = genuine.filter((s) => s < t).length / genuine.length;
    if (Math.abs(far - frr) < gap) {
      gap = Math.abs(far - frr);
      eer = (far + frr) / 2;
      eerT = t;
    }
  }
  const tarAtFar = [1e-3, 1e-4].map((far) => {
    if (impostor.length * far < 1)
      return { far, tar: null, threshold: null, note: `needs at least ${Math.ceil(1 / far)} impostor pairs, has ${impostor.length}` };
    const allowed = Math.floor(impostor.length * far);
    const threshold = impostor[impostor.length - 1 - allowed]! + 1e-9;
    return { far, tar: genuine.filter((s) => s >= threshold).length / genuine.length, threshold };
  });
  return { pairs: scored.length, folds, accuracy: mean, accuracyStd: std, foldAccuracies, foldThresholds, eer, eerThreshold: eerT, tarAtFar };
}
