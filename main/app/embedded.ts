/**
 * What the embedded defaults bring from fixtures/: the platform simulator on a loopback port and
 * the seed drug catalogue. The only place in main/ (besides tests) that reaches into fixtures/.
 */
import { startPlatformSimulator, type PlatformSimulator } from '../../fixtures/platform/server';
import { CATALOGUE } from '../../fixtures/platform/catalogue';
import { DrugCatalogue } from '../policy/catalogue';

export type { PlatformSimulator };

export function startEmbeddedPlatform(opts: Parameters<typeof startPlatformSimulator>[0] = {}): Promise<PlatformSimulator> {
  return startPlatformSimulator(opts);
}

/** The drug catalogue of the embedded setup (seed data); a deployment supplies its own. */
export const seedCatalogue = (): DrugCatalogue => new DrugCatalogue(CATALOGUE);
