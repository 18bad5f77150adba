# Dockerfile.compose: made by tslim 0.0.0-test (recipe apt-2.48) for Triton 2.50.0 / container 24.09.
# Backends: onnxruntime, python, tensorrt. Facts from: tslim catalog (offline).
ARG TRITON_VERSION=2.50.0
ARG TRITON_CONTAINER_VERSION=24.09

FROM nvcr.io/nvidia/tritonserver:24.09-py3 AS full

FROM nvcr.io/nvidia/tritonserver:24.09-py3-min

ARG TRITON_VERSION
ARG TRITON_CONTAINER_VERSION

ENV TRITON_SERVER_VERSION=${TRITON_VERSION}
ENV NVIDIA_TRITON_SERVER_VERSION=${TRITON_CONTAINER_VERSION}
LABEL com.nvidia.tritonserver.version="${TRITON_SERVER_VERSION}"

ENV PATH=/opt/tritonserver/bin:${PATH}
# Until https://github.com/openucx/ucx/pull/9148 reaches the min image.
ENV UCX_MEM_EVENTS=no

ENV TF_ADJUST_HUE_FUSED=1
ENV TF_ADJUST_SATURATION_FUSED=1
ENV TF_ENABLE_WINOGRAD_NONFUSED=1
ENV TF_AUTOTUNE_THRESHOLD=2
ENV TRITON_SERVER_GPU_ENABLED=1

# The server runs as triton-server, uid/gid 1000; fail the build if that id is taken.
ENV TRITON_SERVER_USER=triton-server
RUN userdel tensorrt-server > /dev/null 2>&1 || true \
      && if ! id -u $TRITON_SERVER_USER > /dev/null 2>&1 ; then useradd $TRITON_SERVER_USER ; fi \
      && [ "$(id -u $TRITON_SERVER_USER)" -eq 1000 ] \
      && [ "$(id -g $TRITON_SERVER_USER)" -eq 1000 ]

ENV DEBIAN_FRONTEND=noninteractive

# Runtime libraries of the server and the chosen backends.
RUN apt-get update \
      && apt-get install -y --no-install-recommends \
            clang \
            curl \
            dirmngr \
            git \
            gperf \
            libb64-0d \
            libcurl4-openssl-dev \
            libgomp1 \
            libgoogle-perftools-dev \
            libjemalloc-dev \
            libnuma-dev \
            libre2-9 \
            software-properties-common \
            wget \
      && rm -rf /var/lib/apt/lists/*

# For users who LD_PRELOAD tcmalloc.
ENV TCMALLOC_RELEASE_RATE=200

ENV DCGM_VERSION=3.2.6
# DCGM from NVIDIA's CUDA repository (or --cuda-repo).
RUN curl -fsSL -o /tmp/cuda-keyring.deb https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/cuda-keyring_1.0-1_all.deb \
      && dpkg -i /tmp/cuda-keyring.deb \
      && rm /tmp/cuda-keyring.deb \
      && apt-get update \
      && apt-get install -y --no-install-recommends \
            datacenter-gpu-manager=1:3.2.6 \
      && rm -rf /var/lib/apt/lists/*

# Wire the CUDA forward-compat libraries into ld.so (guarded: a min image without them is left alone).
RUN if [ -n "${_CUDA_COMPAT_PATH}" ] && [ -d "${_CUDA_COMPAT_PATH}/lib.real" ] ; then \
        ln -sf ${_CUDA_COMPAT_PATH}/lib.real ${_CUDA_COMPAT_PATH}/lib \
        && echo ${_CUDA_COMPAT_PATH}/lib > /etc/ld.so.conf.d/00-cuda-compat.conf \
        && ldconfig \
        && rm -f ${_CUDA_COMPAT_PATH}/lib ; \
      fi

# The python backend: interpreter, pip and the packages its stub expects.
RUN apt-get update \
      && apt-get install -y --no-install-recommends \
            libarchive-dev \
            libpython3-dev \
            python3 \
            python3-pip \
      && pip3 install --no-cache-dir --upgrade pip \
      && pip3 install --no-cache-dir --upgrade "wheel" "setuptools" "numpy<2" "virtualenv" \
      && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/tritonserver
RUN rm -fr /opt/tritonserver/*
ENV NVIDIA_PRODUCT_NAME="Triton Server"
# Entrypoint scripts come from the full image, not from a server checkout.
COPY --from=full /opt/nvidia/entrypoint.d/ /opt/nvidia/entrypoint.d/

ENV NVIDIA_BUILD_ID=unknown
LABEL com.nvidia.build.id=unknown
LABEL com.nvidia.build.ref=unknown

WORKDIR /opt/tritonserver
COPY --chown=1000:1000 --from=full /opt/tritonserver/LICENSE .
COPY --chown=1000:1000 --from=full /opt/tritonserver/TRITON_VERSION .
COPY --chown=1000:1000 --from=full /opt/tritonserver/NVIDIA_Deep_Learning_Container_License.pdf .
COPY --chown=1000:1000 --from=full /opt/tritonserver/bin bin/
COPY --chown=1000:1000 --from=full /opt/tritonserver/lib lib/
COPY --chown=1000:1000 --from=full /opt/tritonserver/include include/

# backends: onnxruntime, python, tensorrt
COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/onnxruntime /opt/tritonserver/backends/onnxruntime
COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/python /opt/tritonserver/backends/python
COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/tensorrt /opt/tritonserver/backends/tensorrt
RUN chown triton-server:triton-server /opt/tritonserver/backends

# SageMaker entry point.
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
COPY --chown=1000:1000 --from=full /usr/bin/serve /usr/bin/.

# What tslim put in this image (tslim verify and report read these).
LABEL dev.tslim.version="0.0.0-test" \
      dev.tslim.backends="onnxruntime,python,tensorrt" \
      dev.tslim.repoagents="" \
      dev.tslim.caches="" \
      dev.tslim.source.full="nvcr.io/nvidia/tritonserver:24.09-py3" \
      dev.tslim.source.min="nvcr.io/nvidia/tritonserver:24.09-py3-min" \
      dev.tslim.recipe="apt-2.48" \
      dev.tslim.triton-version="2.50.0" \
      dev.tslim.container-version="24.09" \
      dev.tslim.server.args="--model-repository=/models --model-control-mode=explicit --load-model=asr_ensemble --pinned-memory-pool-byte-size=268435456 --cuda-memory-pool-byte-size=0:268435456 --log-verbose=1" \
      dev.tslim.server.shm-size="536870912"

# Triton runtime settings from the profile's server: section and --server-arg (docs/compose.md, "Server settings").
# docker run IMAGE starts tritonserver with them; docker run IMAGE --flag=value adds flags after them
# (the last value of a flag wins); any other command (bash, tritonserver ...) runs unchanged.
RUN mkdir -p /opt/tslim/bin \
      && printf '%s\n' \
            '#!/bin/sh' \
            '# tslim: docker run IMAGE --flag=value runs tritonserver with this image settings, then the given flags (the last value of a flag wins).' \
            'if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then exec tritonserver "--model-repository=/models" "--model-control-mode=explicit" "--load-model=asr_ensemble" "--pinned-memory-pool-byte-size=268435456" "--cuda-memory-pool-byte-size=0:268435456" "--log-verbose=1" "$@"; fi' \
            'exec "$@"' \
            > /opt/tslim/bin/tritonserver-defaults \
      && chmod 755 /opt/tslim/bin/tritonserver-defaults
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh", "/opt/tslim/bin/tritonserver-defaults"]
# The python backend needs this much /dev/shm: docker run --shm-size=512m (label dev.tslim.server.shm-size).
CMD ["tritonserver", \
     "--model-repository=/models", \
     "--model-control-mode=explicit", \
     "--load-model=asr_ensemble", \
     "--pinned-memory-pool-byte-size=268435456", \
     "--cuda-memory-pool-byte-size=0:268435456", \
     "--log-verbose=1"]
