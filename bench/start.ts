/**
 * Start-up benchmark (npm run bench:start). Prints JSON: the time from spawning
 * `estation start --headless` (embedded defaults: SQLite file, simulated devices on PTYs, embedded
 * platform simulator, face engine) to its ready line on stdout, on a fresh data directory each time
 * and on a restart of an existing one; and when the face engine reported its models loaded (it
 * loads in its own process, off the way to ready).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 6);

async function once(dataDir: string): Promise<{ readyMs: number; faceEngineMs: number | null }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/estation.js'), 'start', '--headless', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const readyMs = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('{"event":"ready"')) resolve(performance.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`estation start exited with ${code}`)));
  });
  // The engine's readiness is in the log; give it 30 s.
  let faceEngineMs: number | null = null;
  const logs = path.join(dataDir, 'logs');
  const deadline = Date.now() + 30_000;
  while (faceEngineMs === null && Date.now() < deadline) {
    const text = fs.existsSync(logs)
      ? fs
          .readdirSync(logs)
          .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
          .join('')
      : '';
    if (text.includes('"face.engine_ready"')) faceEngineMs = performance.now() - t0;
    else if (text.includes('"face.engine_failed"')) break;
    else await new Promise((r) => setTimeout(r, 20));
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { readyMs, faceEngineMs };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    median: +(s[Math.floor(s.length / 2)] ?? NaN).toFixed(0),
    p95: +(s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN).toFixed(0),
    min: +(s[0] ?? NaN).toFixed(0),
    n: s.length,
  };
};

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-bench-start-'));
// One start to warm the transpile cache and the page cache, not counted.
await once(path.join(base, 'warm'));
const fresh: number[] = [];
const restart: number[] = [];
const face: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = path.join(base, `run${i}`);
  const a = await once(dir);
  fresh.push(a.readyMs);
  if (a.faceEngineMs !== null) face.push(a.faceEngineMs);
  restart.push((await once(dir)).readyMs);
}
fs.rmSync(base, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify(
    {
      benchmark: 'start',
      cores: os.cpus().length,
      freshDataDirToReadyMs: stats(fresh),
      restartToReadyMs: stats(restart),
      toFaceEngineLoadedMs: stats(face),
    },
    null,
    2,
  ) + '\n',
);
