import { catalogFacts } from '../../src/compose/plan-facts.js';
import { buildPlan, type ComposePlan } from '../../src/compose/plan.js';
import { renderDockerfile } from '../../src/compose/render.js';
import { loadTemplates } from '../../src/compose/templates.js';
import { sourceImages } from '../../src/compose/source-images.js';
import { toInputs, type ComposeFlags } from '../../src/cli/compose-options.js';
import type { Profile } from '../../src/compose/profiles.js';

/** Plans a compose from flags with the catalog standing in for the images (no engine). */
export function offlinePlan(flags: ComposeFlags, profile?: Profile): ComposePlan {
  const inputs = toInputs(flags, profile);
  const sources = sourceImages(inputs);
  if (!sources.release) throw new Error('offlinePlan needs a version');
  return buildPlan(inputs, sources, catalogFacts(sources.release, inputs.gpu, 'x86_64'), '0.0.0-test');
}

export async function offlineRender(flags: ComposeFlags, templateDir?: string): Promise<string> {
  return renderDockerfile(offlinePlan(flags), await loadTemplates(templateDir));
}

/** Dockerfile instructions with continuations joined, comments and blank lines dropped. */
export function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
