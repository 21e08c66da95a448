import path from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: path.resolve('main/electron/main.ts'),
          // The services host (utility process) and the face worker thread it starts.
          services: path.resolve('main/electron/services-entry.ts'),
          'face-worker': path.resolve('main/face/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require electron and a few built-ins: bundle everything else.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: path.resolve('main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: { index: path.resolve('renderer/index.html') } },
    },
  },
});
