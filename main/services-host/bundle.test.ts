/**
 * The Electron build's services bundle and face-worker bundle, run under plain Node with a
 * parentPort shim: proves that what the utility process would load actually starts, answers the
 * bridge and runs the ONNX face worker from its bundled file (no Electron binary needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, fork } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import YAML from 'yaml';
import { ServicesSupervisor, type ChildLike } from './supervisor';
import { checkModels } from '../../models/manifest';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, 'out/main');
const modelsReady = checkModels().every((c) => c.status === 'verified');
let sup: ServicesSupervisor;

beforeAll(() => {
  if (!fs.existsSync(path.join(out, 'services.js')))
    execFileSync(path.join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'ignore' });
}, 120_000);
afterAll(async () => sup?.stop(5000));

it.skipIf(!modelsReady)(
  'the bundled services host starts, answers, and runs the bundled face worker (skipped only when the models were not obtained)',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estation-bundle-'));
    const configPath = path.join(dir, 'config.yaml');
    fs.writeFileSync(configPath, YAML.stringify({ dataDir: path.join(dir, 'data') }));
    const spawn = (): ChildLike => {
      const child = fork(path.join(out, 'services.js'), [], {
        execArgv: ['--import', path.join(import.meta.dirname, 'parent-port-shim.mjs')],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, ESTATION_MODELS_DIR: path.join(root, 'models/files') },
      });
      child.stderr!.resume();
      return {
        postMessage: (m) => void child.send(m),
        onMessage: (l) => void child.on('message', l),
        onExit: (l) => void child.once('exit', l),
        kill: () => void child.kill('SIGKILL'),
      };
    };
    sup = new ServicesSupervisor({
      spawn,
      init: { type: 'init', configPath, faceKey: Buffer.alloc(32, 1).toString('base64'), faceWorkerPath: path.join(out, 'face-worker.js') },
    });
    await sup.start();
    expect(await sup.call('app.hello', {})).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(await sup.call('service.setPin', { pin: '246810', confirm: '246810' })).toMatchObject({ ok: true });
    const grey = jpeg.encode({ width: 64, height: 48, data: Buffer.alloc(64 * 48 * 4, 128) }, 80).data;
    const r = await sup.call('service.analyzeFrame', { jpeg: Buffer.from(grey).toString('base64') });
    expect(r).toMatchObject({ ok: true, value: { boxes: [] } });
    expect((r as { value: { ms: number } }).value.ms).toBeGreaterThan(0);
  },
  120_000,
);
