// Build step after tsc and the template precompile (npm run build): bundles the CLI's own modules
// (dist/cli/main.js and everything it imports) and its pure-JS dependencies into one CommonJS script,
// dist/bundle/main.cjs, which bin/tslim.js runs through V8's code cache (src/boot/run-bundle.ts: a
// cache is kept per script, so one script; vm.Script compiles CommonJS, not ES modules). Node
// resolves ~150 small files otherwise. dockerode and docker-modem are bundled with their heavy parts
// (ssh2, gRPC, tar-fs, …) replaced by stubs that load them on first use (scripts/bundle-dockerode.mjs);
// ora (ES module only), protobufjs, tar-stream and yaml load from node_modules on first use.
// Every src file sits one folder deep, as dist/bundle/ does, so their `new URL('../../…',
// import.meta.url)` paths hold; the precompiled templates, loaded by URL, are copied next to it.
import { build } from 'esbuild';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { DEFERRED, dockerodeBundled } from './bundle-dockerode.mjs';

const dist = new URL('../dist/', import.meta.url);
const out = new URL('bundle/', dist);
const main = new URL('main.cjs', out);
/** Both scripts: CommonJS for Node 20, and a CommonJS script has no import.meta: its URL is its own. */
const commonJs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': 'tslimBundleUrl' },
  banner: { js: "var tslimBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};
await rm(out, { recursive: true, force: true });
await build({
  ...commonJs,
  entryPoints: [new URL('cli/main.js', dist).pathname],
  outfile: main.pathname,
  external: [
    'ora',
    'protobufjs',
    'protobufjs/*',
    'tar-stream',
    'yaml',
    '@cyclonedx/cyclonedx-library',
    'packageurl-js',
  ],
  // handlebars' compiler (custom templates only) stays outside; its runtime, which renders the
  // precompiled templates, is bundled (a dozen small files less to resolve and load per dry run)
  plugins: [
    dockerodeBundled,
    // commander requires node:child_process (with net, streams: ~5 ms) at load, for executable
    // subcommands, which tslim has none of: it is required on first use instead. Left as it is
    // when commander's line changes.
    {
      name: 'commander-lazy-child-process',
      setup(b) {
        b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
          const eager = "const childProcess = require('node:child_process');";
          const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
          const text = await readFile(args.path, 'utf8');
          if (!text.includes(eager))
            console.warn('bundle: commander loads node:child_process eagerly (its line changed)');
          return { contents: text.replace(eager, lazy), loader: 'js' };
        });
      },
    },
    {
      name: 'handlebars-compiler-external',
      setup(b) {
        b.onResolve({ filter: /^handlebars$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});

// esbuild escapes non-ASCII in code but keeps comments as written: escaped too, the script is ASCII
// and the loader decodes it as a one-byte string
const text = (await readFile(main, 'utf8')).replace(
  /[\u0080-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
// inside vm.Script a literal import() fails without --experimental-vm-modules: the bundle imports
// through src/core/import-module.ts, whose one import() is the fallback for running from source
const imports = text.match(/\bimport\(/g)?.length ?? 0;
if (imports !== 1) throw new Error(`bundle: ${imports} import() calls in main.cjs, expected 1 (use importModule)`);
// esbuild heads each bundled file with a `// node_modules/<package>/…` comment
const eager = DEFERRED.filter((name) => text.includes(`\n// node_modules/${name}/`));
if (eager.length > 0) throw new Error(`bundle: main.cjs contains ${eager.join(', ')}, which must load on first use`);
await writeFile(main, text);
// the loader bin/tslim.js requires (CommonJS too: src/boot/run-bundle.ts and what it imports)
await build({
  ...commonJs,
  entryPoints: [new URL('boot/run-bundle.js', dist).pathname],
  outfile: new URL('boot.cjs', out).pathname,
});
await copyFile(new URL('compose/templates-precompiled.cjs', dist), new URL('templates-precompiled.cjs', out));
