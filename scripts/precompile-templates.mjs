// Build step after tsc (npm run build): precompiles the shipped Dockerfile templates into
// dist/compose/templates-precompiled.cjs, so a dry run loads handlebars' runtime instead of
// compiling them (see src/compose/precompiled-templates.ts).
import { writeFile } from 'node:fs/promises';
import { loadTemplates } from '../dist/compose/templates.js';
import { precompiledModule } from '../dist/compose/precompiled-templates.js';

const out = new URL('../dist/compose/templates-precompiled.cjs', import.meta.url);
await writeFile(out, await precompiledModule(await loadTemplates()));
