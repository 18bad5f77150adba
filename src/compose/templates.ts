import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../core/errors.js';

/** The package's own Dockerfile.template and templates/ (src/ and dist/ both sit two levels down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_TEMPLATE = 'Dockerfile.template';

export interface Templates {
  main: string;
  partials: Record<string, string>;
}

async function readPartials(dir: string, into: Record<string, string>): Promise<void> {
  for (const file of (await readdir(dir)).sort()) {
    if (file.endsWith('.hbs')) into[basename(file, '.hbs')] = await readFile(join(dir, file), 'utf8');
  }
}

/** Loads the shipped templates, then lets files in `overrideDir` replace any of them by name. */
export async function loadTemplates(overrideDir?: string): Promise<Templates> {
  const partials: Record<string, string> = {};
  await readPartials(join(PACKAGE_ROOT, 'templates'), partials);
  let main = await readFile(join(PACKAGE_ROOT, MAIN_TEMPLATE), 'utf8');
  if (overrideDir) {
    try {
      await readPartials(overrideDir, partials);
      main = await readFile(join(overrideDir, MAIN_TEMPLATE), 'utf8').catch(() => main);
    } catch (cause) {
      throw usageError(`cannot read --template-dir ${overrideDir}: ${(cause as Error).message}`);
    }
  }
  return { main, partials };
}
