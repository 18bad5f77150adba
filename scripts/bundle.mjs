// Build step after tsc and the template precompile (npm run build): bundles the CLI's own modules
// (dist/cli/main.js and everything it imports, lazily loaded commands as chunks) into dist/bundle/,
// which bin/tslim.js runs. Node resolves ~150 small files otherwise (about 40 % of an offline dry
// run's start-up). Dependencies stay external: they load from node_modules as before, so their
// native add-ons and lazy requires (src/docker/lazy-deps.ts) are untouched.
// Every src file sits one folder deep, as dist/bundle/ does, so their `new URL('../../…',
// import.meta.url)` paths hold; the precompiled templates, loaded by URL, are copied next to them.
import { build } from 'esbuild';
import { copyFile, rm } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);
const out = new URL('bundle/', dist);
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL('cli/main.js', dist).pathname],
  outdir: out.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // pure-JS dependencies are bundled too (no file lookups for them); dockerode (native add-ons via
  // ssh2, require-cache seeding) and the rest load from node_modules
  external: ['dockerode', 'ora', 'protobufjs', 'protobufjs/*', 'tar-stream', 'yaml', 'handlebars'],
  // the bundled CommonJS dependencies require node's modules: an ES module has no `require` of its own
  banner: {
    js: "import { createRequire as tslimCreateRequire } from 'node:module'; const require = tslimCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await copyFile(new URL('compose/templates-precompiled.js', dist), new URL('templates-precompiled.js', out));
