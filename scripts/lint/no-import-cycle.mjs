// ESLint rule: an import of tslim's own code must not lead back to the importing file (a cycle, type
// imports and literal import() included). Reported at the import that closes it, with the path:
// "import cycle: src/compose/view.ts -> src/compose/render.ts -> src/compose/view.ts".
import { relative } from 'node:path';
import { importsOf, pathBack, resolveSpecifier } from './import-graph.mjs';

function checkSource(context, node, source) {
  if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
  const file = context.physicalFilename;
  const target = resolveSpecifier(file, source.value);
  if (!target?.endsWith('.ts')) return;
  // the file being linted is read from its text as given (lintText, an editor buffer), not from disk
  const path = target === file ? [file] : pathBack(target, file, (f) => (f === file ? [] : importsOf(f)));
  if (!path) return;
  const shown = [file, ...path].map((f) => relative(context.cwd, f)).join(' -> ');
  context.report({ node, messageId: 'cycle', data: { path: shown } });
}

export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles between tslim modules' },
    messages: {
      cycle:
        'import cycle: {{path}}; move what both sides need into a module of its own (shared/STYLE.md: data flows one way)',
    },
    schema: [],
  },
  create(context) {
    return {
      ImportDeclaration: (node) => checkSource(context, node, node.source),
      ExportNamedDeclaration: (node) => checkSource(context, node, node.source),
      ExportAllDeclaration: (node) => checkSource(context, node, node.source),
      ImportExpression: (node) => checkSource(context, node, node.source),
    };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
