import { describe, expect, it } from 'vitest';
import { parseDpkgStatus, parseList } from '../../src/sbom/dpkg.js';
import type { FileEntry, ImageFiles } from '../../src/sbom/image-files.js';
import { buildInventory, type Inventory } from '../../src/sbom/inventory.js';
import { libraryVersion } from '../../src/sbom/nvidia-libs.js';
import { metadataFiles, parseMetadata, parseRecord } from '../../src/sbom/python.js';
import { toCycloneDx } from '../../src/sbom/cyclonedx.js';
import { diffPackages } from '../../src/report/package-diff.js';
import { buildSizeModel } from '../../src/report/size-model.js';
import { formatTable } from '../../src/report/format-table.js';
import { formatMarkdown } from '../../src/report/format-markdown.js';
import { formatHtml } from '../../src/report/format-html.js';
import type { ImageFacts } from '../../src/inspect/facts.js';

const STATUS = `Package: bash
Status: install ok installed
Installed-Size: 7000
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Version: 5.2.15-2+b2
Source: bash (5.2.15-2)
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u3)
Version: 1:2.38.1-5+deb12u3

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: python3-six
Status: install ok installed
Architecture: all
Version: 1.16.0-4
`;

function files(texts: Record<string, string>, extra: Record<string, FileEntry> = {}): ImageFiles {
  const entries = new Map<string, FileEntry>();
  for (const [path, text] of Object.entries(texts)) entries.set(path, { type: 'file', size: text.length });
  for (const [path, e] of Object.entries(extra)) entries.set(path, e);
  return {
    entries,
    method: 'layers',
    text: (p) => Promise.resolve(texts[p]),
    soname: (p) => Promise.resolve(p.endsWith('libcudnn.so.9.1.0') ? 'libcudnn.so.9' : undefined),
  };
}

const world = {
  'etc/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\n',
  'var/lib/dpkg/status': STATUS,
  'var/lib/dpkg/info/bash.list': '/.\n/bin\n/bin/bash\n/usr/share/doc/bash/copyright\n',
  'var/lib/dpkg/info/python3-six.list':
    '/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n/usr/lib/python3/dist-packages/six.py\n',
  'usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO': 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n',
  'usr/local/lib/python3.10/dist-packages/numpy-1.26.4.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\nLicense: BSD-3-Clause\n\nName: not-this\n',
  'usr/local/lib/python3.10/dist-packages/numpy-1.26.4.dist-info/RECORD':
    'numpy/__init__.py,sha256=x,10\nnumpy-1.26.4.dist-info/METADATA,,\n"numpy/odd,name.py",sha256=y,3\n../../../bin/f2py,,\n',
  'opt/tritonserver/TRITON_VERSION': '2.50.0\n',
};
const extra: Record<string, FileEntry> = {
  bin: { type: 'directory', size: 0 },
  'bin/bash': { type: 'file', size: 1_000_000 },
  'usr/share/doc/bash/copyright': { type: 'file', size: 100 },
  'usr/lib/python3/dist-packages/six.py': { type: 'file', size: 30_000 },
  'usr/local/lib/python3.10/dist-packages/numpy/__init__.py': { type: 'file', size: 5000 },
  'usr/local/bin/f2py': { type: 'file', size: 200 },
  'opt/tritonserver': { type: 'directory', size: 0 },
  'opt/tritonserver/bin/tritonserver': { type: 'file', size: 900 },
  'opt/tritonserver/backends/python': { type: 'directory', size: 0 },
  'opt/tritonserver/backends/python/libtriton_python.so': { type: 'file', size: 400 },
  'usr/lib/x86_64-linux-gnu/libcudnn.so.9.1.0': { type: 'file', size: 7000 },
  'usr/lib/x86_64-linux-gnu/libcudnn.so.9': { type: 'symlink', size: 0, linkname: 'libcudnn.so.9.1.0' },
};

describe('sbom parsers', () => {
  it('dpkg status: installed packages only, epoch kept, source when it differs', () => {
    const pkgs = parseDpkgStatus(STATUS);
    expect(pkgs.map((p) => `${p.name}@${p.version}`)).toEqual([
      'bash@5.2.15-2+b2',
      'bsdutils@1:2.38.1-5+deb12u3',
      'python3-six@1.16.0-4',
    ]);
    expect(pkgs[0]).toMatchObject({ source: { name: 'bash', version: '5.2.15-2' }, installedKiB: 7000 });
    expect(pkgs[1]?.source).toEqual({ name: 'util-linux', version: '2.38.1-5+deb12u3' });
    expect(parseList('/.\n/bin\n/bin/bash\n')).toEqual(['bin', 'bin/bash']);
  });

  it('python metadata: the header block only; RECORD paths resolved against site-packages, quoted names too', () => {
    expect(parseMetadata('Name: numpy\nVersion: 1.26.4\n\nName: body\n')).toEqual({ name: 'numpy', version: '1.26.4' });
    expect(
      parseRecord('a/b.py,sha256=x,1\n"c,d.py",,\n../../../bin/x,,\n', 'usr/lib/python3/site-packages/a-1.dist-info'),
    ).toEqual(['usr/lib/python3/site-packages/a/b.py', 'usr/lib/python3/site-packages/c,d.py', 'usr/bin/x']);
    const found = metadataFiles(
      new Map<string, { type: string }>([
        ['x/site-packages/a-1.dist-info/METADATA', { type: 'file' }],
        ['x/dist-packages/b-1.egg-info', { type: 'file' }],
        ['x/dist-packages/c-1.egg-info', { type: 'directory' }],
        ['x/dist-packages/c-1.egg-info/PKG-INFO', { type: 'file' }],
        ['x/elsewhere/d-1.dist-info/METADATA', { type: 'file' }],
      ]),
    );
    expect(found).toEqual([
      'x/dist-packages/b-1.egg-info',
      'x/dist-packages/c-1.egg-info/PKG-INFO',
      'x/site-packages/a-1.dist-info/METADATA',
    ]);
  });

  it('NVIDIA library names from SONAME, versions from the file name', () => {
    expect(libraryVersion('libcudnn.so.9.1.0', 'libcudnn.so.9')).toEqual({ name: 'libcudnn', version: '9.1.0' });
    expect(libraryVersion('libnvrtc-builtins.so', 'libnvrtc-builtins.so.12.6')).toEqual({
      name: 'libnvrtc-builtins',
      version: '12.6',
    });
    expect(libraryVersion('libfoo.so', undefined)).toEqual({ name: 'libfoo', version: 'unknown' });
  });
});

describe('inventory', () => {
  it('lists debs, Python distributions (tied to the deb that installed them), Triton components, NVIDIA libraries', async () => {
    const inv = await buildInventory({ ref: 'img', id: 'sha256:1', env: {}, files: files(world, extra) });
    const by = (kind: string) => inv.packages.filter((p) => p.kind === kind);
    expect(by('deb').map((p) => p.name)).toEqual(['bash', 'bsdutils', 'python3-six']);
    expect(by('deb')[0]?.bytes).toBe(1_000_100);
    // no .list: Installed-Size stands in
    expect(by('deb')[1]?.bytes).toBe(0);
    expect(by('python').map((p) => [p.name, p.installedBy])).toEqual([
      ['numpy', undefined],
      ['six', 'python3-six'],
    ]);
    // RECORD: __init__.py, METADATA itself, ../../../bin/f2py; the quoted odd name is not in the image
    const metadata = world['usr/local/lib/python3.10/dist-packages/numpy-1.26.4.dist-info/METADATA'].length;
    expect(by('python')[0]).toMatchObject({ bytes: 5000 + 200 + metadata, license: 'BSD-3-Clause' });
    expect(by('triton').map((p) => `${p.name}@${p.version}`)).toEqual(['backend-python@2.50.0', 'tritonserver@2.50.0']);
    expect(by('nvidia-library')).toEqual([
      expect.objectContaining({ name: 'libcudnn', version: '9.1.0', soname: 'libcudnn.so.9', bytes: 7000 }),
    ]);
    expect(inv.image.os).toEqual({ id: 'ubuntu', versionId: '22.04' });
  });

  it('a trimmed image: packages whose files the trim removed are partial, with what went', async () => {
    const untrimmed = files(world, extra).entries;
    const trimmedExtra = { ...extra };
    delete trimmedExtra['usr/share/doc/bash/copyright'];
    const inv = await buildInventory({
      ref: 'trimmed',
      id: 'sha256:2',
      env: {},
      files: files(world, trimmedExtra),
      trim: { from: 'sha256:1', baseline: untrimmed },
    });
    const bash = inv.packages.find((p) => p.name === 'bash');
    expect(bash).toMatchObject({ completeness: 'partial', removed: { files: 1, bytes: 100 }, bytes: 1_000_000 });
    expect(inv.packages.filter((p) => p.completeness === 'partial')).toHaveLength(1);
    expect(inv.image.trim).toEqual({ from: 'sha256:1', basis: 'untrimmed-image' });

    const doc = JSON.parse(await toCycloneDx(inv, { toolVersion: '0.0.0', timestamp: new Date(0) })) as {
      specVersion: string;
      compositions: { aggregate: string; assemblies: string[] }[];
      components: { name: string; 'bom-ref': string; properties: { name: string; value: string }[] }[];
    };
    expect(doc.specVersion).toBe('1.6');
    const partial = doc.compositions.find((c) => c.aggregate === 'incomplete');
    const bashRef = doc.components.find((c) => c.name === 'bash')?.['bom-ref'];
    expect(partial?.assemblies).toEqual([bashRef]);
    expect(doc.components.find((c) => c.name === 'bash')?.properties).toEqual(
      expect.arrayContaining([{ name: 'tslim:package:completeness', value: 'partial' }]),
    );
  });
});

describe('report package diff', () => {
  const inv = (ref: string, names: [string, number][], partial: string[] = []): Inventory => ({
    schema: 'tslim.sbom/v1',
    image: { ref, id: ref },
    method: 'layers',
    notes: [],
    packages: names.map(([name, bytes]) => ({
      kind: 'deb',
      name,
      version: '1',
      bytes,
      architecture: 'amd64',
      completeness: partial.includes(name) ? 'partial' : 'complete',
      ...(partial.includes(name) ? { removed: { files: 2, bytes: 50 } } : {}),
    })),
  });
  const full = inv('full', [
    ['a', 100],
    ['b', 200],
    ['c', 300],
  ]);

  it('counts and bytes removed and added, and partial packages of a trim', () => {
    const slim = diffPackages(
      full,
      inv('slim', [
        ['a', 100],
        ['b', 200],
        ['d', 7],
      ]),
      'slim',
    );
    const deb = slim.kinds.find((k) => k.kind === 'deb');
    expect(deb).toMatchObject({ full: 3, target: 3, removed: { count: 1, bytes: 300 }, added: { count: 1, bytes: 7 } });
    expect(slim.removedNames).toEqual(['deb:c']);
    expect(slim.addedNames).toEqual(['deb:d']);
    const trimmed = diffPackages(full, inv('trimmed', [['a', 50]], ['a']), 'trimmed');
    expect(trimmed.kinds.find((k) => k.kind === 'deb')).toMatchObject({
      removed: { count: 2, bytes: 500 },
      partial: { count: 1, bytes: 50 },
    });
  });

  it('appears in the table, Markdown and HTML', () => {
    const facts = (ref: string): ImageFacts =>
      ({
        ref,
        id: ref,
        size: 1000,
        layers: [],
        labels: {},
        backends: [],
        repoagents: [],
        caches: [],
      }) as unknown as ImageFacts;
    const report = buildSizeModel({
      full: facts('full'),
      slim: facts('slim'),
      packages: [diffPackages(full, inv('slim', [['a', 100]]), 'slim')],
    });
    expect(formatTable(report)).toMatch(/slim\s+deb\s+3\s+1\s+2 \(500 B\)\s+0\s+-/);
    expect(formatMarkdown(report)).toContain('| slim | deb | 3 | 1 | 2 (500 B) | 0 | - |');
    expect(formatHtml(report)).toContain('<td class="n">2 (500 B)</td>');
  });
});
