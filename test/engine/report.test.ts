import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { writeFileAtomic } from '../../src/core/atomic-write.js';
import { followStream } from '../../src/docker/json-stream.js';
import { buildReport, MIN_IMAGE_LABEL } from '../../src/report/build-report.js';
import type { SizeReport } from '../../src/report/size-model.js';
import { renderReport } from '../../src/report/render.js';
import { REPORT_JSON_SCHEMA } from '../../src/report/format-json.js';
import { checkThresholds, parseThresholds } from '../../src/report/thresholds.js';
import { readWorld } from '../world/read-world.js';
import { buildContext } from '../world/build-context.js';
import { removeByLabel } from '../support/tiny-image.js';
import { compressedSizeOf } from '../../src/registry/compressed-size.js';
import { validate } from '../support/json-schema-lite.js';

const world = readWorld();
const engine = connectEngine();
const runId = `test-report-${newRunId()}`;
const [version, release] = Object.entries(world.releases)[0]!;
const kinds = ['backends', 'repoagents', 'caches'] as const;
/** Keep the two alphabetically first backends and the first cache: a subset like a real recipe. */
const keep = {
  backends: Object.keys(release.payload.backends).sort().slice(0, 2),
  repoagents: [] as string[],
  caches: Object.keys(release.payload.caches).sort().slice(0, 1),
};
const slimTag = `tslim-test/report-slim:${runId}`;
let report: SizeReport;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tslim-report-'));
  const copies = kinds.flatMap((kind) =>
    keep[kind].map(
      (name) => `COPY --from=${release.full} /opt/tritonserver/${kind}/${name} /opt/tritonserver/${kind}/${name}`,
    ),
  );
  const dockerfile = [
    `FROM ${release.min}`,
    ...copies,
    `LABEL ${RUN_LABEL}=${runId} ${MIN_IMAGE_LABEL}=${release.min}`,
    '',
  ].join('\n');
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: slimTag,
    labels: { [RUN_LABEL]: runId },
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${slimTag}` });
  report = await buildReport({ full: release.full, slim: slimTag }, { engine, runId });
}, 300_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
  await rm(tmp, { recursive: true, force: true });
});

describe(`report on world images (${version})`, () => {
  it('lists every component with the bytes the world put in, kept or dropped', () => {
    for (const kind of kinds) {
      const expected = Object.entries(release.payload[kind]).map(([name, bytes]) => ({
        kind,
        name,
        bytes,
        status: keep[kind].includes(name) ? 'kept' : 'dropped',
      }));
      const got = report.components.filter((c) => c.kind === kind);
      expect(got).toEqual(expect.arrayContaining(expected));
      expect(got).toHaveLength(expected.length);
    }
    const sizes = report.components.map((c) => c.bytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('sums kept and dropped bytes exactly', () => {
    let kept = 0;
    let dropped = 0;
    for (const kind of kinds) {
      for (const [name, bytes] of Object.entries(release.payload[kind])) {
        if (keep[kind].includes(name)) kept += bytes;
        else dropped += bytes;
      }
    }
    expect(report.payload.keptBytes).toBe(kept);
    expect(report.payload.droppedBytes).toBe(dropped);
  });

  it('shares the min layers with the full image and adds one layer per COPY', async () => {
    const min = await engine.getImage(release.min).inspect();
    expect(report.layers.shared).toBe(min.RootFS.Layers?.length);
    expect(report.layers.new).toBe(keep.backends.length + keep.caches.length);
    expect(report.saved.bytes).toBe(report.full.bytes - report.slim.bytes);
    expect(report.saved.bytes).toBeGreaterThan(0);
  });

  it('finds the min image by label and computes an ideal the slim image is close to', async () => {
    const min = await engine.getImage(release.min).inspect();
    expect(report.min?.bytes).toBe(min.Size);
    expect(report.ideal?.bytes).toBe(min.Size + report.payload.keptBytes);
    // the slim image is min + exactly the kept directories: only metadata separates it from ideal
    expect(report.ideal?.overheadBytes).toBeGreaterThanOrEqual(0);
    expect(report.ideal?.overheadBytes).toBeLessThan(0.01 * report.slim.bytes + 64 * 1024);
  });

  it('renders every format from the real report', async () => {
    const thresholds = checkThresholds(
      report,
      parseThresholds({ maxSize: `${report.slim.bytes - 1}`, minSaved: '1%' }),
    );
    expect(thresholds.map((t) => t.ok)).toEqual([false, true]);

    const json = JSON.parse(renderReport(report, 'json', thresholds)) as Record<string, unknown>;
    expect(validate(json, REPORT_JSON_SCHEMA as unknown as Record<string, unknown>)).toEqual([]);
    expect(json.ok).toBe(false);

    const md = renderReport(report, 'markdown', thresholds);
    const rows = md.split('\n').filter((l) => /^\| (backend|repoagent|cache) \|/.test(l));
    expect(rows).toHaveLength(report.components.length);

    const table = renderReport(report, 'table', thresholds);
    for (const c of report.components)
      expect(table).toMatch(new RegExp(`\\s${c.name}\\s+[\\d.]+ [kMG]?B\\s+${c.status}`));

    const file = join(tmp, 'report.html');
    await writeFileAtomic(file, renderReport(report, 'html', thresholds));
    const html = await readFile(file, 'utf8');
    expect(html).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>/);
    expect(html.match(/<rect /g)).toHaveLength(4 + report.components.length);
  });

  it('reads compressed sizes from the world registry: sum of the manifest layer sizes', async () => {
    const ref = `${world.registry.address}/${world.registry.repository}:${version}-py3`;
    const compressed = await compressedSizeOf(ref, { env: { DOCKER_CONFIG: world.registry.dockerConfig } });
    const user = world.registry.users[0];
    if (!user) throw new Error('world has no registry user');
    const res = await fetch(
      `http://${world.registry.address}/v2/${world.registry.repository}/manifests/${version}-py3`,
      {
        headers: {
          accept: 'application/vnd.docker.distribution.manifest.v2+json',
          authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
        },
      },
    );
    const manifest = (await res.json()) as { layers: { size: number }[] };
    expect(compressed).toBe(manifest.layers.reduce((a, l) => a + l.size, 0));
    expect(compressed).toBeLessThan(report.full.bytes);
    const withCompressed = await buildReport(
      { full: ref, slim: slimTag },
      {
        engine,
        runId,
        compressedSize: (r) => compressedSizeOf(r, { env: { DOCKER_CONFIG: world.registry.dockerConfig } }),
      },
    );
    expect(withCompressed.full.compressedBytes).toBe(compressed);
    expect(withCompressed.slim.compressedBytes).toBeUndefined(); // a local tag: no registry to ask
  }, 120_000);
  it('diffs the packages from the SBOMs: the debs of -min stay, the dropped components go, in every format', async () => {
    const [diff] = report.packages ?? [];
    expect(diff?.step).toBe('slim');
    const kind = (k: string) => diff!.kinds.find((row) => row.kind === k)!;
    // the slim image is the min image plus copies: no deb removed or added, but there are debs
    expect(kind('deb').full).toBeGreaterThan(100);
    expect(kind('deb')).toMatchObject({ removed: { count: 0, bytes: 0 }, added: { count: 0, bytes: 0 } });
    expect(kind('deb').target).toBe(kind('deb').full);
    // Triton components: the SBOM and inspect's payload agree on what went, by count and bytes
    expect(kind('triton').removed.count).toBe(report.payload.dropped);
    expect(kind('triton').removed.bytes).toBe(report.payload.droppedBytes);
    expect(diff!.removedNames).toContain(`triton:backend-${Object.keys(release.payload.backends).sort().at(-1)!}`);
    const markdown = renderReport(report, 'markdown');
    expect(markdown).toContain(`| slim | deb | ${kind('deb').full} | ${kind('deb').full} | 0 | 0 | - |`);
    expect(renderReport(report, 'table')).toMatch(/TO\s+KIND\s+FULL\s+TARGET\s+REMOVED\s+ADDED/);
  });
});
