/**
 * The built preload (out/preload/index.cjs), loaded under Node with the electron module replaced
 * by recording fakes: it exposes exactly one global with exactly the bridge's two functions, calls
 * only the one IPC channel, turns a typed error into a rejected call, and unwraps events.
 * (This file imports no electron: the fakes are handed to the bundle's own require.)
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bundle = path.join(root, 'out/preload/index.cjs');

it('the built preload exposes only window.estation { call, on } over one IPC channel', async () => {
  if (!fs.existsSync(bundle)) execFileSync(path.join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, stdio: 'ignore' });
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => void (exposed[name] = api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return args[1] === 'app.hello'
          ? { ok: true, value: { mode: 'kiosk' } }
          : { ok: false, error: { code: 'BRIDGE_UNKNOWN_CHANNEL', message: 'unknown channel' } };
      },
      on: (ch: string, l: (...a: unknown[]) => void) => void listeners.set(ch, [...(listeners.get(ch) ?? []), l]),
      removeListener: (ch: string, l: (...a: unknown[]) => void) =>
        void listeners.set(
          ch,
          (listeners.get(ch) ?? []).filter((x) => x !== l),
        ),
    },
  };
  const required: string[] = [];
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return fakeElectron;
    throw new Error(`a sandboxed preload cannot require ${id}`);
  };
  const module = { exports: {} };
  vm.runInNewContext(fs.readFileSync(bundle, 'utf8'), { require: sandboxRequire, module, exports: module.exports, console });

  expect(Object.keys(exposed)).toEqual(['estation']);
  const api = exposed.estation as { call(c: string, i: unknown): Promise<unknown>; on(e: string, l: (p: unknown) => void): () => void };
  expect(Object.keys(api).sort()).toEqual(['call', 'on']);
  expect(required).toEqual(['electron']);

  expect(await api.call('app.hello', {})).toEqual({ mode: 'kiosk' });
  await expect(api.call('fs.readFile', { path: '/etc/shadow' })).rejects.toThrow(/^BRIDGE_UNKNOWN_CHANNEL: /);
  expect(invoked.map((a) => a[0])).toEqual(['estation:call', 'estation:call']);

  const got: unknown[] = [];
  const off = api.on('status.queue', (p) => got.push(p));
  const fire = (envelope: unknown) => listeners.get('estation:event')!.forEach((l) => l({ sender: 'ipc event object' }, envelope));
  fire({ event: 'status.queue', payload: { pending: 1 } });
  fire({ event: 'status.network', payload: { online: true } });
  fire(null);
  off();
  fire({ event: 'status.queue', payload: { pending: 2 } });
  expect(got).toEqual([{ pending: 1 }]);
});
