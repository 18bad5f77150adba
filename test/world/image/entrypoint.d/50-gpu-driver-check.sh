#!/bin/bash
if [[ ! -e /dev/nvidia0 && -z "${TRITON_DOUBLE_FAKE_GPUS:-}" ]]; then
  echo
  echo "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available."
  echo "   Use the NVIDIA Container Toolkit to start this container with GPU support; see"
  echo "   https://docs.nvidia.com/datacenter/cloud-native/ ."
fi
