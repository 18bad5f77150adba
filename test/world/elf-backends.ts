import { CUDNN_DLOPEN, sonames } from './elf-spec.js';

/** DT_NEEDED and dlopen facts of one payload file under /opt/tritonserver (backends, repoagents, caches, lib). */
export interface PayloadElf {
  soname?: string;
  needed: string[];
  dlopen?: string[];
  exe?: boolean;
}

/**
 * Each backend's libraries as the real ones link: the backend library needs the framework's
 * libraries beside it (RUNPATH $ORIGIN), the framework needs the CUDA stack of the -min base, and
 * what the framework loads with dlopen is opened by the backend's TRITONBACKEND_Initialize.
 */
export function payloadElf(dirFiles: string[], file: string, backend: string, cudaMajor: number): PayloadElf {
  const s = sonames(cudaMajor);
  const siblings = dirFiles.filter((f) => f !== file && f.endsWith('.so') && !f.startsWith('libtriton_'));
  const isBackendLib = file === `libtriton_${backend}.so`;
  switch (`${backend}/${file}`) {
    case 'pytorch/libtorch_cuda.so':
      return {
        needed: [
          'libtorch_cpu.so',
          'libc10_cuda.so',
          'libc10.so',
          s.cudart,
          s.cublas,
          s.cublasLt,
          s.cudnn,
          s.nccl,
          s.cusparse,
          s.cufft,
          s.curand,
          s.cusolver,
        ],
      };
    case 'pytorch/libc10_cuda.so':
      return { needed: ['libc10.so', s.cudart] };
    case 'pytorch/libtorchtrt_runtime.so':
      return { needed: ['libtorch_cuda.so', s.nvinfer] };
    case 'pytorch/libtorchvision.so':
      return { needed: ['libtorch_cpu.so', 'libc10.so'] };
    case 'pytorch/libtorch_cpu.so':
      return { needed: ['libc10.so'] };
    case 'pytorch/libtriton_pytorch.so':
      return { needed: siblings, dlopen: [s.nvrtc, s.nvrtcBuiltins, ...CUDNN_DLOPEN] };
    case 'onnxruntime/libonnxruntime_providers_cuda.so':
      return {
        needed: ['libonnxruntime_providers_shared.so', s.cublasLt, s.cublas, s.cudnn, s.cufft, s.curand, s.cudart],
      };
    case 'onnxruntime/libonnxruntime_providers_tensorrt.so':
      return { needed: ['libonnxruntime_providers_shared.so', s.nvinfer, s.nvinferPlugin, s.nvonnxparser, s.cudart] };
    case 'onnxruntime/libtriton_onnxruntime.so':
      // ORT links only libonnxruntime; its execution providers come by dlopen, and they bring cuDNN,
      // whose shim then dlopens its sub-libraries, and TensorRT's builder its resource library.
      return {
        needed: ['libonnxruntime.so'],
        dlopen: [
          'libonnxruntime_providers_shared.so',
          'libonnxruntime_providers_cuda.so',
          'libonnxruntime_providers_tensorrt.so',
          ...CUDNN_DLOPEN,
          s.builderResource,
        ],
      };
    case 'tensorrt/libtriton_tensorrt.so':
      return { needed: [s.nvinfer, s.nvinferPlugin, s.cudart] };
    case 'python/triton_python_backend_stub':
      return { needed: [], exe: true };
    default:
      return isBackendLib ? { needed: siblings } : { needed: [] };
  }
}
