/**
 * Which backends tslim has a sample model for: apart from sample-repository.ts (which renders
 * configs with handlebars) so that option parsing and `tslim verify --help` need no template engine.
 */
export const SAMPLE_BACKENDS = ['onnxruntime', 'python', 'pytorch', 'tensorrt'] as const;
export type SampleBackend = (typeof SAMPLE_BACKENDS)[number];

export function isSampleBackend(name: string): name is SampleBackend {
  return (SAMPLE_BACKENDS as readonly string[]).includes(name);
}
