import { compareText } from '../core/compare.js';
import { listPaths, parseDpkgStatus, parseList } from './dpkg.js';
import type { FileEntry, ImageFiles } from './image-files.js';
import { nvidiaLibraries } from './nvidia-libs.js';
import { metadataFiles, parseInstalledFiles, parseMetadata, parseRecord } from './python.js';
import { tritonComponents } from './triton.js';

export { INVENTORY_SCHEMA, type Inventory, type InventoryPackage, type PackageKind } from './inventory-types.js';
import { INVENTORY_SCHEMA, type Inventory, type InventoryPackage } from './inventory-types.js';

export interface InventoryInput {
  ref: string;
  id: string;
  env: Record<string, string>;
  files: ImageFiles;
  /** For a trimmed image: its label's `from`, and that image's entries when the engine still has it. */
  trim?: { from: string; baseline?: ReadonlyMap<string, FileEntry> };
}

/** Lists what is inside an image from its files; no engine, no network. */
export async function buildInventory(input: InventoryInput): Promise<Inventory> {
  const { files } = input;
  const notes: string[] = [];
  const packages: InventoryPackage[] = [];
  const owners = new Map<string, string>();
  const gone = removedTest(files.entries, input.trim);

  const osText = (await files.text('etc/os-release')) ?? (await files.text('usr/lib/os-release'));
  const os = osText ? parseOs(osText) : undefined;

  const status = await files.text('var/lib/dpkg/status');
  if (status !== undefined) {
    for (const deb of parseDpkgStatus(status)) {
      let listed: string[] | undefined;
      for (const path of listPaths(deb)) {
        const text = await files.text(path);
        if (text !== undefined) {
          listed = parseList(text);
          break;
        }
      }
      for (const path of listed ?? []) if (!owners.has(path)) owners.set(path, deb.name);
      const measured = listed ? measure(listed, files.entries, gone) : undefined;
      packages.push({
        kind: 'deb',
        name: deb.name,
        version: deb.version,
        bytes: measured?.bytes ?? (deb.installedKiB ?? 0) * 1024,
        ...completeness(measured),
        architecture: deb.architecture,
        ...(deb.source && (deb.source.name !== deb.name || deb.source.version !== deb.version)
          ? { source: deb.source }
          : {}),
        ...(deb.maintainer ? { supplier: deb.maintainer } : {}),
        ...(deb.homepage ? { homepage: deb.homepage } : {}),
      });
    }
  } else if ([...files.entries.keys()].some((p) => p.startsWith('var/lib/rpm/'))) {
    notes.push(
      "the image has an rpm database (/var/lib/rpm); tslim does not read rpm's database: OS packages not listed",
    );
  }

  for (const metadataPath of metadataFiles(files.entries)) {
    const text = await files.text(metadataPath);
    const meta = text === undefined ? {} : parseMetadata(text);
    if (!meta.name || !meta.version) {
      notes.push(`/${metadataPath}: no Name or Version; not listed`);
      continue;
    }
    const infoPath = metadataPath.replace(/\/(METADATA|PKG-INFO)$/, '');
    const record = infoPath.endsWith('.dist-info') ? await files.text(`${infoPath}/RECORD`) : undefined;
    const installed = infoPath.endsWith('.egg-info') ? await files.text(`${infoPath}/installed-files.txt`) : undefined;
    const listed =
      record !== undefined
        ? parseRecord(record, infoPath)
        : installed !== undefined
          ? parseInstalledFiles(installed, infoPath)
          : undefined;
    const measured = listed ? measure(listed, files.entries, gone) : undefined;
    const owner = owners.get(metadataPath) ?? owners.get(infoPath);
    for (const path of listed ?? []) if (!owners.has(path)) owners.set(path, `${meta.name}==${meta.version}`);
    packages.push({
      kind: 'python',
      name: meta.name,
      version: meta.version,
      bytes: measured?.bytes ?? 0,
      ...completeness(measured),
      path: infoPath,
      ...(owner ? { installedBy: owner } : {}),
      ...(meta.license ? { license: meta.license } : {}),
    });
  }

  const tritonVersion =
    input.env.TRITON_SERVER_VERSION ?? (await files.text('opt/tritonserver/TRITON_VERSION'))?.trim();
  packages.push(...tritonComponents(files.entries, tritonVersion));
  for (const lib of await nvidiaLibraries(files, owners)) packages.push(lib);

  packages.sort(
    (a, b) =>
      compareText(a.kind, b.kind) ||
      compareText(a.name, b.name) ||
      compareText(a.version, b.version) ||
      compareText(a.path ?? '', b.path ?? ''),
  );
  const containerVersion = input.env.NVIDIA_TRITON_SERVER_VERSION;
  return {
    schema: INVENTORY_SCHEMA,
    image: {
      ref: input.ref,
      id: input.id,
      ...(os ? { os } : {}),
      ...(tritonVersion ? { tritonVersion } : {}),
      ...(containerVersion ? { containerVersion } : {}),
      ...(input.trim
        ? { trim: { from: input.trim.from, basis: input.trim.baseline ? 'untrimmed-image' : 'package-lists' } }
        : {}),
    },
    method: files.method,
    packages,
    notes,
  };
}

/**
 * Which paths a trim removed: those of the untrimmed image the trimmed one lacks; without the
 * untrimmed image, any listed path the image lacks (which also counts what dpkg's path-exclude
 * never installed: the basis is named in the inventory). Undefined: not a trimmed image.
 */
function removedTest(
  entries: ReadonlyMap<string, FileEntry>,
  trim: InventoryInput['trim'],
): ((path: string) => FileEntry | undefined) | undefined {
  if (!trim) return undefined;
  const { baseline } = trim;
  if (baseline) return (path) => (entries.has(path) ? undefined : baseline.get(path));
  const unknown: FileEntry = { type: 'file', size: 0 };
  return (path) => (entries.has(path) ? undefined : unknown);
}

interface Measured {
  bytes: number;
  removedFiles: number;
  removedBytes: number;
}

function measure(
  paths: readonly string[],
  entries: ReadonlyMap<string, FileEntry>,
  gone: ((path: string) => FileEntry | undefined) | undefined,
): Measured {
  const out: Measured = { bytes: 0, removedFiles: 0, removedBytes: 0 };
  for (const path of new Set(paths)) {
    const entry = entries.get(path);
    if (entry?.type === 'file') out.bytes += entry.size;
    else if (!entry && gone) {
      const was = gone(path);
      if (was && was.type !== 'directory') {
        out.removedFiles += 1;
        out.removedBytes += was.type === 'file' ? was.size : 0;
      }
    }
  }
  return out;
}

function completeness(measured: Measured | undefined): Pick<InventoryPackage, 'completeness' | 'removed'> {
  if (!measured || measured.removedFiles === 0) return { completeness: 'complete' };
  return { completeness: 'partial', removed: { files: measured.removedFiles, bytes: measured.removedBytes } };
}

function parseOs(text: string): { id: string; versionId?: string; name?: string } | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) fields.set(m[1], (m[2] ?? '').replace(/^"(.*)"$/, '$1'));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const versionId = fields.get('VERSION_ID');
  const name = fields.get('PRETTY_NAME');
  return { id, ...(versionId ? { versionId } : {}), ...(name ? { name } : {}) };
}
