/**
 * Staged rollouts (issue 19 item 5), the server's side as a pure planner: a package goes to a
 * group's terminals in waves (a canary share first, then each wave `growth` times the last), the
 * next wave starts only when the current one has finished, and the rollout aborts when failures
 * pass a share after a minimum number of finished terminals (AWS IoT jobs' abortConfig, hawkBit's
 * error condition). A terminal that failed a version is never sent it again by this rollout, and
 * nothing is sent after an abort.
 */
/** `cancelled`: the job was recalled (its rollout aborted) before the terminal switched. */
export type TerminalUpdateState = 'pending' | 'sent' | 'committed' | 'failed' | 'rolled-back' | 'refused' | 'cancelled';

export interface RolloutPolicy {
  /** Share of the targets in the first wave, in percent (at least one terminal). */
  canaryPercent: number;
  /** Each later wave is this many times the previous one. */
  growth: number;
  /** Abort once at least `minFinished` terminals finished and failures reach `failurePercent` of them. */
  abort: { failurePercent: number; minFinished: number };
}

export interface RolloutState {
  /** Targets in order (the console lists them by group, then id). */
  targets: string[];
  states: Record<string, TerminalUpdateState>;
  /** Sizes of the waves sent so far. */
  waves: number[];
  aborted: boolean;
}

const FINISHED: TerminalUpdateState[] = ['committed', 'failed', 'rolled-back', 'refused'];
const FAILED: TerminalUpdateState[] = ['failed', 'rolled-back'];

export function validatePolicy(p: RolloutPolicy): string[] {
  const problems: string[] = [];
  if (!(p.canaryPercent > 0 && p.canaryPercent <= 100)) problems.push('canaryPercent: more than 0, at most 100');
  if (!(p.growth >= 1 && p.growth <= 10)) problems.push('growth: 1 to 10');
  if (!(p.abort.failurePercent > 0 && p.abort.failurePercent <= 100)) problems.push('abort.failurePercent: more than 0, at most 100');
  if (!(Number.isInteger(p.abort.minFinished) && p.abort.minFinished >= 1)) problems.push('abort.minFinished: a whole number, at least 1');
  return problems;
}

export function newRollout(targets: string[]): RolloutState {
  return { targets: [...new Set(targets)], states: Object.fromEntries([...new Set(targets)].map((t) => [t, 'pending' as const])), waves: [], aborted: false };
}

export function summary(s: RolloutState) {
  const count = (list: TerminalUpdateState[]) => s.targets.filter((t) => list.includes(s.states[t]!)).length;
  const finished = count(FINISHED);
  const failed = count(FAILED);
  return {
    targets: s.targets.length,
    pending: count(['pending']),
    sent: count(['sent']),
    committed: count(['committed']),
    failed,
    refused: count(['refused']),
    cancelled: count(['cancelled']),
    finished,
    done: !s.aborted && finished === s.targets.length,
  };
}

/** Whether the failures so far call for an abort. */
export function shouldAbort(s: RolloutState, p: RolloutPolicy): boolean {
  const { finished, failed } = summary(s);
  return finished >= p.abort.minFinished && (failed / finished) * 100 >= p.abort.failurePercent;
}

/**
 * The next step: abort (and send nothing more), or the terminals of the next wave (possibly none,
 * while the current wave is still running or when all are done). Returns a new state; the caller
 * sends the job to `send` and stores the state.
 */
export function nextWave(s: RolloutState, p: RolloutPolicy): { state: RolloutState; send: string[] } {
  if (s.aborted) return { state: s, send: [] };
  if (shouldAbort(s, p)) return { state: { ...s, aborted: true }, send: [] };
  if (s.targets.some((t) => s.states[t] === 'sent')) return { state: s, send: [] };
  const pending = s.targets.filter((t) => s.states[t] === 'pending');
  if (!pending.length) return { state: s, send: [] };
  const last = s.waves.at(-1);
  const size = last === undefined ? Math.max(1, Math.ceil((s.targets.length * p.canaryPercent) / 100)) : Math.max(last + 1, Math.ceil(last * p.growth));
  const send = pending.slice(0, size);
  const states = { ...s.states };
  for (const t of send) states[t] = 'sent';
  return { state: { ...s, states, waves: [...s.waves, send.length] }, send };
}

/** A terminal's report, applied: only a terminal that was sent the job can finish it. */
export function record(s: RolloutState, terminal: string, outcome: Exclude<TerminalUpdateState, 'pending' | 'sent'>): RolloutState {
  if (s.states[terminal] !== 'sent') return s;
  return { ...s, states: { ...s.states, [terminal]: outcome } };
}
