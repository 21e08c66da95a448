/**
 * Code layering for E-Station, checked by ESLint (ARCHITECTURE.md):
 *
 *   hosts      main/{node-host,electron,services-host,cli}   may import everything in main/
 *   app        main/app                                      composes one mode; the only door to fixtures/
 *   modes      main/{pharmacy,kiosk,service,fleet}           never each other, never app or hosts
 *   rooms      main/{bridge,store,devices,platform,policy,outbox,face,session,lockdown,documents,voice,help}
 *   ground     main/ground, main/bridge/contract             import nothing above them
 *   fleet/     the fleet server                              its own code, the MQTT contract, the ground, the config schema
 *
 * Each layer also names the npm packages it may use, and only main/electron/ may import
 * `electron` (anywhere else, requiring it tries to download the Electron binary and fails).
 * Tests (`*.test.ts`, `*.spec.ts`) and test support (`testing.ts`, `testing/`) may also use
 * fixtures/ and the test tools.
 *
 * The platform simulator (fixtures/platform/) stands for the other side of the wire: it checks
 * requests and settles bills with its own code and data (wire/, settle/). Were it to use the
 * terminal's schemas, client or policy engine, a mistake there would pass on both sides; only
 * its tests may compare the two.
 */
import path from 'node:path';
import { builtinModules } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const MODES = ['main/pharmacy/', 'main/kiosk/', 'main/service/', 'main/fleet/'];
const ROOMS = [
  'main/bridge/',
  'main/store/',
  'main/devices/',
  'main/platform/',
  'main/policy/',
  'main/outbox/',
  'main/face/',
  'main/session/',
  'main/lockdown/',
  'main/documents/',
  'main/voice/',
  'main/help/',
];
const GROUND = ['main/ground/', 'main/bridge/contract/'];
const HOSTS = ['main/node-host/', 'main/electron/', 'main/services-host/', 'main/cli/'];
const TEST_PACKAGES = ['vitest', '@playwright/test', 'playwright-core', '@testing-library/react', '@testing-library/dom', 'eslint'];
const TERMINAL_ONLY = ['main/policy/', 'main/platform/schemas.ts', 'main/platform/service-transactions.ts', 'main/platform/client.ts'];

/**
 * First matching rule wins. `allow`: folders (relative to the root) a file may import from;
 * `deny`: folders or files inside those it still may not (tests excepted); `packages`: npm
 * packages it may import (a package's subpaths included); `node`: Node built-ins.
 */
export const LAYERS = [
  { from: 'main/electron/', allow: ['main/', 'package.json'], packages: ['electron', 'electron-updater', 'zod'], node: true },
  { from: 'main/bridge/contract/', allow: ['main/bridge/contract/'], packages: ['zod'], node: false },
  { from: 'main/ground/', allow: ['main/ground/', 'main/bridge/contract/', 'package.json'], packages: [], node: true },
  { from: 'main/app/embedded.ts', allow: ['main/', 'fixtures/platform/', 'drivers/', 'models/', 'package.json'], packages: [], node: true },
  { from: 'main/app/', allow: ['main/', 'drivers/', 'models/', 'package.json'], packages: ['zod', 'yaml'], node: true },
  ...HOSTS.map((from) => ({ from, allow: ['main/', 'drivers/', 'models/', 'package.json'], packages: ['zod', 'yaml', 'jpeg-js', 'serialport'], node: true })),
  // The fleet agent speaks MQTT (MQTT.js); the other modes need no network package of their own.
  ...MODES.map((from) => ({
    from,
    allow: [from, ...ROOMS, ...GROUND, 'drivers/', 'models/'],
    packages: from === 'main/fleet/' ? ['zod', 'mqtt'] : ['zod'],
    node: true,
  })),
  ...ROOMS.map((from) => ({
    from,
    allow: [...ROOMS, ...GROUND, 'drivers/', 'models/'],
    packages: ['zod', 'better-sqlite3', 'onnxruntime-node', 'tsx'],
    node: true,
  })),
  { from: 'main/', allow: ['main/', 'drivers/', 'models/'], packages: ['zod'], node: true },
  {
    from: 'renderer/src/',
    allow: ['renderer/src/', 'main/bridge/contract/'],
    packages: ['react', 'react-dom', 'i18next', 'react-i18next', 'qrcode', 'zod', '@fontsource/noto-sans-sc'],
    node: false,
  },
  { from: 'drivers/', allow: ['drivers/'], packages: ['serialport', '@serialport', 'node-hid', 'iconv-lite'], node: true },
  { from: 'models/', allow: ['models/'], packages: ['onnxruntime-node', 'pngjs', 'jpeg-js'], node: true },
  // The fleet server: its own code, the shared MQTT contract and the terminal's config schema (to check a
  // desired config before sending it); its tests run real terminals (main/) against it.
  {
    from: 'fleet/',
    allow: ['fleet/', 'main/bridge/contract/', 'main/ground/', 'main/app/config.ts'],
    testAllow: ['main/'],
    packages: ['aedes', 'mqtt', 'kysely', 'better-sqlite3', 'pg', 'zod'],
    node: true,
  },
  { from: 'fixtures/platform/', allow: ['fixtures/', 'main/', 'models/'], deny: TERMINAL_ONLY, packages: ['zod', 'better-sqlite3'], node: true },
];

const isTestSupport = (rel) => /\.(test|spec)\.tsx?$/.test(rel) || /(^|\/)testing(\.ts|\/)/.test(rel);

function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  return { rel, layer: LAYERS.find((l) => rel.startsWith(l.from)) };
}

const packageName = (source) => (source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0]);

function check(context, node, source) {
  if (typeof source !== 'string') return;
  const { rel, layer } = layerOf(context.filename);
  if (source === 'electron' || source.startsWith('electron/')) {
    if (!rel.startsWith('main/electron/')) context.report({ node, messageId: 'electron', data: { file: rel } });
    return;
  }
  if (!layer) return;
  if (BUILTINS.has(source)) {
    if (!layer.node) context.report({ node, messageId: 'node', data: { source, layer: layer.from } });
    return;
  }
  const test = isTestSupport(rel);
  if (!source.startsWith('.')) {
    const pkg = packageName(source);
    const allowed = [...layer.packages, ...(test ? TEST_PACKAGES : [])];
    if (!allowed.some((p) => pkg === p || pkg.startsWith(`${p}/`))) context.report({ node, messageId: 'package', data: { layer: layer.from, pkg } });
    return;
  }
  const target = path
    .relative(ROOT, path.resolve(path.dirname(context.filename), source))
    .split(path.sep)
    .join('/');
  // Tests may also use fixtures (named people, media, simulators) and whatever they test.
  const allow = test ? [...layer.allow, 'fixtures/', ...(rel.startsWith('main/') ? ['main/'] : []), ...(layer.testAllow ?? [])] : layer.allow;
  const inside = (a) => target === a.replace(/\/$/, '') || target.startsWith(a) || target === a.replace(/\.ts$/, '');
  if (!test && layer.deny?.some(inside)) return context.report({ node, messageId: 'simulator', data: { target } });
  if (!allow.some(inside)) {
    const mode = MODES.find((m) => rel.startsWith(m));
    const other = MODES.find((m) => m !== mode && inside(m));
    if (mode && other) context.report({ node, messageId: 'crossMode', data: { mode, other, target } });
    else context.report({ node, messageId: 'layer', data: { layer: layer.from, target } });
  }
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce E-Station folder layering and keep electron inside main/electron/' },
    messages: {
      electron: "only main/electron/ may import 'electron' ({{file}} does); elsewhere it triggers the Electron binary download",
      node: "{{layer}} runs without Node: '{{source}}' is not available there",
      layer: '{{layer}} may not import {{target}} (see ARCHITECTURE.md: nothing imports upward, fixtures only through main/app/embedded.ts)',
      crossMode: '{{mode}} may not import another mode module ({{target}} is in {{other}}): share through a room below both',
      package: "{{layer}} may not use the package '{{pkg}}' (see tools/eslint/layering.js)",
      simulator:
        "the platform simulator may not use the terminal's {{target}}: it checks requests and settles with its own code (fixtures/platform/wire, fixtures/platform/settle), so that a mistake on one side shows as a disagreement",
    },
    schema: [],
  },
  create(context) {
    return {
      ImportDeclaration: (n) => check(context, n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(context, n, n.source.value),
      ExportAllDeclaration: (n) => check(context, n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(context, n, n.source.value),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') check(context, n, n.arguments[0].value);
      },
    };
  },
};

export default { rules: { layering: rule } };
