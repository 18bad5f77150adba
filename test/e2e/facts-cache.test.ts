import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { readWorld } from '../world/read-world.js';

/**
 * The facts cache (src/inspect/facts-cache.ts): what a run read from an image's files is kept per
 * image id, so the same dry run or inspect again makes no container and answers the same. Checked
 * through the engine's own event log (containers tslim created, by its run label).
 */
const exec = promisify(execFile);
const world = readWorld();
const release = world.releases['24.09']!;
const engine = connectEngine();
let cacheDir = '';

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'tslim-facts-cache-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** Runs the CLI with the cache in cacheDir; returns the run and how many containers it created from the world's 24.09 images. */
async function withCreates(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ run: CliRun; creates: number }> {
  const images = new Set([release.full, release.min]);
  for (const ref of [release.full, release.min]) images.add((await engine.getImage(ref).inspect()).Id);
  // RFC 3339 times with milliseconds: the previous run ended just now (whole seconds would overlap it)
  const since = new Date().toISOString();
  // the container path (the layer store makes no container, cached or not: tested last)
  const run = await runCli(args, {
    env: { TSLIM_NO_CACHE: '', TSLIM_CACHE_DIR: cacheDir, TSLIM_LAYER_STORE: '0', ...env },
  });
  await new Promise((r) => setTimeout(r, 200));
  const until = new Date().toISOString();
  const { stdout } = await exec('docker', [
    'events',
    '--since',
    since,
    '--until',
    until,
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--filter',
    `label=${RUN_LABEL}`,
    '--format',
    '{{json .}}',
  ]);
  const creates = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes.image)
    .filter((image) => image !== undefined && images.has(image)).length;
  return { run, creates };
}

const dryRun = [
  'compose',
  '--dry-run',
  '--skip-pull',
  '--image',
  `full=${release.full}`,
  '--image',
  `min=${release.min}`,
  '--backend',
  'python',
];

describe('facts cache (built CLI)', () => {
  it('a second dry run of the same images makes no container and renders the same Dockerfile', async () => {
    const first = await withCreates(dryRun);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.creates).toBeGreaterThan(0);
    const second = await withCreates([...dryRun, '-v']);
    expect(second.run.code, second.run.stderr).toBe(0);
    expect(second.creates).toBe(0);
    expect(second.run.stderr).toContain(`facts of ${release.full} from the cache`);
    expect(second.run.stdout).toMatch(/^# Dockerfile\.compose/);
    expect(second.run.stdout).toBe(first.run.stdout);
  });

  it('inspect with sizes: the second run answers the same facts without a container', async () => {
    const args = ['inspect', release.full, '--json'];
    const first = await withCreates(args);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.creates).toBeGreaterThan(0);
    const second = await withCreates(args);
    expect(second.run.code, second.run.stderr).toBe(0);
    expect(second.creates).toBe(0);
    expect(JSON.parse(second.run.stdout)).toEqual(JSON.parse(first.run.stdout));
  });

  it('a damaged entry is a miss: the image is read again, the answer is the same', async () => {
    const args = ['inspect', release.full, '--json'];
    const good = await withCreates(args);
    const dir = join(cacheDir, 'facts');
    for (const file of await readdir(dir)) await writeFile(join(dir, file), '{"key": 1');
    const again = await withCreates(args);
    expect(again.run.code, again.run.stderr).toBe(0);
    expect(again.creates).toBeGreaterThan(0);
    expect(JSON.parse(again.run.stdout)).toEqual(JSON.parse(good.run.stdout));
  });

  it('read from the layer store, an uncached dry run and inspect make no container and answer the same', async () => {
    const viaContainers = await withCreates(dryRun, { TSLIM_NO_CACHE: '1' });
    const fromLayers = await withCreates([...dryRun, '-v'], { TSLIM_NO_CACHE: '1', TSLIM_LAYER_STORE: '' });
    expect(fromLayers.run.code, fromLayers.run.stderr).toBe(0);
    expect(viaContainers.creates).toBeGreaterThan(0);
    expect(fromLayers.creates).toBe(0);
    expect(fromLayers.run.stderr).toContain(`files of ${release.full}: read from the engine's layer store`);
    expect(fromLayers.run.stdout).toBe(viaContainers.run.stdout);
    const inspect = ['inspect', release.full, '--json'];
    const du = await withCreates(inspect, { TSLIM_NO_CACHE: '1' });
    const layers = await withCreates(inspect, { TSLIM_NO_CACHE: '1', TSLIM_LAYER_STORE: '' });
    expect(layers.creates).toBe(0);
    const facts = (run: CliRun): Record<string, unknown> =>
      (JSON.parse(run.stdout) as { image: Record<string, unknown> }).image;
    expect(facts(layers.run).sizeMethod).toBe('layers');
    expect({ ...facts(du.run), sizeMethod: 'layers' }).toEqual(facts(layers.run));
  });

  it('TSLIM_NO_CACHE: reads the image every time and writes no entry', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tslim-facts-nocache-'));
    try {
      const run = await withCreates(['inspect', release.full, '--json'], {
        TSLIM_NO_CACHE: '1',
        TSLIM_CACHE_DIR: empty,
      });
      expect(run.run.code, run.run.stderr).toBe(0);
      expect(run.creates).toBeGreaterThan(0);
      // no facts/ entry; code/ is the CLI's compiled code, which TSLIM_NO_CODE_CACHE governs
      expect((await readdir(empty)).filter((name) => name !== 'code')).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
