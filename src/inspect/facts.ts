/** What tslim knows about a Triton image after inspecting it (or from the catalog, offline). */
export interface OsRelease {
  id: string;
  idLike: string[];
  versionId: string;
  codename?: string;
  prettyName?: string;
}

export type ComponentKind = 'backends' | 'repoagents' | 'caches';

export type SizeMethod = 'layers' | 'du' | 'stream';

export interface Component {
  name: string;
  /**
   * Apparent size of /opt/tritonserver/<kind>/<name> in bytes as `du --apparent-size` adds it up,
   * less its directories: regular files, plus a symlink's target text; hard links once.
   */
  bytes: number;
  /** Entries counted in bytes (files and symlinks). */
  files: number;
}

export interface ImageFacts {
  /** The reference that was inspected, as given. */
  ref: string;
  id: string;
  /** Uncompressed image size as the engine reports it. */
  size: number;
  /** Layer digests (RootFS.Layers) so reports can count shared layers. */
  layers: string[];
  /** Engine's Architecture field (amd64, arm64). */
  architecture?: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  user: string;
  workingDir: string;
  /** TRITON_SERVER_VERSION (e.g. 2.50.0), undefined for a min image. */
  tritonVersion?: string;
  /** NVIDIA_TRITON_SERVER_VERSION (e.g. 24.09). */
  containerVersion?: string;
  gpuEnabled: boolean;
  cudaVersion?: string;
  cudaCompatPath?: string;
  dcgmVersion?: string;
  buildId?: string;
  buildRef?: string;
  os?: OsRelease;
  /** /usr/bin/serve exists (SageMaker entry). */
  sagemakerServe: boolean;
  /**
   * How the component sizes were measured: 'du' in a short-lived container, or 'stream' (the
   * archive of each directory read through); absent when they were not measured.
   */
  sizeMethod?: SizeMethod;
  /** Present only for images that have /opt/tritonserver. */
  backends: Component[];
  repoagents: Component[];
  caches: Component[];
}
