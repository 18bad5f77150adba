import type { ComposePlan } from './plan.js';
import { shmSizeOf, toTritonArgs } from './server-settings-apply.js';

/** `docker run IMAGE --flag` passes through here; see serverView. */
export const SERVER_WRAPPER = '/opt/tslim/bin/tritonserver-defaults';

const SERVER_FILES = [
  { from: 'LICENSE', to: '.' },
  { from: 'TRITON_VERSION', to: '.' },
  { from: 'NVIDIA_Deep_Learning_Container_License.pdf', to: '.' },
  { from: 'bin', to: 'bin/' },
  { from: 'lib', to: 'lib/' },
  { from: 'include', to: 'include/' },
];

function pipInstall(plan: ComposePlan): string {
  const parts = ['pip3 install --no-cache-dir'];
  if (plan.pip.indexUrl) parts.push(`--index-url ${plan.pip.indexUrl}`);
  if (plan.pip.trustedHost) parts.push(`--trusted-host ${plan.pip.trustedHost}`);
  return parts.join(' ');
}

function cudaRepoView(plan: ComposePlan): Record<string, unknown> {
  if (plan.cudaRepo.kind === 'nvidia')
    return { nvidia: true, keyringUrl: plan.cudaRepo.keyringUrl, url: null, keyUrl: null, keyExt: null };
  const keyUrl = plan.cudaRepo.keyUrl ?? null;
  // apt reads signed-by files by extension: .gpg binary, .asc armored.
  const keyExt = keyUrl?.endsWith('.gpg') ? 'gpg' : 'asc';
  return { nvidia: false, keyringUrl: null, url: plan.cudaRepo.url, keyUrl, keyExt };
}

function labelLines(labels: Record<string, string>): Record<string, string>[] {
  const entries = Object.entries(labels);
  return entries.map(([key, value], i) => ({
    key,
    value,
    lead: i === 0 ? 'LABEL ' : '      ',
    cont: i < entries.length - 1 ? ' \\' : '',
  }));
}

/**
 * The default command and its wrapper. With CMD alone, `docker run IMAGE --log-verbose=2` would replace
 * the whole command and NVIDIA's entrypoint would exec `--log-verbose=2`. The wrapper sits between
 * the entrypoint and the command: arguments that start with '-' (or none) run tritonserver with the
 * image's flags first and the given ones after (Triton keeps the last value of a flag); any other
 * command (bash, tritonserver ...) runs unchanged. Values are allow-listed (server-settings.ts): no
 * quotes, spaces, `$` or backslashes can reach these lines.
 */
function serverView(plan: ComposePlan): Record<string, unknown> | null {
  const args = toTritonArgs(plan.server);
  if (args.length === 0) return null;
  const quoted = args.map((a) => `"${a}"`).join(' ');
  const script = [
    '#!/bin/sh',
    '# tslim: docker run IMAGE --flag=value runs tritonserver with this image settings, then the given flags (the last value of a flag wins).',
    `if [ "$#" -eq 0 ] || [ "\${1#-}" != "$1" ]; then exec tritonserver ${quoted} "$@"; fi`,
    'exec "$@"',
  ];
  const shm = shmSizeOf(plan.server);
  return {
    wrapper: SERVER_WRAPPER,
    scriptLines: script.map((line, i) => ({ line: `'${line}'`, last: i === script.length - 1 })),
    cmdLines: ['tritonserver', ...args].map((a, i, all) => ({ arg: JSON.stringify(a), last: i === all.length - 1 })),
    shmSize: shm === undefined ? null : `${shm}`,
    shmMiB: shm === undefined ? null : Math.ceil(shm / 2 ** 20),
  };
}

/**
 * Flattens a plan into what the templates read. Handlebars runs in strict mode, so every key a
 * template names is present here (null/false when unused) and a typo in a partial fails loudly.
 */
export function renderView(plan: ComposePlan): Record<string, unknown> {
  const arch = plan.arch === 'aarch64' ? 'sbsa' : 'x86_64';
  return {
    tslimVersion: plan.tslimVersion,
    tritonVersion: plan.release.triton,
    containerVersion: plan.release.container,
    factsSource: plan.factsSource === 'image' ? 'inspected images' : 'tslim catalog (offline)',
    backendList: plan.backends.join(', '),
    images: { full: plan.images.full, min: plan.images.min, gpuMin: plan.images.gpuMin ?? null },
    gpuMinStage: plan.recipe.gpuMinStage,
    gpu: plan.gpu,
    gpuEnabled: plan.gpu ? 1 : 0,
    apt: plan.recipe.family === 'apt',
    recipe: plan.recipe,
    aptMirror: plan.aptMirror ?? null,
    pipInstall: pipInstall(plan),
    pythonVersion: plan.os.versionId === '22.04' ? '3.10' : '3.12',
    dcgm: plan.dcgm ?? null,
    cudaRepo: cudaRepoView(plan),
    dnfCudaRepo:
      plan.cudaRepo.kind === 'custom'
        ? plan.cudaRepo.url
        : `https://developer.download.nvidia.com/compute/cuda/repos/rhel8/${arch}/cuda-rhel8.repo`,
    cudaCompat: plan.cudaCompat,
    cpuLibs: plan.recipe.cpuLibs ?? null,
    python: plan.recipe.python ?? null,
    build: plan.build,
    chownFlag: plan.recipe.chown ? '--chown=1000:1000 ' : '',
    serverFiles: SERVER_FILES,
    componentCopies: (['backends', 'repoagents', 'caches'] as const)
      .filter((kind) => plan[kind].length > 0)
      .map((kind) => ({ kind, names: plan[kind], list: plan[kind].join(', ') })),
    sagemaker: plan.sagemaker,
    labelList: labelLines(plan.labels),
    server: serverView(plan),
  };
}
