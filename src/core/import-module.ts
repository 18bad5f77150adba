/** The `import()` the loader of the built CLI hands in (src/boot/run-bundle.ts). */
type Importer = (specifier: string) => Promise<unknown>;

/**
 * `import()` of a dependency loaded on first use (ora, handlebars, tar-stream, the precompiled
 * templates). The built CLI runs as one script compiled with V8's code cache (vm.Script), where a
 * literal `import()` fails without --experimental-vm-modules, so its loader puts its own import on
 * globalThis; run from source (tests), this is a plain `import()`. Bare names and absolute URLs
 * only: a relative specifier would resolve against the loader's file, not the caller's.
 */
export function importModule<T>(specifier: string): Promise<T> {
  if (specifier.startsWith('.')) throw new Error(`importModule: relative specifier ${specifier}`);
  const host = (globalThis as { __tslimImport?: Importer }).__tslimImport;
  return (host ? host(specifier) : import(specifier)) as Promise<T>;
}
