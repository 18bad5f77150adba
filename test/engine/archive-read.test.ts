import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSmallFile, statPath, withScratchContainer } from '../../src/docker/archive.js';
import { connectEngine } from '../../src/docker/engine.js';
import { RUN_LABEL } from '../../src/core/labels.js';
import { readWorld } from '../world/read-world.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';

// readSmallFile reads a file with one archive GET per path and follows symlinks from the tar's
// header (no stat first): chains, absolute and relative links, dangling links, a loop.
const world = readWorld();
const engine = connectEngine();
const runId = `archive-read-${Date.now()}`;
const tag = `tslim-test/archive-read:${runId}`;

beforeAll(async () => {
  await buildTinyImage(engine, tag, runId, 1024, world.base, [
    'RUN mkdir -p /d/sub && printf "the text\\n" > /d/file' +
      ' && ln -s file /d/rel && ln -s /d/rel /d/abs && ln -s ../file /d/sub/up' +
      ' && ln -s missing /d/dangling && ln -s loop-b /d/loop-a && ln -s loop-a /d/loop-b' +
      ' && head -c 3000 /dev/zero | tr "\\0" x > /d/big',
  ]);
}, 120_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
});

describe('readSmallFile', () => {
  it('reads files through relative, absolute and chained links; undefined for missing and dangling paths, an error for a loop', async () => {
    const read = await withScratchContainer(engine, tag, runId, async (c) => ({
      file: await readSmallFile(c, '/d/file'),
      rel: await readSmallFile(c, '/d/rel'),
      abs: await readSmallFile(c, '/d/abs'),
      up: await readSmallFile(c, '/d/sub/up'),
      missing: await readSmallFile(c, '/d/none'),
      dangling: await readSmallFile(c, '/d/dangling'),
      loop: await readSmallFile(c, '/d/loop-a').catch((error: unknown) => error as Error),
      limited: await readSmallFile(c, '/d/big', 1000),
      whole: await readSmallFile(c, '/d/big'),
      linkStat: await statPath(c, '/d/rel'),
      osRelease: await readSmallFile(c, '/etc/os-release'),
    }));
    expect(read.file).toBe('the text\n');
    expect(read.rel).toBe('the text\n');
    expect(read.abs).toBe('the text\n');
    expect(read.up).toBe('the text\n');
    expect(read.missing).toBeUndefined();
    expect(read.dangling).toBeUndefined();
    // Docker refuses a link loop itself (500, evalSymlinksInScope: too many links): an error naming the path
    expect(read.loop).toBeInstanceOf(Error);
    expect((read.loop as Error).message).toMatch(/reading \/d\/loop-a: .*too many links/);
    expect(read.limited?.length).toBeLessThanOrEqual(1000); // over the limit: no more than it kept
    expect(read.whole).toBe('x'.repeat(3000));
    expect(read.linkStat?.linkTarget).toBe('/d/file'); // the engine's stat resolves it
    expect(read.osRelease).toMatch(/^ID=/m); // a link to ../usr/lib/os-release in Debian
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });
});
