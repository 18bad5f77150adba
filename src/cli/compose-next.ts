/**
 * The end of a successful compose on a terminal: where the Dockerfile and the build log went, and
 * the commands that come next with this image's name (those the run did not already do). stderr
 * only: stdout keeps the result alone.
 */
export interface NextStepsInput {
  /** The tag the build made (e.g. tritonserver or harbor.example/tools/tritonserver:24.09-slim). */
  tag: string;
  /** The full image the slim one was made from, as the engine has it (report's FULL). */
  full: string;
  gpu: boolean;
  dockerfile: string | undefined;
  buildLog: string | undefined;
  /** What the run did already: those steps are not suggested again. */
  verified: boolean;
  pushed: boolean;
  reported: boolean;
}

/** Shell-safe enough for an image reference or a path with spaces (no quoting for the common case). */
function arg(value: string): string {
  return /^[\w./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function nextSteps(input: NextStepsInput): string[] {
  const lines: string[] = [];
  if (input.dockerfile) lines.push(`Dockerfile: ${input.dockerfile}`);
  if (input.buildLog) lines.push(`build log:  ${input.buildLog}`);
  const image = arg(input.tag);
  const next: string[] = [];
  if (!input.verified) next.push(`tslim verify ${image} --gpus ${input.gpu ? 'all' : 'none'}`);
  if (!input.pushed) next.push(`tslim push ${image} REGISTRY/PROJECT/${image.replace(/^.*\//, '')}`);
  if (!input.reported) next.push(`tslim report ${arg(input.full)} ${image}`);
  if (next.length > 0) lines.push('next:', ...next.map((c) => `  ${c}`));
  return lines;
}
