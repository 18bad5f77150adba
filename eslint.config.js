// Lint: typescript-eslint's type-aware recommended + stylistic rules, prettier owns formatting
// (eslint-config-prettier turns off every rule that would fight it), and the layer rule of
// shared/STYLE.md enforced with no-restricted-imports: cli -> domain -> docker -> core, never upward,
// and only src/docker imports dockerode; scripts/lint/no-import-cycle.mjs refuses an import cycle.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import tslimRules from './scripts/lint/no-import-cycle.mjs';

const DOMAIN = ['catalog', 'inspect', 'compose', 'verify', 'registry', 'report', 'trim', 'doctor', 'sbom'];

/** Patterns a file in `layer` must not import (relative paths that climb into a higher layer). */
function upward(names, why) {
  return names.map((name) => ({ group: [`../${name}/*`, `../../${name}/*`, `**/src/${name}/*`], message: why }));
}

const dockerode = {
  name: 'dockerode',
  message: 'only src/docker imports dockerode (STYLE.md); call a function of src/docker instead',
};

function layer(files, patterns, paths = [dockerode]) {
  return { files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.world/', '.tslim/', 'samples/', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // An empty DOCKER_CONFIG/HOME/flag string means "unset", as the docker CLI reads them: `||` is meant.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true, boolean: true } }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSAsExpression > TSUnknownKeyword',
          message: '`as unknown as` hides a type error: add a typed adapter with a runtime check (src/docker)',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // vitest's asymmetric matchers (expect.stringContaining, expect.objectContaining, ...) are typed
      // `any` by vitest itself; assigning them into expected objects is their documented use.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // test doubles implement async signatures (retry callbacks) by throwing, without awaiting
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { project: null },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    // the CLI's entry is CommonJS (bin/package.json): it starts no ES module loader
    files: ['bin/tslim.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The layers. core imports nothing of tslim's; docker only core; domain modules docker/core and
  // each other (compose uses catalog/inspect/verify); cli anything. dockerode stays in src/docker.
  layer(
    ['src/core/**/*.ts'],
    upward(['cli', 'docker', ...DOMAIN], 'src/core is the bottom layer: it imports no other layer'),
  ),
  layer(['src/docker/**/*.ts'], upward(['cli', ...DOMAIN], 'src/docker may import only src/core'), []),
  layer(
    DOMAIN.map((d) => `src/${d}/**/*.ts`),
    upward(['cli'], 'domain modules never import src/cli (data flows cli -> domain -> docker -> core)'),
  ),
  layer(['src/cli/**/*.ts'], []),
  // ... and no module imports its way back to itself (a cycle, even through `import type`: issue 27)
  { files: ['src/**/*.ts'], plugins: { tslim: tslimRules }, rules: { 'tslim/no-import-cycle': 'error' } },
  // the loader of the built CLI (bin/tslim.js runs the bundle by path): core only
  layer(['src/boot/**/*.ts'], upward(['cli', 'docker', ...DOMAIN], 'src/boot may import only src/core'), []),
  // Tests drive the engine directly through src/docker's helpers, except the world builder and the
  // label sweep, which are test infrastructure of their own.
  layer(['test/**/*.ts', 'bench/**/*.ts'], [], []),
  prettier,
);
