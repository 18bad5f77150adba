import * as semver from './semver.js';

/** What NVIDIA's full -py3 image ships under /opt/tritonserver, for offline name checks. */
export interface DefaultComponents {
  backends: string[];
  repoagents: string[];
  caches: string[];
}

export function defaultComponents(triton: string): DefaultComponents {
  const backends = [
    'dali',
    'fil',
    'identity',
    'onnxruntime',
    'openvino',
    'python',
    'pytorch',
    'repeat',
    'square',
    'tensorrt',
  ];
  // The TensorFlow backend leaves the image with 25.03 (2.56), where compose.py stops handling it.
  if (semver.lt(triton, '2.56.0')) backends.push('tensorflow');
  return { backends: backends.sort(), repoagents: ['checksum'], caches: ['local', 'redis'] };
}

/** Every component name any release in the catalog ships, plus the ones compose.py knows to build. */
export function knownComponents(): DefaultComponents {
  const extra = ['tensorrtllm', 'vllm', 'fastertransformer', 'armnn_tflite', 'tensorflow1', 'tensorflow2'];
  return {
    backends: [...new Set([...defaultComponents('2.34.0').backends, ...extra])].sort(),
    repoagents: ['checksum'],
    caches: ['local', 'redis'],
  };
}
