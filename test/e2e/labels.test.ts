import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { spawnCli } from '../support/spawn-cli.js';
import { readWorld } from '../world/read-world.js';

/**
 * Every container tslim creates carries dev.tslim.run. The one exception is the classic builder's
 * intermediate container per RUN/COPY step: the Engine API's /build has no label for those (its
 * `labels` go on the image), so tslim builds with forcerm and this test checks none is left.
 */
const world = readWorld();
const engine = connectEngine();
const tag = `tslim-test/labels:${Date.now().toString(36)}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await engine
    .getImage(tag)
    .remove({ force: true })
    .catch(() => undefined);
});

describe('the dev.tslim.run label', () => {
  it('is on every container of a compose build + verify; build intermediates are removed', async () => {
    const known = new Set((await engine.listContainers({ all: true })).map((c) => c.Id));
    const dir = await mkdtemp(join(tmpdir(), 'tslim-labels-'));
    const seen = new Map<string, { labelled: boolean; intermediate: boolean; what: string }>();
    const cli = spawnCli(
      [
        'compose',
        '--version',
        '24.09',
        '--backend',
        'python',
        '--registry-mirror',
        world.mirror,
        '--cuda-repo',
        world.apt.cudaRepo,
        '--pip-index-url',
        world.pypi.url,
        '--pip-trusted-host',
        world.pypi.trustedHost,
        '--skip-pull',
        '--no-cache',
        // build-step containers are the classic builder's (BuildKit runs its steps in no container)
        '--builder',
        'classic',
        '--output-name',
        tag,
        '--work-dir',
        dir,
        '--verify',
        '--gpus',
        'none',
      ],
      { env: { DOCKER_CONFIG: world.registry.dockerConfig } },
    );
    let ended = false;
    void cli.done.then(() => (ended = true));
    while (!ended) {
      for (const c of await engine.listContainers({ all: true })) {
        if (known.has(c.Id) || seen.has(c.Id)) continue;
        seen.set(c.Id, {
          labelled: c.Labels[RUN_LABEL] !== undefined,
          intermediate: c.Labels[RUN_LABEL] === undefined && c.Command.includes('/bin/sh -c '),
          what: `${c.Image} ${c.Command}`,
        });
      }
      await sleep(100);
    }
    const run = await cli.done;
    // other engineers' tests may build beside this one: a step container is ours when its command is
    // a line of our Dockerfile (RUN), or its target path is one (COPY/ENV/LABEL as '#(nop)')
    const flat = (text: string): string => text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ');
    const dockerfile = flat(await readFile(join(dir, 'Dockerfile.compose'), 'utf8'));
    await rm(dir, { recursive: true, force: true });
    const ofThisRun = (what: string): boolean => {
      // the list shows a RUN step's script single-quoted: compare its first 40 characters
      const cmd = flat(what.replace(/^.*?\/bin\/sh -c /, ''))
        .replace(/^'/, '')
        .replace(/^#\(nop\) ' '/, '#(nop) ');
      if (!cmd.startsWith('#(nop)')) return dockerfile.includes(cmd.slice(0, 40));
      return dockerfile.includes(cmd.trim().split(' ').at(-1) ?? '\0');
    };
    expect(run.code, run.stderr).toBe(0);
    const all = [...seen.values()].filter((c) => !c.intermediate || ofThisRun(c.what));
    // the run did make containers of both kinds: scratch/server ones (labelled) and build steps
    expect(all.some((c) => c.labelled)).toBe(true);
    expect(all.some((c) => c.intermediate)).toBe(true);
    // tslim's own containers (not the builder's step containers) all carry the label; but other
    // engineers' tests may run beside this one, so only containers of this run's images count
    const sources = await Promise.all(
      [
        `${world.mirror.split('=')[1]}/nvidia/tritonserver:24.09-py3`,
        `${world.mirror.split('=')[1]}/nvidia/tritonserver:24.09-py3-min`,
      ].map(async (r) => (await engine.getImage(r).inspect()).Id),
    );
    const ours = all.filter(
      (c) => !c.intermediate && (c.what.startsWith(`${tag} `) || sources.some((id) => c.what.startsWith(`${id} `))),
    );
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((c) => !c.labelled)).toEqual([]);
    const left = (await engine.listContainers({ all: true })).filter(
      (c) => seen.has(c.Id) && (!c.Command.includes('/bin/sh -c ') || ofThisRun(`${c.Image} ${c.Command}`)),
    );
    expect(left.map((c) => `${c.Image} ${c.Command}`)).toEqual([]);
  });
});
