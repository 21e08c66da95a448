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

export function startEmbeddedPlatform(opts: Parameters<typeof startPlatformSimulator>[0] = {}): Promise<PlatformSimulator> {
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true, mode: 0o700 });
  return startPlatformSimulator(opts);
}

/** The drug catalogue of the embedded setup (seed data); a deployment supplies its own. */
export const seedCatalogue = (): DrugCatalogue => new DrugCatalogue(CATALOGUE);
