import { isAscii } from 'node:buffer';
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomicSync } from '../core/atomic-write.js';
import { cacheRoot } from '../core/cache-root.js';
import { importDependency } from './import-dependency.js';

/**
 * Runs the built CLI (dist/bundle/main.cjs, one CommonJS script: scripts/bundle.mjs) through V8's
 * code cache. Node 20 keeps no compiled code between runs and Node 22's compile cache stores a
 * module's code right after its first compile, before most of its functions ever ran; here the
 * cache is taken at exit, so it holds every function the run compiled. That was about 45 ms of an
 * offline dry run's 220 ms on Node 20 (bench/startup.md).
 *
 * An entry is named by the bundle file, Node's version, arch and flags, and the subcommand (each
 * compiles other functions). V8 refuses an entry of another V8 or flag set (it is then rewritten);
 * a missing, unreadable or unwritable cache only costs the compile. TSLIM_NO_CODE_CACHE turns it off.
 */

/** The subcommands that get their own entry; anything else shares `main`. */
export const COMMANDS = ['compose', 'doctor', 'inspect', 'profiles', 'push', 'report', 'sbom', 'verify'] as const;

/** Entries not written for this long are removed when another is written. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export type CacheState = 'off' | 'none' | 'accepted' | 'rejected';

export interface RunBundleOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface CompiledBundle {
  run(): void;
  state: CacheState;
  /** Writes the cache entry when there was none or V8 refused it; best effort. */
  save(): void;
  cacheFile?: string;
}

/** Compiles `file` (a CommonJS script) against its cache entry; `run()` evaluates it as a module. */
export function compileBundle(file: string, options: RunBundleOptions = {}): CompiledBundle {
  const env = options.env ?? process.env;
  const argv = options.argv ?? process.argv;
  const bytes = readFileSync(file);
  // the build keeps the bundle ASCII (escapes), so it decodes as a one-byte string, ~4× faster than UTF-8
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const cacheFile = env.TSLIM_NO_CODE_CACHE ? undefined : entryPath(file, argv, env);
  let cached: Buffer | undefined;
  if (cacheFile) {
    try {
      cached = readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
  }
  const script = new Script(wrapped, { filename: file, cachedData: cached });
  const state: CacheState = !cacheFile ? 'off' : !cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  return {
    state,
    cacheFile,
    run(): void {
      const module = { exports: {} };
      const fn = script.runInThisContext() as (...args: unknown[]) => void;
      fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
    },
    save(): void {
      if (!cacheFile || state === 'accepted') return;
      try {
        writeEntry(cacheFile, script.createCachedData());
      } catch {
        // a read-only or full cache directory: the next run compiles again
      }
    },
  };
}

/**
 * bin/tslim.js: compile, save the cache at exit (then it holds what the run compiled), run. The
 * bundle's importModule calls go through importDependency.
 */
export function runBundle(file: string, options: RunBundleOptions = {}): CompiledBundle {
  (globalThis as { __tslimImport?: typeof importDependency }).__tslimImport = importDependency;
  const bundle = compileBundle(file, options);
  if (bundle.state === 'none' || bundle.state === 'rejected') process.once('exit', () => bundle.save());
  bundle.run();
  return bundle;
}

/**
 * The entry of this bundle file, Node and command. The file is named by its size, inode and change
 * time: a build or an install writes a new file (another inode), and any later write to it moves
 * the change time, which no tool can set back; stat is free where hashing the bytes would load
 * node:crypto (~5 ms). Flags change V8's code (--cpu-prof, --import), so they name the entry too,
 * in a short hash of their own.
 */
function entryPath(file: string, argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const arg = argv[2] ?? '';
  const command = (COMMANDS as readonly string[]).includes(arg) ? arg : 'main';
  const { size, ino, ctimeMs } = statSync(file);
  const flags = process.execArgv.length ? `-${fnv1a(process.execArgv.join('\0'))}` : '';
  const name = `${command}-${size}-${ino}-${Math.round(ctimeMs * 1000)}-${process.version}-${process.arch}${flags}.bin`;
  return join(cacheRoot(env), 'code', name);
}

/** 32-bit FNV-1a of a short string, in hex. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/** Writes an entry, first removing those of its directory not written for MAX_AGE_MS. */
function writeEntry(path: string, data: Buffer): void {
  const dir = dirname(path);
  const now = Date.now();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no directory yet: the write makes it
  }
  for (const name of names) {
    const other = join(dir, name);
    try {
      if (now - statSync(other).mtimeMs > MAX_AGE_MS) unlinkSync(other);
    } catch {
      // removed by another run meanwhile
    }
  }
  writeFileAtomicSync(path, data);
}
