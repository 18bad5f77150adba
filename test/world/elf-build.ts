import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { contentHash } from './hash.js';
import { cacheDir } from './paths.js';

const run = promisify(execFile);

/** One object to build with gcc: what ld.so and the double will see of it. */
export interface StubSpec {
  /** Unique key (its path in the image). */
  key: string;
  soname?: string;
  needed: string[];
  runpath?: string;
  /** Opened by TRITONBACKEND_Initialize (exported by backend libraries, libtriton_*.so). */
  dlopen?: string[];
  backend?: boolean;
  exe?: boolean;
}

function source(spec: StubSpec, index: number): string {
  const ident = spec.key.replace(/[^A-Za-z0-9]/g, '_');
  const lines = ['#include <dlfcn.h>', '#include <stddef.h>', `int tslim_fixture_${ident}(void) { return ${index}; }`];
  if (spec.backend) {
    const wanted = [...(spec.dlopen ?? []).map((n) => JSON.stringify(n)), 'NULL'].join(', ');
    lines.push(
      `static const char *const wanted[] = { ${wanted} };`,
      '/* As a real backend: its framework dlopens what it needs; a failure is returned as dlerror() text. */',
      'const char *TRITONBACKEND_Initialize(void *backend) {',
      '  (void)backend;',
      '  for (const char *const *n = wanted; *n; ++n)',
      '    if (!dlopen(*n, RTLD_NOW | RTLD_GLOBAL)) return dlerror();',
      '  return NULL;',
      '}',
    );
  }
  if (spec.exe) lines.push('int main(void) { return 0; }');
  return lines.join('\n') + '\n';
}

async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * Compiles every stub (cached by content hash under .world/cache/elf) and returns key -> bytes.
 * DT_NEEDED names come from linking against a link dir of placeholder objects, so no build order
 * is needed; sizes are small (a few KB) and padded to scale inside the image build.
 */
export async function buildStubs(specs: StubSpec[]): Promise<Map<string, Buffer>> {
  const hash = contentHash(
    'elf-stubs-v1',
    specs.map((s, i) => [s, source(s, i)]),
  );
  const dir = path.join(cacheDir, 'elf', hash);
  const out = new Map<string, Buffer>();
  const file = (i: number): string => path.join(dir, `obj-${i}`);
  try {
    for (let i = 0; i < specs.length; i++) out.set(specs[i]!.key, await readFile(file(i)));
    return out;
  } catch {
    out.clear();
  }
  await rm(dir, { recursive: true, force: true });
  const links = path.join(dir, 'link');
  await mkdir(links, { recursive: true });
  await writeFile(path.join(dir, 'any.c'), 'int tslim_fixture_any;\n');
  await run('gcc', ['-shared', '-fPIC', '-o', path.join(links, 'any.so'), path.join(dir, 'any.c')]);
  const names = [...new Set(specs.flatMap((s) => s.needed))];
  for (const n of names) await symlink('any.so', path.join(links, n));
  await pool(specs, 4, async (spec, i) => {
    const src = `${file(i)}.c`;
    await writeFile(src, source(spec, i));
    const args = [
      '-O1',
      '-s',
      '-o',
      file(i),
      src,
      '-Wl,--build-id=none',
      '-Wl,-z,max-page-size=4096',
      '-Wl,-z,noseparate-code',
      '-Wl,--no-as-needed',
      `-L${links}`,
      ...spec.needed.map((n) => `-l:${n}`),
    ];
    if (!spec.exe) args.unshift('-shared', '-fPIC');
    if (spec.soname) args.push(`-Wl,-soname,${spec.soname}`);
    if (spec.runpath) args.push(`-Wl,-rpath,${spec.runpath}`, '-Wl,--enable-new-dtags');
    try {
      await run('gcc', args);
    } catch (error) {
      throw new Error(`gcc failed for ${spec.key} (the ELF-real world needs gcc): ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
  for (let i = 0; i < specs.length; i++) out.set(specs[i]!.key, await readFile(file(i)));
  return out;
}
