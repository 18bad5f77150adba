import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The import the built CLI's importModule (src/core/import-module.ts) goes through: `require` for
 * CommonJS dependencies (handlebars, tar-stream, the precompiled templates), so a run that loads no
 * ES module never starts Node's ES module loader (~10 ms); `import()` for the ES-module-only ones
 * (ora) where this Node cannot require them. The result has import()'s shape: the module's exports
 * as `default` beside its named ones. A bare name or a file: URL.
 */
export function importDependency(specifier: string): Promise<unknown> {
  const id = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
  let loaded: unknown;
  try {
    loaded = require(id);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return import(specifier);
    return Promise.reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- require's own error
  }
  const isNamespace = (loaded as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag] === 'Module';
  return Promise.resolve(isNamespace ? loaded : { ...(loaded as object), default: loaded });
}
