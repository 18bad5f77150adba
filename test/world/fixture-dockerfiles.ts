import type { ReleaseFacts } from './releases.js';
import type { PayloadPlan } from './payload.js';
import { HASH_LABEL } from './hash.js';

const SYSTEM_PATH =
  '/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SYSTEM_LD = '/usr/local/cuda/compat/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64';

function osRelease(r: ReleaseFacts): string {
  return [
    'PRETTY_NAME="' + r.os.pretty + '"',
    'NAME="Ubuntu"',
    `VERSION_ID="${r.os.versionId}"`,
    `VERSION="${r.os.pretty.replace('Ubuntu ', '')} (${r.os.codename[0]!.toUpperCase()}${r.os.codename.slice(1)})"`,
    `VERSION_CODENAME=${r.os.codename}`,
    'ID=ubuntu',
    'ID_LIKE=debian',
    'HOME_URL="https://www.ubuntu.com/"',
    `UBUNTU_CODENAME=${r.os.codename}`,
    '',
  ].join('\n');
}

/** The -min image: CUDA compat stand-ins, NVIDIA's entrypoint, Ubuntu identity; no /opt/tritonserver. */
export function minDockerfile(base: string, r: ReleaseFacts, hash: string): string {
  const cudaMajor = r.cuda.split('.')[0];
  const cudaDir = `cuda-${r.cuda.split('.').slice(0, 2).join('.')}`;
  return `FROM ${base}
ENV CUDA_VERSION=${r.cuda} \\
    NVIDIA_REQUIRE_CUDA="${r.requireCuda}" \\
    _CUDA_COMPAT_PATH=/usr/local/cuda/compat \\
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,video \\
    NVIDIA_VISIBLE_DEVICES=all \\
    NVIDIA_PRODUCT_NAME="Triton Server" \\
    NVIDIA_TRITON_SERVER_VERSION=${r.container} \\
    NVIDIA_BUILD_ID=${r.buildId} \\
    PATH=${SYSTEM_PATH} \\
    LD_LIBRARY_PATH=${SYSTEM_LD}
LABEL com.nvidia.build.id="${r.buildId}" com.nvidia.build.ref="${r.buildRef}" \\
      com.nvidia.cuda.version="${r.cuda}" com.nvidia.volumes.needed="nvidia_driver" \\
      ${HASH_LABEL}="${hash}"
COPY os-release /usr/lib/os-release
COPY nvidia_entrypoint.sh /opt/nvidia/nvidia_entrypoint.sh
COPY entrypoint.d/ /opt/nvidia/entrypoint.d/
COPY elf/ /
COPY .gen-min.sh /tmp/.gen-min.sh
RUN rm -f /etc/os-release && cp /usr/lib/os-release /etc/os-release \\
 && mkdir -p /usr/local/${cudaDir}/compat/lib.real \\
 && ln -s ${cudaDir} /usr/local/cuda && ln -s ${cudaDir} /usr/local/cuda-${cudaMajor} \\
 && sh /tmp/.gen-min.sh && rm /tmp/.gen-min.sh \\
 && head -c 40960 /dev/urandom > /usr/local/cuda/compat/lib.real/libcuda.so.1 \\
 && head -c 20480 /dev/urandom > /usr/local/cuda/compat/lib.real/libnvidia-ptxjitcompiler.so.1 \\
 && ln -s lib.real /usr/local/cuda/compat/lib \\
 && chmod 755 /opt/nvidia/nvidia_entrypoint.sh /opt/nvidia/entrypoint.d/*.sh${
   r.externallyManaged ? '' : ' \\\n && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED'
 }
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]
`;
}

/** The full image: FROM the -min image plus /opt/tritonserver, as NVIDIA layers them. */
export function fullDockerfile(min: string, r: ReleaseFacts, payload: PayloadPlan, hash: string): string {
  const dirs = [...new Set(payload.files.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))].join(' ');
  return `FROM ${min}
ENV TRITON_SERVER_VERSION=${r.triton} \\
    NVIDIA_TRITON_SERVER_VERSION=${r.container} \\
    TRITON_SERVER_GPU_ENABLED=1 \\
    TRITON_SERVER_USER=triton-server \\
    DCGM_VERSION=${r.dcgm} \\
    TCMALLOC_RELEASE_RATE=200 \\
    PATH=/opt/tritonserver/bin:${SYSTEM_PATH} \\
    LD_LIBRARY_PATH=/opt/tritonserver/lib:${SYSTEM_LD}
LABEL com.nvidia.tritonserver.version="${r.triton}" ${HASH_LABEL}="${hash}"
RUN useradd -u 1000 -m -s /bin/bash triton-server
COPY --chown=0:0 opt/ /opt/tritonserver/
COPY serve /usr/bin/serve
RUN set -e; cd /opt/tritonserver; mkdir -p lib ${dirs}; \\
    sh /opt/tritonserver/.gen-payload.sh; rm /opt/tritonserver/.gen-payload.sh; \\
    chmod 755 bin/tritonserver /usr/bin/serve
WORKDIR /opt/tritonserver
`;
}

/** Pads each ELF stub (copied in by COPY) to its planned size with incompressible bytes. */
export function payloadScript(payload: PayloadPlan, stubBytes: (path: string) => number): string {
  const lines = payload.files.map((f) => {
    const pad = f.bytes - stubBytes(f.path);
    return pad > 0 ? `head -c ${pad} /dev/urandom >> ${f.path}` : `: ${f.path}`;
  });
  return 'set -e\ncd /opt/tritonserver\n' + lines.join('\n') + '\n';
}

export { osRelease };
