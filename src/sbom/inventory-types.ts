import type { ImageFiles } from './image-files.js';

/** What an SBOM lists: the inventory's types, apart from the code that builds it (its readers import these). */
export const INVENTORY_SCHEMA = 'tslim.sbom/v1';

export type PackageKind = 'deb' | 'python' | 'triton' | 'nvidia-library';

/** One package of an image, whatever put it there. */
export interface InventoryPackage {
  kind: PackageKind;
  name: string;
  version: string;
  /** Bytes of its files present in the image (regular files, each path once). */
  bytes: number;
  /** 'partial': a trim removed some of its files; the SBOM says so and does not list it as complete. */
  completeness: 'complete' | 'partial';
  /** On a partial package: how many of its files, and bytes, the trim removed. */
  removed?: { files: number; bytes: number };
  /** Where it lives: dist-info, library file, component directory. */
  path?: string;
  /** The deb (or python distribution) whose files include this one's. */
  installedBy?: string;
  architecture?: string;
  source?: { name: string; version: string };
  supplier?: string;
  license?: string;
  homepage?: string;
  soname?: string;
  /** For Triton components: backend, repoagent, cache, server. */
  role?: 'server' | 'backend' | 'repoagent' | 'cache';
}

export interface Inventory {
  schema: typeof INVENTORY_SCHEMA;
  image: {
    ref: string;
    id: string;
    os?: { id: string; versionId?: string; name?: string };
    tritonVersion?: string;
    containerVersion?: string;
    /** A trimmed image: the image it was trimmed from, and how removed files were found. */
    trim?: { from: string; basis: 'untrimmed-image' | 'package-lists' };
  };
  /** How the files were read: the layer store, or a container's export. */
  method: ImageFiles['method'];
  packages: InventoryPackage[];
  /** What could not be listed, in words (an rpm database, unreadable metadata). */
  notes: string[];
}
