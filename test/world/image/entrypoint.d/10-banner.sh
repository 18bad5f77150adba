#!/bin/bash
echo
echo "============================="
echo "== ${NVIDIA_PRODUCT_NAME:-Triton Inference Server} =="
echo "============================="
echo
echo "NVIDIA Release ${NVIDIA_TRITON_SERVER_VERSION:-unknown} (build ${NVIDIA_BUILD_ID:-unknown})"
echo "Triton Server Version ${TRITON_SERVER_VERSION:-none (min image)}"
echo
echo "(tslim test-world fixture: not an NVIDIA image)"
