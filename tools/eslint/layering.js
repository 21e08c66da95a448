/**
 * Code layering for E-Station, checked by ESLint. Each top-level folder may import only from the
 * folders its runtime allows (ARCHITECTURE.md), and only main/electron/ may import `electron`:
 * anywhere else, requiring the electron package tries to download the Electron binary and fails.
 */
import path from 'node:path';
import { builtinModules } from 'node:module';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** First matching rule wins; `allow` lists folders (relative to the root) a file may import from. */
export const LAYERS = [
  { from: 'main/electron/', allow: ['main/', 'package.json'], node: true },
  { from: 'main/bridge/contract/', allow: ['main/bridge/contract/'], node: false },
  { from: 'main/', allow: ['main/', 'drivers/', 'models/', 'fixtures/', 'package.json'], node: true },
  { from: 'renderer/src/', allow: ['renderer/src/', 'main/bridge/contract/'], node: false },
  { from: 'drivers/', allow: ['drivers/'], node: true },
  { from: 'models/', allow: ['models/'], node: true },
];

function layerOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  return { rel, layer: LAYERS.find((l) => rel.startsWith(l.from)) };
}

function check(context, node, source) {
  if (typeof source !== 'string') return;
  const { rel, layer } = layerOf(context.filename);
  if (source === 'electron' || source.startsWith('electron/')) {
    if (!rel.startsWith('main/electron/')) {
      context.report({ node, messageId: 'electron', data: { file: rel } });
    }
    return;
  }
  if (!layer) return;
  if (BUILTINS.has(source)) {
    if (!layer.node) context.report({ node, messageId: 'node', data: { source, layer: layer.from } });
    return;
  }
  if (!source.startsWith('.')) return;
  const target = path.relative(ROOT, path.resolve(path.dirname(context.filename), source)).split(path.sep).join('/');
  // Tests may also use fixtures (named people, media, simulators).
  const allow = /\.(test|spec)\.tsx?$/.test(rel) ? [...layer.allow, 'fixtures/'] : layer.allow;
  if (!allow.some((a) => target === a.replace(/\/$/, '') || target.startsWith(a))) {
    context.report({ node, messageId: 'layer', data: { layer: layer.from, target } });
  }
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce E-Station folder layering and keep electron inside main/electron/' },
    messages: {
      electron: "only main/electron/ may import 'electron' ({{file}} does); elsewhere it triggers the Electron binary download",
      node: "{{layer}} runs without Node: '{{source}}' is not available there",
      layer: '{{layer}} may not import {{target}} (see ARCHITECTURE.md, top-level folders)',
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
