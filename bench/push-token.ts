/**
 * Push time via token auth vs Basic auth for the same image size: `npx vite-node bench/push-token.ts
 * [-- --rounds 5 --mb 20]` on the running test world (no build of the world, nothing restarted).
 * Each round builds fresh images of random bytes (so no push finds blobs of another: no cross-repo
 * mounts) and pushes one each, in alternating order, with pushImage (what `tslim push` runs) to:
 *   basic   127.0.0.1:5055  distribution, htpasswd (bcrypt) Basic auth
 *   token   127.0.0.1:5057  distribution, auth: token; tokens from the Harbor double on 5058
 *   harbor  127.0.0.1:5058  the same registry through the Harbor double's front (as Harbor's nginx)
 * Prints one JSON line; figures of one run in bench/push-token.md.
 */
import { parseArgs } from 'node:util';
import { connectEngine } from '../src/docker/engine.js';
import { newRunId } from '../src/core/labels.js';
import { silentLogger } from '../src/core/logger.js';
import { silentProgress } from '../src/core/progress.js';
import { pushImage } from '../src/registry/push.js';
import { readWorld } from '../test/world/read-world.js';
import { buildTinyImage, removeByLabel } from '../test/support/tiny-image.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { rounds: { type: 'string', default: '5' }, mb: { type: 'string', default: '20' } },
});
const rounds = Number(values.rounds);
const bytes = Math.round(Number(values.mb) * 1024 * 1024);
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token`');
const basicUser = world.registry.users[0];
const tokenUser = token.users.find((u) => u.username === 'tslim');
if (!basicUser || !tokenUser) throw new Error('world.json lacks the tslim users');

const targets = {
  basic: { host: world.registry.address, repo: 'tslim-bench/push-auth', user: basicUser },
  token: { host: token.address, repo: 'triton/bench-push-auth', user: tokenUser },
  harbor: { host: token.harbor, repo: 'triton/bench-push-auth-front', user: tokenUser },
} as const;
type Kind = keyof typeof targets;

const engine = connectEngine();
const runId = `bench-token-${newRunId()}`;
const times: Record<Kind, { totalMs: number[]; engineMs: number[] }> = {
  basic: { totalMs: [], engineMs: [] },
  token: { totalMs: [], engineMs: [] },
  harbor: { totalMs: [], engineMs: [] },
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

try {
  const kinds = Object.keys(targets) as Kind[];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...kinds].reverse() : kinds;
    for (const kind of order) {
      const { host, repo, user } = targets[kind];
      const image = `tslim-bench/push-auth-${kind}:${runId}-${round}`;
      await buildTinyImage(engine, image, runId, bytes);
      const started = performance.now();
      const result = await pushImage(
        {
          image,
          ref: `${host}/${repo}:${runId}-${round}`,
          auth: { username: user.username, password: user.password, serveraddress: host },
        },
        { engine, log: silentLogger, progress: silentProgress },
      );
      times[kind].totalMs.push(performance.now() - started);
      times[kind].engineMs.push(result.durationMs);
      process.stderr.write(`round ${round + 1}/${rounds} ${kind}: ${Math.round(performance.now() - started)} ms\n`);
    }
  }
} finally {
  await removeByLabel(engine, runId);
}

const summary = Object.fromEntries(
  (Object.keys(times) as Kind[]).map((k) => [
    k,
    {
      medianTotalMs: Math.round(median(times[k].totalMs)),
      minTotalMs: Math.round(Math.min(...times[k].totalMs)),
      medianEngineMs: Math.round(median(times[k].engineMs)),
      totalMs: times[k].totalMs.map(Math.round),
    },
  ]),
);
process.stdout.write(JSON.stringify({ rounds, imageMiB: bytes / 1024 / 1024, summary }) + '\n');
