import type { RegistryMirror } from './mirrors.js';
import type { ServerSettings } from './server-settings.js';

export type { ServerSettings } from './server-settings.js';

export type ImageRole = 'full' | 'min' | 'gpu-min';

/** `--builder`: the engine's BuildKit, its classic builder, or BuildKit when the engine offers it. */
export const BUILDERS = ['auto', 'buildkit', 'classic'] as const;
export type BuilderChoice = (typeof BUILDERS)[number];

/** Validated user inputs of `tslim compose` (flags merged over a profile). */
export interface ComposeInputs {
  backends: string[];
  repoagents: string[];
  caches: string[];
  containerVersion: string | undefined;
  images: Partial<Record<ImageRole, string>>;
  gpu: boolean;
  registryMirrors: RegistryMirror[];
  aptMirror: string | undefined;
  pipIndexUrl: string | undefined;
  pipTrustedHost: string | undefined;
  cudaRepo: string | undefined;
  cudaRepoKey: string | undefined;
  dcgmVersion: string | undefined;
  dcgm: boolean;
  buildArgs: Record<string, string>;
  proxy: ProxySettings;
  network: 'host' | 'default';
  noCache: boolean;
  pull: boolean;
  builder: BuilderChoice;
  outputName: string;
  /** Triton runtime settings (profile `server:` plus --server-arg), rendered into CMD and labels. */
  server: ServerSettings | undefined;
}

export interface ProxySettings {
  http?: string;
  https?: string;
  no?: string;
}

export function defaultInputs(): ComposeInputs {
  return {
    backends: [],
    repoagents: [],
    caches: [],
    containerVersion: undefined,
    images: {},
    gpu: true,
    registryMirrors: [],
    aptMirror: undefined,
    pipIndexUrl: undefined,
    pipTrustedHost: undefined,
    cudaRepo: undefined,
    cudaRepoKey: undefined,
    dcgmVersion: undefined,
    dcgm: true,
    buildArgs: {},
    proxy: {},
    network: 'host',
    noCache: false,
    pull: false,
    builder: 'auto',
    outputName: 'tritonserver',
    server: undefined,
  };
}
