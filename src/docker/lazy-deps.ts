import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { pooledSshAgent, type ClientClass } from './ssh-pool.js';

/**
 * dockerode requires heavy modules at load time that most runs never call: docker-modem's ssh
 * agent (ssh2, ~40 ms here) and dockerode's BuildKit session (@grpc/grpc-js + @grpc/proto-loader +
 * protobufjs, ~60 ms; tslim's BuildKit path dials /build itself and never opens dockerode's session).
 * Both modules export a single function (docker-modem lib/ssh.js, dockerode lib/session.js), so
 * before dockerode is loaded their require-cache entries get a function that loads the real module
 * on its first call; docker-modem's ssh agent is replaced by tslim's pooled one (ssh-pool.ts),
 * which loads ssh2 on its first connection. dockerode is then required here, at run time: an `import` of it would be
 * evaluated before this module's body in the bundle (dist/bundle hoists external imports).
 * tar-fs, an object of functions, gets an object that loads it on first use (seedLazyObject).
 * If a dependency's layout changes (no such file), nothing is seeded and loading is eager as before.
 * This is the seeding of runs from source (tests) and of dist/; the built CLI (dist/bundle/main.cjs)
 * bundles dockerode, with the same modules replaced by stubs at build time (scripts/bundle-dockerode.mjs).
 */
const require = createRequire(import.meta.url);

type Fn = (...args: unknown[]) => unknown;

function seedLazy(filename: string): void {
  if (!existsSync(filename) || require.cache[filename]) return;
  let real: Fn | undefined;
  const lazy = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[filename];
      real = require(filename) as Fn;
    }
    return real.apply(this, args);
  };
  require.cache[filename] = { id: filename, filename, loaded: true, exports: lazy } as NodeJS.Module;
}

/** A module whose export is tslim's own. */
function seedExport(filename: string, exports: unknown): void {
  if (!existsSync(filename) || require.cache[filename]) return;
  require.cache[filename] = { id: filename, filename, loaded: true, exports } as NodeJS.Module;
}

/** The same for a module whose export is an object of functions (tar-fs: `pack`, `extract`). */
function seedLazyObject(filename: string): void {
  if (!existsSync(filename) || require.cache[filename]) return;
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => {
    if (!real) {
      delete require.cache[filename];
      real = require(filename) as Record<string | symbol, unknown>;
    }
    return real;
  };
  const lazy = new Proxy({}, { get: (_target, name) => load()[name], has: (_target, name) => name in load() });
  require.cache[filename] = { id: filename, filename, loaded: true, exports: lazy } as NodeJS.Module;
}

function seed(): void {
  try {
    const dockerode = require.resolve('dockerode');
    seedLazy(join(dirname(dockerode), 'session.js'));
    const modem = dirname(require.resolve('docker-modem', { paths: [dockerode] }));
    // docker-modem's ssh transport is replaced by tslim's pooled one (ssh-pool.ts), ssh2 loaded on use
    const ssh2 = require.resolve('ssh2', { paths: [modem] });
    seedExport(
      join(modem, 'ssh.js'),
      pooledSshAgent(() => (require(ssh2) as { Client: ClientClass }).Client),
    );
    // docker-modem's HttpDuplex (and readable-stream under it, ~8 ms) serves only a hijacked
    // stream with stdin open, which tslim never asks for; modem.js calls `new HttpDuplex(req, res)`,
    // and HttpDuplex returns a new instance of itself when called on another object, so the lazy
    // function's `new` yields the real one
    seedLazy(join(modem, 'http_duplex.js'));
    // dockerode's util requires tar-fs (and its streams) to pack a build context from a folder;
    // tslim always hands it a tar stream it packed itself
    seedLazyObject(require.resolve('tar-fs', { paths: [dockerode] }));
  } catch {
    // not resolvable from here: dockerode loads its modules itself
  }
}

/** dockerode's constructor, loaded with its ssh and session modules deferred. */
export function loadDockerode(): typeof Docker {
  seed();
  return require('dockerode') as typeof Docker;
}
