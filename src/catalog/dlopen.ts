/**
 * Libraries the kept components load with dlopen(3), which no DT_NEEDED closure can see. Each entry
 * applies to the Triton releases in `releases` when one of `backends` is kept (or always: 'any'),
 * and, when `when` is set, only if a library of that name is already kept (cuDNN's shim pulls its
 * sub-libraries only where cuDNN itself stays). `keep` matches file names in the image.
 * docs/upstream-facts.md ("Trim") lists the facts behind each entry.
 */
export interface DlopenEntry {
  id: string;
  backends: readonly string[] | 'any';
  releases: string;
  when?: RegExp;
  keep: RegExp;
  why: string;
  source: string;
}

export const DLOPEN_TABLE: readonly DlopenEntry[] = [
  {
    id: 'cudnn-sublibraries',
    backends: 'any',
    releases: '>=2.43.0',
    when: /^libcudnn\.so\.9(\.|$)/,
    keep: /^libcudnn_(graph|ops|cnn|adv|heuristic|engines_precompiled|engines_runtime_compiled)\.so\.9(\.|$)/,
    why: "cuDNN 9's libcudnn.so.9 is a shim that dlopens its sub-libraries on first use",
    source: 'https://docs.nvidia.com/deeplearning/cudnn/latest/api/overview.html',
  },
  {
    id: 'cudnn8-sublibraries',
    backends: 'any',
    releases: '<2.43.0',
    when: /^libcudnn\.so\.8(\.|$)/,
    keep: /^libcudnn_(ops|cnn|adv)_(infer|train)\.so\.8(\.|$)/,
    why: "cuDNN 8's libcudnn.so.8 dlopens its ops/cnn/adv infer and train sub-libraries",
    source: 'https://docs.nvidia.com/deeplearning/cudnn/archives/cudnn-897/api/index.html',
  },
  {
    id: 'cudnn-runtime-deps',
    backends: 'any',
    releases: '>=2.43.0',
    when: /^libcudnn\.so\.9(\.|$)/,
    keep: /^lib(cublasLt|nvrtc)\.so\.\d+(\.|$)/,
    why: 'cuDNN 9 dlopens cuBLASLt (matmul/conv engines) and NVRTC (runtime-compiled engines)',
    source: 'https://docs.nvidia.com/deeplearning/cudnn/latest/installation/build-run-cudnn.html',
  },
  {
    id: 'nvrtc-builtins',
    backends: 'any',
    releases: '*',
    when: /^libnvrtc\.so\.\d+(\.|$)/,
    keep: /^libnvrtc-builtins\.so\.\d+(\.\d+)*$/,
    why: 'NVRTC loads libnvrtc-builtins of its own CUDA version when it compiles',
    source: 'https://docs.nvidia.com/cuda/nvrtc/index.html',
  },
  {
    id: 'pytorch-lazy-nvrtc',
    backends: ['pytorch'],
    releases: '*',
    keep: /^libnvrtc\.so\.\d+(\.|$)/,
    why: "PyTorch's LazyNVRTC dlopens libnvrtc for JIT fusion and jiterator kernels",
    source: 'https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/cuda/detail/LazyNVRTC.cpp',
  },
  {
    id: 'ort-execution-providers',
    backends: ['onnxruntime'],
    releases: '*',
    keep: /^libonnxruntime_providers_(shared|cuda|tensorrt)\.so$/,
    why: 'ONNX Runtime dlopens its execution providers (provider bridge) when a session asks for them',
    source: 'https://github.com/microsoft/onnxruntime/blob/main/onnxruntime/core/session/provider_bridge_ort.cc',
  },
  {
    id: 'tensorrt-builder-resource',
    backends: ['onnxruntime', 'tensorrt'],
    releases: '>=2.46.0',
    when: /^libnvinfer\.so\.10(\.|$)/,
    keep: /^libnvinfer_builder_resource\.so\.10(\.\d+)*$/,
    why: "TensorRT 10's builder dlopens its resource library when it builds an engine (ORT's TensorRT EP builds at load)",
    source: 'https://docs.nvidia.com/deeplearning/tensorrt/11.0.0/inference-library/internal-library-path.html',
  },
];
