import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { runCli as tslim } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { readWorld } from '../world/read-world.js';

// `tslim sbom` (built CLI): stdout, --json, --output, the two ways of reading an image, bad input.
const release = readWorld().releases['24.09']!;

interface Doc {
  specVersion: string;
  bomFormat: string;
  metadata: { component: { name: string } };
  components: { purl: string; version: string; properties: { name: string; value: string }[] }[];
}
interface SbomJson {
  ok: boolean;
  sbom: { readFrom: string; summary: Record<string, { packages: number }>; document?: Doc; output?: string };
}

const purls = (doc: Doc): string[] =>
  doc.components
    .map((c) => `${c.purl} ${c.properties.find((p) => p.name === 'tslim:package:path')?.value ?? ''}`)
    .sort();

describe('tslim sbom (built CLI)', () => {
  it('prints CycloneDX 1.6 JSON; the layer store and a container export list the same packages', async () => {
    const layers = await tslim(['sbom', release.full]);
    expect(layers.code, layers.stderr).toBe(0);
    const doc = JSON.parse(layers.stdout) as Doc;
    expect(doc).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      metadata: { component: { name: release.full } },
    });
    expect(doc.components.length).toBeGreaterThan(300);

    const exported = await tslim(['sbom', release.full, '--json'], { env: { TSLIM_LAYER_STORE: '0' } });
    expect(exported.code, exported.stderr).toBe(0);
    const out = JSON.parse(exported.stdout) as SbomJson;
    expect(out.sbom.readFrom).toBe('export');
    expect(out.sbom.summary.triton?.packages).toBe(Object.keys(release.payload.backends).length + 4);
    expect(purls(out.sbom.document!)).toEqual(purls(doc));
  }, 300_000);

  it('--output writes the file (whole, renamed into place) and nothing to stdout', async () => {
    const file = path.join(await tempDir('sbom'), 'min.cdx.json');
    const r = await tslim(['sbom', release.min, '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(await readFile(file, 'utf8')) as Doc;
    expect(doc.components.some((c) => c.purl.startsWith('pkg:deb/'))).toBe(true);
    // the min image has no /opt/tritonserver: no Triton components
    expect(doc.components.some((c) => c.purl.startsWith('pkg:generic/nvidia/tritonserver'))).toBe(false);
  }, 120_000);

  it('refuses --format spdx (exit 2, says why) and a missing image (its exit code)', async () => {
    const spdx = await tslim(['sbom', release.min, '--format', 'spdx']);
    expect(spdx.code).toBe(2);
    expect(spdx.stderr).toContain('no maintained JavaScript library writes SPDX 2.3');
    const missing = await tslim(['sbom', 'tslim-test/no-such-image:sbom', '--json']);
    expect(missing.code).toBe(ERROR_CODES.IMAGE_NOT_FOUND);
  }, 60_000);
});
