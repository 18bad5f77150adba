import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rule of shared/STYLE.md, as eslint.config.js enforces it: each case lints a line of code
// as if it stood in a real file of that layer.
// With CI=true typescript-eslint infers a "single run" and parses files from its program, i.e. from
// disk, ignoring the text given to lintText: switch the inference off so the case's own line is linted.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint no-restricted-imports)', () => {
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
