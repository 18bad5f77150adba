import { readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/boot/run-bundle.js';
import { importDependency } from '../../src/boot/import-dependency.js';
import { importModule } from '../../src/core/import-module.js';
import { tempDir } from '../support/temp-dir.js';

// A CommonJS script as the bundle is one: it sees require, module and __filename, and its exports
// tell what ran.
const SCRIPT = [
  "const path = require('node:path');",
  'function greet(name) { return `hello ${name} from ${path.basename(__filename)}`; }',
  "module.exports.greeting = greet('caf\u00e9');",
  '',
].join('\n');

async function setUp(text = SCRIPT): Promise<{ file: string; env: NodeJS.ProcessEnv; codeDir: string }> {
  const dir = await tempDir('run-bundle');
  const file = join(dir, 'main.cjs');
  writeFileSync(file, text);
  const cacheDir = join(dir, 'cache');
  return { file, env: { TSLIM_CACHE_DIR: cacheDir }, codeDir: join(cacheDir, 'code') };
}

// V8 keeps compiled scripts per process too, so whether an entry is accepted or refused shows only
// across processes: test/e2e/code-cache.test.ts runs the built CLI for that.
describe('compileBundle: the built CLI through V8 code cache', () => {
  it('runs the script as a CommonJS module (require, __filename, non-ASCII text intact)', async () => {
    const { file, env } = await setUp(`${SCRIPT}globalThis.__runBundleTest = module.exports.greeting;\n`);
    compileBundle(file, { env, argv: ['node', 'tslim'] }).run();
    expect((globalThis as { __runBundleTest?: string }).__runBundleTest).toBe('hello caf\u00e9 from main.cjs');
  });

  it('writes its entry, named by the subcommand, the file, Node and arch', async () => {
    const { file, env, codeDir } = await setUp();
    const first = compileBundle(file, { env, argv: ['node', 'tslim', 'compose'] });
    expect(first.state).toBe('none');
    first.run();
    first.save();
    const name = new RegExp(`^compose-\\d+-\\d+-\\d+-${process.version}-${process.arch}(-[0-9a-f]+)?\\.bin$`);
    expect(readdirSync(codeDir)).toEqual([expect.stringMatching(name)]);
    expect(statSync(join(codeDir, readdirSync(codeDir)[0]!)).size).toBeGreaterThan(0);
  });

  it('a changed script gets a new entry (never the old code)', async () => {
    const { file, env } = await setUp();
    const first = compileBundle(file, { env, argv: ['node', 'tslim'] });
    first.save();
    // same length, other text: V8 itself would accept the old entry (it checks the length only)
    // written as a build or an install writes it: a new file in its place
    writeFileSync(`${file}.new`, SCRIPT.replace('hello', 'howdy'));
    renameSync(`${file}.new`, file);
    const changed = compileBundle(file, { env, argv: ['node', 'tslim'] });
    expect(changed.cacheFile).not.toBe(first.cacheFile);
    expect(changed.state).toBe('none');
  });

  it('one entry per subcommand; anything else shares main', async () => {
    const { file, env, codeDir } = await setUp();
    for (const arg of ['inspect', 'verify', '--help', 'no-such-command', '../../etc']) {
      compileBundle(file, { env, argv: ['node', 'tslim', arg] }).save();
    }
    expect(
      readdirSync(codeDir)
        .map((name) => name.split('-')[0])
        .sort(),
    ).toEqual(['inspect', 'main', 'verify']);
  });

  it('TSLIM_NO_CODE_CACHE: nothing read or written', async () => {
    const { file, env, codeDir } = await setUp();
    const off = compileBundle(file, { env: { ...env, TSLIM_NO_CODE_CACHE: '1' }, argv: ['node', 'tslim'] });
    expect(off.state).toBe('off');
    off.save();
    expect(() => readdirSync(codeDir)).toThrow(/ENOENT/);
  });

  it('an unwritable cache directory costs only the compile', async () => {
    const { file } = await setUp();
    const blocker = join(await tempDir('run-bundle-file'), 'a-file');
    writeFileSync(blocker, 'x');
    const bundle = compileBundle(file, { env: { TSLIM_CACHE_DIR: blocker }, argv: ['node', 'tslim'] });
    expect(bundle.state).toBe('none');
    expect(() => bundle.save()).not.toThrow();
  });

  it('a write removes entries untouched for 30 days and keeps newer ones', async () => {
    const { file, env, codeDir } = await setUp();
    await mkdir(codeDir, { recursive: true });
    const old = join(codeDir, 'compose-1-2-3-v0.0.0-x64.bin');
    const recent = join(codeDir, 'inspect-1-2-3-v0.0.0-x64.bin');
    writeFileSync(old, 'old');
    writeFileSync(recent, 'recent');
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(old, longAgo, longAgo);
    compileBundle(file, { env, argv: ['node', 'tslim', 'report'] }).save();
    const names = readdirSync(codeDir);
    expect(names).not.toContain('compose-1-2-3-v0.0.0-x64.bin');
    expect(names).toContain('inspect-1-2-3-v0.0.0-x64.bin');
    expect(names.some((name) => name.startsWith('report-'))).toBe(true);
    expect(names.some((name) => name.endsWith('.tmp'))).toBe(false);
  });
});

describe('importDependency and importModule: dependencies loaded on first use', () => {
  afterEach(() => {
    delete (globalThis as { __tslimImport?: unknown }).__tslimImport;
  });

  it('a CommonJS package comes back in import() shape: named exports and default', async () => {
    const tar = (await importDependency('tar-stream')) as { extract: unknown; default: { extract: unknown } };
    expect(typeof tar.extract).toBe('function');
    expect(tar.default.extract).toBe(tar.extract);
  });

  it('an ES-module-only package (ora) loads where require cannot take it', async () => {
    const ora = (await importDependency('ora')) as { default: unknown };
    expect(typeof ora.default).toBe('function');
  });

  it('a file: URL of a CommonJS file, and a missing package rejects with its error', async () => {
    const dir = await tempDir('import-dependency');
    const file = join(dir, 'templates.cjs');
    writeFileSync(file, 'exports.version = "4.7.8";\n');
    const loaded = (await importDependency(pathToFileURL(file).href)) as { version: string };
    expect(loaded.version).toBe('4.7.8');
    await expect(importDependency('no-such-package-tslim')).rejects.toThrow(/Cannot find module/);
  });

  it('importModule uses the loader its bundle was given, and refuses relative specifiers', async () => {
    const asked: string[] = [];
    (globalThis as { __tslimImport?: unknown }).__tslimImport = (specifier: string) => {
      asked.push(specifier);
      return Promise.resolve({ default: 'from the loader' });
    };
    expect(await importModule<{ default: string }>('handlebars')).toEqual({ default: 'from the loader' });
    expect(asked).toEqual(['handlebars']);
    expect(() => importModule('./sibling.js')).toThrow(/relative specifier/);
  });
});
