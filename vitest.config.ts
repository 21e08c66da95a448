import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { electron: path.resolve('fixtures/stubs/electron-forbidden.ts') },
  },
  test: {
    include: [
      'main/**/*.test.ts',
      'fleet/**/*.test.ts',
      'deploy/**/*.test.ts',
      'drivers/**/*.test.ts',
      'models/**/*.test.ts',
      'fixtures/**/*.test.ts',
      'tools/**/*.test.ts',
      'renderer/**/*.test.{ts,tsx}',
    ],
    environment: 'node',
    pool: 'forks',
    // A promise nobody handles ends the test process, as it ends the terminal in the field.
    execArgv: ['--unhandled-rejections=strict'],
    // Generous: a timeout is a hang detector, not a speed test (benchmarks in bench/ measure speed). CI machines
    // may be slower than this one; a test that needs minutes says so itself.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
