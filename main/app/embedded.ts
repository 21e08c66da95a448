/**
 * What the embedded defaults bring from fixtures/: the platform simulator on a loopback port and
 * the seed drug catalogue. The only place in main/ (besides tests) that reaches into fixtures/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { DrugCatalogue } from '../policy/catalogue';

export type { PlatformSimulator };

/**
 * Where the embedded simulator keeps its own database: beside the terminal's data directory, not
 * in it. It stands for the insurance platform, whose records (every resident's full identity)
 * are no part of the terminal's data.
 */
export function embeddedPlatformDbFile(dataDir: string): string {
  return path.join(`${dataDir.replace(/[/\\]+$/, '')}-platform-sim`, 'platform.sqlite');
}

/**
 * The simulator's residents' reference photos (what the platform compares an enrolment with):
 * `ESTATION_SIM_REFERENCE_PHOTOS` names a JSON file `{ "<ID number>": "<photo file>" }`. Tests
 * give it pictures from ../shared/faces; without it the simulator has no photos and refuses face
 * enrolment, as a platform without a person's photo would.
 */
export function simReferencePhotos(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const file = env.ESTATION_SIM_REFERENCE_PHOTOS;
  if (!file) return {};
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!v || typeof v !== 'object' || Object.values(v).some((x) => typeof x !== 'string'))
    throw new Error(`${file}: expected an object of ID number -> photo file`);
  return v as Record<string, string>;
}

export function startEmbeddedPlatform(opts: Parameters<typeof startPlatformSimulator>[0] = {}): Promise<PlatformSimulator> {
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true, mode: 0o700 });
  return startPlatformSimulator({ referencePhotos: simReferencePhotos(), ...opts });
}

/** The drug catalogue of the embedded setup (seed data); a deployment supplies its own. */
export const seedCatalogue = (): DrugCatalogue => new DrugCatalogue(CATALOGUE);
