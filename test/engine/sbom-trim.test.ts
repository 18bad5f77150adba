import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_LABELS, newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream } from '../../src/docker/json-stream.js';
import { inspectImageRaw } from '../../src/docker/images.js';
import { buildReport } from '../../src/report/build-report.js';
import { readInventory } from '../../src/sbom/read-inventory.js';
import { toCycloneDx } from '../../src/sbom/cyclonedx.js';
import { removeByLabel } from '../support/tiny-image.js';
import { buildContext } from '../world/build-context.js';
import { readWorld } from '../world/read-world.js';

// A trimmed image as the SBOM and the report see it: an image labelled dev.tslim.trim whose
// `from` the engine still has. Made here by deleting a deb's files and an NVIDIA library in a layer
// over the min image (whiteouts: the layer store's view must apply them), labelled as compose
// --trim labels its images.
const world = readWorld();
const release = world.releases['24.09']!;
const engine = connectEngine();
const runId = `test-sbom-trim-${newRunId()}`;
const tag = `tslim-test/sbom-trim:${runId}`;
const GONE = ['usr/bin/diff', 'usr/bin/cmp'];
const LIBRARY = 'usr/lib/x86_64-linux-gnu/libcudnn_adv.so.9.3.0';
let fromId: string;

beforeAll(async () => {
  fromId = (await inspectImageRaw(engine, release.min))!.Id;
  const label = JSON.stringify({ from: fromId, removedBytes: 1, byCategory: { 'unused-library': 1 } });
  const dockerfile = [`FROM ${release.min}`, `RUN rm -f ${[...GONE, LIBRARY].map((p) => `/${p}`).join(' ')}`, ''].join(
    '\n',
  );
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: tag,
    labels: { [RUN_LABEL]: runId, [IMAGE_LABELS.trim]: label },
    rm: true,
    forcerm: true,
    networkmode: 'none',
  });
  await followStream(stream, { what: `build of ${tag}` });
}, 300_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
});

describe('a trimmed image in the SBOM and the report', () => {
  it('marks the deb whose files went as partial, with the files and bytes removed; the rest complete', async () => {
    const [trimmed, untrimmed] = await Promise.all([readInventory(engine, tag), readInventory(engine, release.min)]);
    expect(trimmed.image.trim).toEqual({ from: fromId, basis: 'untrimmed-image' });
    const partial = trimmed.packages.filter((p) => p.completeness === 'partial');
    expect(partial.map((p) => p.name)).toEqual(['diffutils']);
    const before = untrimmed.packages.find((p) => p.name === 'diffutils')!;
    const after = partial[0]!;
    expect(after.removed?.files).toBe(2);
    expect(after.bytes + after.removed!.bytes).toBe(before.bytes);
    expect(trimmed.packages.some((p) => p.path === `/${LIBRARY}`)).toBe(false);
    const doc = JSON.parse(await toCycloneDx(trimmed, { toolVersion: '0.0.0-test' })) as {
      compositions: { aggregate: string; assemblies: string[] }[];
    };
    expect(doc.compositions.find((c) => c.aggregate === 'incomplete')?.assemblies).toHaveLength(1);
  }, 120_000);

  it('report: full -> the untrimmed image, and full -> trimmed with the partial packages', async () => {
    const report = await buildReport({ full: release.full, slim: tag }, { engine, runId });
    expect(report.packages?.map((d) => d.step)).toEqual(['slim', 'trimmed']);
    const [slim, trimmed] = report.packages!;
    const kind = (d: typeof slim, k: string) => d!.kinds.find((row) => row.kind === k)!;
    expect(kind(slim, 'nvidia-library').removed.count).toBe(0);
    expect(kind(trimmed, 'nvidia-library').removed.count).toBe(1);
    expect(trimmed!.removedNames).toContain(`nvidia-library:/${LIBRARY}`);
    expect(kind(trimmed, 'deb').partial.count).toBe(1);
    expect(kind(trimmed, 'deb').partial.bytes).toBeGreaterThan(0);
    expect(kind(slim, 'deb').partial.count).toBe(0);
  }, 120_000);
});
