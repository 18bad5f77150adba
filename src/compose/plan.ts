import { TslimError, usageError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import { dcgmPackages, recipeFor, findReleaseByTriton, type Family, type Recipe } from '../catalog/index.js';
import { compareVersions } from '../catalog/releases.js';
import type { OsRelease } from '../inspect/facts.js';
import type { ComposeInputs, ProxySettings, ServerSettings } from './inputs.js';
import type { PlanFacts } from './plan-facts.js';
import type { SourceImages } from './source-images.js';
import { checkSafe } from './validate.js';
import { checkComponents } from './components.js';
import { shmSizeOf, toTritonArgs } from './server-settings-apply.js';

export type CudaRepo =
  { kind: 'nvidia'; keyringUrl: string } | { kind: 'custom'; url: string; keyUrl: string | undefined };

/** Everything needed to render and build one compose: a plain value, no engine inside. */
export interface ComposePlan {
  tslimVersion: string;
  factsSource: PlanFacts['source'];
  release: { container: string; triton: string };
  gpu: boolean;
  arch: PlanFacts['arch'];
  os: OsRelease;
  images: SourceImages['used'];
  requestedImages: SourceImages['requested'];
  backends: string[];
  repoagents: string[];
  caches: string[];
  recipe: Recipe;
  dcgm: { version: string; packages: string[] } | undefined;
  cudaRepo: CudaRepo;
  cudaCompat: boolean;
  sagemaker: boolean;
  build: { id: string; ref: string };
  aptMirror: string | undefined;
  pip: { indexUrl: string | undefined; trustedHost: string | undefined };
  labels: Record<string, string>;
  output: {
    name: string;
    buildArgs: Record<string, string>;
    network: 'host' | 'default';
    noCache: boolean;
    pull: boolean;
    builder: ComposeInputs['builder'];
  };
  /** Secrets: passed as build args only, never rendered, never printed. */
  proxy: ProxySettings;
  server: ServerSettings | undefined;
}

export function familyOf(os: OsRelease): Family {
  const ids = [os.id, ...os.idLike];
  if (ids.some((id) => id === 'debian' || id === 'ubuntu')) return 'apt';
  if (ids.some((id) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux'].includes(id))) return 'dnf';
  throw usageError(`the min image's OS '${os.id}' is neither Debian/Ubuntu (apt) nor RHEL-like (dnf)`);
}

export function buildPlan(
  inputs: ComposeInputs,
  sources: SourceImages,
  facts: PlanFacts,
  tslimVersion: string,
): ComposePlan {
  const triton = checkSafe('tritonVersion', 'Triton version', facts.triton);
  const container = checkSafe('containerVersion', 'container version', facts.container);
  if (compareVersions(triton, '2.34.0') < 0) {
    throw new TslimError(
      'BAD_RELEASE',
      `Triton ${triton} is older than the oldest recipe tslim knows (2.34.0, container 23.05)`,
    );
  }
  if (facts.fullGpu !== inputs.gpu) {
    throw usageError(
      `the full image ${sources.requested.full} was built with GPU support ${facts.fullGpu ? 'on' : 'off'}, but this is a ${inputs.gpu ? 'GPU' : 'CPU-only'} compose`,
      facts.fullGpu ? 'drop --cpu-only' : 'add --cpu-only, or use a GPU full image',
    );
  }
  if (inputs.gpu && !facts.minCuda) {
    throw new TslimError(
      'BAD_RELEASE',
      `a GPU compose needs CUDA in the min image, but ${sources.requested.min} has no CUDA_VERSION`,
      { hint: 'use the -py3-min image of the release, or --cpu-only' },
    );
  }
  checkComponents(inputs, facts);
  const family = familyOf(facts.os);
  const release = findReleaseByTriton(triton);
  const recipe = recipeFor({
    triton,
    family,
    backends: inputs.backends,
    gpu: inputs.gpu,
    arch: facts.arch,
    vllmVersion: release?.vllm,
  });
  const dcgmVersion = inputs.dcgmVersion ?? facts.dcgmVersion ?? release?.dcgm;
  const dcgm =
    inputs.gpu && inputs.dcgm && dcgmVersion
      ? {
          version: checkSafe('dcgmVersion', 'DCGM version', dcgmVersion),
          packages: dcgmPackages(family, dcgmVersion, triton),
        }
      : undefined;
  const repoArch = facts.arch === 'aarch64' ? 'sbsa' : 'x86_64';
  const cudaRepo: CudaRepo = inputs.cudaRepo
    ? { kind: 'custom', url: inputs.cudaRepo, keyUrl: inputs.cudaRepoKey }
    : {
        kind: 'nvidia',
        keyringUrl: `https://developer.download.nvidia.com/compute/cuda/repos/${recipe.cudaRepoDist}/${repoArch}/${recipe.cudaKeyring}`,
      };
  const build = {
    id: checkSafe('labelValue', 'com.nvidia.build.id', facts.buildId),
    ref: checkSafe('labelValue', 'com.nvidia.build.ref', facts.buildRef),
  };
  const plan: ComposePlan = {
    tslimVersion,
    factsSource: facts.source,
    release: { container, triton },
    gpu: inputs.gpu,
    arch: facts.arch,
    os: facts.os,
    images: sources.used,
    requestedImages: sources.requested,
    backends: [...inputs.backends],
    repoagents: [...inputs.repoagents],
    caches: [...inputs.caches],
    recipe,
    dcgm,
    cudaRepo,
    cudaCompat: inputs.gpu && family === 'apt' && facts.minCudaCompat,
    sagemaker: facts.sagemakerServe,
    build,
    aptMirror: inputs.aptMirror,
    pip: { indexUrl: inputs.pipIndexUrl, trustedHost: inputs.pipTrustedHost },
    labels: {},
    output: {
      name: inputs.outputName,
      buildArgs: inputs.buildArgs,
      network: inputs.network,
      noCache: inputs.noCache,
      pull: inputs.pull,
      builder: inputs.builder,
    },
    proxy: inputs.proxy,
    server: inputs.server,
  };
  plan.labels = tslimLabels(plan);
  return plan;
}

/** Labels the built image carries; `tslim verify` reads the components back from them. */
export function tslimLabels(plan: ComposePlan): Record<string, string> {
  const L = IMAGE_LABELS;
  return {
    [L.version]: plan.tslimVersion,
    [L.backends]: plan.backends.join(','),
    [L.repoagents]: plan.repoagents.join(','),
    [L.caches]: plan.caches.join(','),
    [L.sourceFull]: plan.images.full,
    [L.sourceMin]: plan.images.min,
    [L.recipe]: plan.recipe.variant,
    [L.tritonVersion]: plan.release.triton,
    [L.containerVersion]: plan.release.container,
    ...serverLabels(plan),
  };
}

/** Only a plan with server settings gets these, so images (and snapshots) without any stay as they were. */
function serverLabels(plan: ComposePlan): Record<string, string> {
  const args = toTritonArgs(plan.server);
  const shm = shmSizeOf(plan.server);
  return {
    ...(args.length > 0 ? { [IMAGE_LABELS.serverArgs]: args.join(' ') } : {}),
    ...(shm !== undefined ? { [IMAGE_LABELS.serverShmSize]: String(shm) } : {}),
  };
}

/** The plan as printed with --json: no proxy settings, no build-arg values. */
export function planSummary(plan: ComposePlan): Record<string, unknown> {
  const { proxy, output, ...rest } = plan;
  return {
    ...rest,
    output: { ...output, buildArgs: Object.keys(output.buildArgs) },
    proxy: Object.keys(proxy).filter((k) => proxy[k as keyof ProxySettings] !== undefined),
  };
}
