import { ESLint } from 'eslint';
import { readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, pathBack } from '../../scripts/lint/import-graph.mjs';

// The layer rule of shared/STYLE.md, as eslint.config.js enforces it: each case lints a line of code
// as if it stood in a real file of that layer.
// With CI=true typescript-eslint infers a "single run" and parses files from its program, i.e. from
// disk, ignoring the text given to lintText: switch the inference off so the case's own line is linted.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});

async function ruleMessages(filePath: string, code: string, ruleId: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// type-aware linting builds a TypeScript program first: seconds on a busy machine
describe('import boundaries (eslint no-restricted-imports)', { timeout: 120_000 }, () => {
  it('refuses an upward import from core into a domain module', async () => {
    const found = await restricted('src/core/errors.ts', "export { planCompose } from '../compose/plan.js';\n");
    expect(found).toEqual([expect.stringContaining('src/core is the bottom layer')]);
  });

  it('refuses docker importing a domain module, and a domain module importing cli', async () => {
    expect(
      await restricted('src/docker/build.ts', "export { inspectImage } from '../inspect/inspect-image.js';\n"),
    ).toEqual([expect.stringContaining('src/docker may import only src/core')]);
    expect(await restricted('src/verify/compare.ts', "export { registerVerify } from '../cli/verify.js';\n")).toEqual([
      expect.stringContaining('domain modules never import src/cli'),
    ]);
  });

  it('refuses dockerode outside src/docker and allows it inside', async () => {
    expect(
      await restricted('src/verify/compare.ts', "import Docker from 'dockerode';\nexport const D = Docker;\n"),
    ).toEqual([expect.stringContaining('only src/docker imports dockerode')]);
    expect(
      await restricted('src/docker/engine.ts', "import Docker from 'dockerode';\nexport const D = Docker;\n"),
    ).toEqual([]);
  });

  it('allows the downward direction', async () => {
    expect(await restricted('src/cli/verify.ts', "export { verifyImage } from '../verify/verify.js';\n")).toEqual([]);
    expect(await restricted('src/verify/compare.ts', "export { TslimError } from '../core/errors.js';\n")).toEqual([]);
  });
});

// tslim/no-import-cycle (scripts/lint/no-import-cycle.mjs): each case lints a real file's path with a
// line that would close a cycle through the modules on disk.
describe('import cycles (tslim/no-import-cycle)', { timeout: 120_000 }, () => {
  const cycles = (filePath: string, code: string): Promise<string[]> =>
    ruleMessages(filePath, code, 'tslim/no-import-cycle');

  it('refuses an import that leads back to the importing file, and names the path', async () => {
    // render.ts imports view.ts: view.ts importing render.ts would close a cycle
    expect(await cycles('src/compose/view.ts', "export { renderDockerfile } from './render.js';\n")).toEqual([
      expect.stringContaining('import cycle: src/compose/view.ts -> src/compose/render.ts -> src/compose/view.ts'),
    ]);
  });

  it('counts type-only imports and literal import() as edges, and longer paths', async () => {
    expect(
      await cycles(
        'src/compose/templates.ts',
        "import type { ComposePlan } from './plan.js';\nexport type P = ComposePlan;\n",
      ),
    ).toEqual([]);
    expect(
      await cycles(
        'src/compose/view.ts',
        "export type { Templates } from './templates.js';\nexport const r = () => import('./run.js');\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^import cycle: src\/compose\/view\.ts -> src\/compose\/run\.ts -> .* -> src\/compose\/view\.ts/,
      ),
    ]);
    expect(
      await cycles(
        'src/compose/templates.ts',
        "import type { Templates as T } from './render.js';\nexport type X = T;\n",
      ),
    ).toEqual([
      expect.stringContaining('src/compose/templates.ts -> src/compose/render.ts -> src/compose/templates.ts'),
    ]);
  });

  it('finds no cycle in src/ as it is (the two of issue 27 are gone)', async () => {
    const files = (await readdir('src', { recursive: true }))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => resolve('src', f));
    const onCycles = files.flatMap((file) => {
      const back = importsOf(file)
        .map((next) => pathBack(next, file))
        .find((p) => p !== undefined);
      return back ? [[file, ...back].map((f) => relative('.', f)).join(' -> ')] : [];
    });
    expect(onCycles).toEqual([]);
  });
});
