#!/usr/bin/env node
/**
 * `npm test`: format check (Prettier), lint, typecheck, build (including the Electron shell, without its binary), unit
 * tests (Vitest) and end-to-end tests (Playwright + Debian's Chromium). Ends with one plain line:
 * `N passed, N failed` (and `, N skipped` when any were skipped).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'test-output');
fs.mkdirSync(out, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
/** The first lines of why a test failed, without colour codes: the end of the log is what a reader of CI sees first. */
const reason = (text) =>
  String(text ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 6)
    .map((l) => `      ${l.slice(0, 300)}`)
    .join('\n');

function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${[path.basename(cmd), ...args].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${name} finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${r.status}`);
  return r.status === 0;
}

function check(name, ok) {
  if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(name);
  }
}

check('format', step('format', bin('prettier'), ['--check', '.', '--log-level', 'warn']));
check('lint', step('lint', bin('eslint'), ['.', '--max-warnings', '0']));
check('typecheck', step('typecheck', bin('tsc'), ['-b']));
const built = step('build', 'npm', ['run', 'build']);
check('build', built);

const vitestJson = path.join(out, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const unitOk = step('unit', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (fs.existsSync(vitestJson)) {
  const r = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  for (const f of r.testResults)
    for (const a of f.assertionResults) if (a.status === 'failed') failures.push(`${a.fullName}\n${reason(a.failureMessages?.join('\n'))}`);
  // A file that failed to load has no assertion results but fails the run.
  if (!unitOk && r.numFailedTests === 0) check('unit test files', false);
} else check('unit (no report)', false);

const pwJson = path.join(out, 'playwright.json');
fs.rmSync(pwJson, { force: true });
if (built) {
  const e2eOk = step('e2e', bin('playwright'), ['test'], { PW_JSON_OUTPUT: pwJson });
  if (fs.existsSync(pwJson)) {
    const r = JSON.parse(fs.readFileSync(pwJson, 'utf8'));
    const s = r.stats;
    passed += s.expected + (s.flaky ?? 0);
    failed += s.unexpected;
    skipped += s.skipped;
    const walk = (suite) => {
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests)
          for (const res of t.results) {
            if (t.status === 'skipped') {
              const reasons = t.annotations.filter((a) => a.type === 'skip' || a.type === 'fixme').map((a) => a.description);
              // Playwright marks a test it never started (after a failure in a serial group) as skipped.
              console.log(`skipped: ${spec.title} (${reasons.join('; ') || 'not run: an earlier test in its serial group failed'})`);
            } else if (t.status === 'unexpected' && res === t.results[0]) failures.push(`e2e: ${spec.title}\n${reason(res.error?.message)}`);
          }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of r.suites) walk(suite);
    if (!e2eOk && s.unexpected === 0) check('e2e run', false);
  } else check('e2e (no report)', false);
} else check('e2e (not run: build failed)', false);

if (failures.length) {
  console.log('\nfailed:');
  for (const f of failures) console.log(`  - ${f}`);
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
