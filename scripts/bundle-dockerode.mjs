// The esbuild plugin of scripts/bundle.mjs that bundles dockerode (and docker-modem, debug, split-ca)
// into dist/bundle/main.cjs, so that its code is in V8's code cache with the rest of the CLI.
// src/docker/lazy-deps.ts defers dockerode's heavy modules at run time by seeding require's cache;
// in the bundle the same modules are replaced at build time by stubs that load the real module
// from node_modules on first use:
// - dockerode's BuildKit session (./session: @grpc/grpc-js, protobufjs) and its BuildKit progress
//   decoder (./buildkit: protobufjs, and a .proto file beside it), neither of which tslim calls;
// - docker-modem's ssh agent (./ssh: ssh2) becomes tslim's pooled one (src/docker/ssh-pool.ts),
//   which loads ssh2 on its first connection;
// - docker-modem's HttpDuplex (./http_duplex: readable-stream), for stdin-open hijacks tslim never
//   asks for; `new` of the stub yields the real one (HttpDuplex returns an instance of itself);
// - dockerode's tar-fs (folder build contexts: tslim always hands it a tar stream) and
//   docker-modem's node:https (TLS engines only): objects whose properties load the module.
// Each stub applies only where its importer still requires that name: if a dependency changes, the
// module is bundled as it is (eager), and scripts/bundle.mjs fails on finding it (DEFERRED).

import { readFile } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);

/** A stub for a module whose export is a function (`new` of it included). */
const function_ = (real) =>
  `const load = () => require(${JSON.stringify(real)});\n` +
  `module.exports = function (...args) { return load().apply(this, args); };\n`;
/** A stub for a module whose export is an object: each property read loads it. */
const object_ = (real) =>
  `const load = () => require(${JSON.stringify(real)});\n` +
  `module.exports = new Proxy({}, { get: (_t, name) => load()[name], has: (_t, name) => name in load() });\n`;
/** [importer (a path suffix), the specifier it requires, the stub's module text] */
const STUBS = [
  ['dockerode/lib/docker.js', './session', function_('dockerode/lib/session.js')],
  ['dockerode/lib/docker.js', './buildkit', object_('dockerode/lib/buildkit.js')],
  ['dockerode/lib/util.js', 'tar-fs', object_('tar-fs')],
  ['docker-modem/lib/modem.js', './http_duplex', function_('docker-modem/lib/http_duplex.js')],
  ['docker-modem/lib/http.js', 'https', object_('node:https')],
  [
    'docker-modem/lib/modem.js',
    './ssh',
    `const ssh2 = require.resolve('ssh2', { paths: [require.resolve('docker-modem')] });\n` +
      `module.exports = require(${JSON.stringify(new URL('docker/ssh-pool.js', dist).pathname)})` +
      `.pooledSshAgent(() => require(ssh2).Client);\n`,
  ],
];

/** The specifiers STUBS replaces, as esbuild's resolve filter. */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const SPECIFIERS = new RegExp(`^(${[...new Set(STUBS.map(([, name]) => escape(name)))].join('|')})$`);

/** Packages the bundle must not contain (scripts/bundle.mjs fails the build): what the stubs defer. */
export const DEFERRED = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'readable-stream', 'tar-fs'];

export const dockerodeBundled = {
  name: 'dockerode-bundled',
  setup(b) {
    // the bundle's loadDockerode: dockerode is bundled, its heavy parts are the stubs below
    b.onLoad({ filter: /[\\/]dist[\\/]docker[\\/]lazy-deps\.js$/ }, () => ({
      contents: "export function loadDockerode() { return require('dockerode'); }\n",
      loader: 'js',
    }));
    b.onResolve({ filter: SPECIFIERS }, (args) => {
      const importer = args.importer.replaceAll('\\', '/');
      const index = STUBS.findIndex(([from, name]) => name === args.path && importer.endsWith(`/node_modules/${from}`));
      return index < 0 ? undefined : { path: String(index), namespace: 'tslim-deferred' };
    });
    // docker-modem formats every request's options (util.inspect, unlimited depth: the agent with its
    // sockets) for its debug log even when that log is off: formatted only when DEBUG enables it
    b.onLoad({ filter: /docker-modem[\\/]lib[\\/]modem\.js$/ }, async (args) => {
      const always = "debug('Sending: %s', util.inspect(options, {";
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(always))
        console.warn('bundle: docker-modem formats each request for its log (its line changed)');
      return { contents: text.replace(always, `if (debug.enabled) ${always}`), loader: 'js' };
    });
    // the real modules stay outside: a stub requires them from node_modules when first used
    b.onResolve({ filter: /.*/, namespace: 'tslim-deferred' }, (args) =>
      args.path.startsWith('/') ? undefined : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'tslim-deferred' }, (args) => ({
      contents: STUBS[Number(args.path)][2],
      loader: 'js',
      resolveDir: new URL('docker/', dist).pathname,
    }));
  },
};
