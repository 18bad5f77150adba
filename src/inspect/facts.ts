/** What tslim knows about a Triton image after inspecting it (or from the catalog, offline). */
export interface OsRelease {
  id: string;
  idLike: string[];
  versionId: string;
  codename?: string;
  prettyName?: string;
}

export type ComponentKind = 'backends' | 'repoagents' | 'caches';

export interface Component {
  name: string;
  /** Sum of regular file sizes under /opt/tritonserver/<kind>/<name>, in bytes. */
  bytes: number;
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
  /** Present only for images that have /opt/tritonserver. */
  backends: Component[];
  repoagents: Component[];
  caches: Component[];
}
