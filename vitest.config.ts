import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { electron: path.resolve('fixtures/stubs/electron-forbidden.ts') },
  },
  test: {
    include: [
      'main/**/*.test.ts',
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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
