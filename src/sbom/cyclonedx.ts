import type * as CDX from '@cyclonedx/cyclonedx-library';
import type { PackageURL as PackageUrlClass } from 'packageurl-js';
import { importModule } from '../core/import-module.js';
import { normalizeName } from './python.js';
import type { Inventory, InventoryPackage } from './inventory.js';

/** The media type of a CycloneDX JSON document (IANA; CycloneDX 1.6 spec, "Media Types"). */
export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json';

/** Property names tslim adds (CycloneDX property taxonomy: a namespace of the tool's own). */
export const PROPS = {
  kind: 'tslim:package:kind',
  bytes: 'tslim:package:bytes',
  path: 'tslim:package:path',
  installedBy: 'tslim:package:installed-by',
  completeness: 'tslim:package:completeness',
  removedFiles: 'tslim:trim:removed-files',
  removedBytes: 'tslim:trim:removed-bytes',
  soname: 'tslim:library:soname',
  role: 'tslim:triton:role',
  source: 'tslim:deb:source',
} as const;

export interface CycloneDxOptions {
  toolVersion: string;
  /** Left out: now. */
  timestamp?: Date;
}

/** The package URL of a package (https://github.com/package-url/purl-spec), when its ecosystem has one. */
export function purlOf(pkg: InventoryPackage, os: Inventory['image']['os'], PackageURL: typeof PackageUrlClass) {
  switch (pkg.kind) {
    case 'deb':
      return new PackageURL('deb', os?.id ?? 'debian', pkg.name, pkg.version, {
        arch: pkg.architecture ?? 'all',
        ...(os ? { distro: `${os.id}${os.versionId ? `-${os.versionId}` : ''}` } : {}),
      }).toString();
    case 'python':
      return new PackageURL('pypi', undefined, normalizeName(pkg.name), pkg.version, undefined).toString();
    case 'triton':
      return new PackageURL('generic', 'nvidia', pkg.name, pkg.version, undefined).toString();
    case 'nvidia-library':
      return new PackageURL('generic', 'nvidia', pkg.name, pkg.version, undefined).toString();
  }
}

/** A CycloneDX 1.6 JSON document of the inventory, made with @cyclonedx/cyclonedx-library. */
export async function toCycloneDx(inventory: Inventory, options: CycloneDxOptions): Promise<string> {
  const lib = await importModule<typeof CDX>('@cyclonedx/cyclonedx-library');
  const { PackageURL } = await importModule<{ PackageURL: typeof PackageUrlClass }>('packageurl-js');
  const { Models, Enums, Serialize, Spec } = lib;
  const { image } = inventory;
  const subject = new Models.Component(Enums.ComponentType.Container, image.ref, {
    bomRef: image.id,
    version: image.id,
    properties: new Models.PropertyRepository(
      [
        image.os
          ? new Models.Property('tslim:image:os', `${image.os.id} ${image.os.versionId ?? ''}`.trim())
          : undefined,
        image.tritonVersion ? new Models.Property('tslim:image:triton-version', image.tritonVersion) : undefined,
        image.containerVersion
          ? new Models.Property('tslim:image:container-version', image.containerVersion)
          : undefined,
        image.trim ? new Models.Property('tslim:trim:from', image.trim.from) : undefined,
        image.trim ? new Models.Property('tslim:trim:basis', image.trim.basis) : undefined,
        new Models.Property('tslim:image:read-from', inventory.method),
      ].filter((p) => p !== undefined),
    ),
  });
  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      timestamp: options.timestamp ?? new Date(),
      component: subject,
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, 'tslim', { version: options.toolVersion }),
        ]),
      }),
    }),
  });
  const seen = new Set<string>();
  const complete: CDX.Models.BomRef[] = [];
  const partial: CDX.Models.BomRef[] = [];
  for (const pkg of inventory.packages) {
    const purl = purlOf(pkg, image.os, PackageURL);
    let ref = pkg.path ? `${purl}#${pkg.path}` : purl;
    while (seen.has(ref)) ref = `${ref}+`;
    seen.add(ref);
    const props: [string, string | number | undefined][] = [
      [PROPS.kind, pkg.kind],
      [PROPS.bytes, pkg.bytes],
      [PROPS.path, pkg.path],
      [PROPS.installedBy, pkg.installedBy],
      [PROPS.completeness, pkg.completeness],
      [PROPS.removedFiles, pkg.removed?.files],
      [PROPS.removedBytes, pkg.removed?.bytes],
      [PROPS.soname, pkg.soname],
      [PROPS.role, pkg.role],
      [PROPS.source, pkg.source ? `${pkg.source.name} ${pkg.source.version}` : undefined],
    ];
    const component = new Models.Component(
      pkg.role === 'server' ? Enums.ComponentType.Application : Enums.ComponentType.Library,
      pkg.name,
      {
        bomRef: ref,
        version: pkg.version,
        purl,
        ...(pkg.supplier ? { supplier: new Models.OrganizationalEntity({ name: pkg.supplier }) } : {}),
        properties: new Models.PropertyRepository(
          props.filter(([, v]) => v !== undefined).map(([k, v]) => new Models.Property(k, String(v))),
        ),
      },
    );
    if (pkg.license) component.licenses.add(new Models.NamedLicense(pkg.license));
    bom.components.add(component);
    (pkg.completeness === 'partial' ? partial : complete).push(component.bomRef);
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  const json = JSON.parse(serializer.serialize(bom, { sortLists: true })) as Record<string, unknown>;
  // compositions (CycloneDX 1.6 "compositions"): which components are listed whole and which a
  // trim cut; the library has no model for them, so they are added to its output
  const refs = (list: CDX.Models.BomRef[]): string[] => list.map((r) => r.value ?? '').sort();
  json.compositions = [
    { aggregate: 'complete', assemblies: refs(complete) },
    ...(partial.length > 0 ? [{ aggregate: 'incomplete', assemblies: refs(partial) }] : []),
  ];
  if (inventory.notes.length > 0) {
    json.properties = inventory.notes.map((note) => ({ name: 'tslim:note', value: note }));
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}
