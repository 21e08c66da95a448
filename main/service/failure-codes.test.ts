/**
 * The technician's screen explains every failure it can meet: each code the service handlers,
 * the device supervisor, the drivers and the face engine can produce must be in the list the
 * screen's texts are checked against (renderer/src/service/failures.test.ts checks the texts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { serviceFailureCodes } from '../bridge/contract/service-failures';

const root = path.resolve(import.meta.dirname, '../..');

/** Where the codes come from; the face engine is the status bar's camera. */
const sources = ['main/service', 'main/devices', 'drivers', 'main/face/analyzer.ts'];

function sourceFiles(rel: string): string[] {
  const full = path.join(root, rel);
  if (fs.statSync(full).isFile()) return [full];
  return fs
    .readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(full, f));
}

/** A code is a quoted SHOUTING_SNAKE literal, or the start of a template such as `PRINTER_OUTCOME_UNKNOWN: …`. */
function codesIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(['"])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1|`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):/g)) found.add(m[2] ?? m[3]!);
  return [...found];
}

it('finds codes in quotes and at the start of a template, and nothing else', () => {
  expect(codesIn("throw new DeviceLost('DEVICE_ABSENT', 'not open'); const x = 'ID_CARD_'; `PRINTER_OUTCOME_UNKNOWN: ${m}`")).toEqual([
    'DEVICE_ABSENT',
    'PRINTER_OUTCOME_UNKNOWN',
  ]);
  expect(codesIn("const s = 'paper-out'; const t = 'GA 467 SAM'; const n = 'A_b'")).toEqual([]);
});

it('every code the service handlers, devices, drivers and face engine produce is in the service failure list', () => {
  const known = new Set<string>(serviceFailureCodes);
  const produced = new Map<string, string>();
  for (const rel of sources)
    for (const file of sourceFiles(rel)) for (const code of codesIn(fs.readFileSync(file, 'utf8'))) produced.set(code, path.relative(root, file));
  // The scan itself must find the codes we know are there, or it proves nothing.
  expect(produced.size).toBeGreaterThan(60);
  for (const code of ['PRINTER_PAPER_OUT', 'PRINTER_COVER_OPEN', 'DEVICE_ABSENT', 'SERVICE_LOCKED', 'ID_SAM_NOT_AUTHORISED', 'FACE_ENGINE_CRASHED'])
    expect(produced.has(code), code).toBe(true);
  const missing = [...produced].filter(([code]) => !known.has(code)).map(([code, file]) => `${code} (${file})`);
  expect(missing, 'codes without an entry in main/bridge/contract/service-failures.ts').toEqual([]);
});
