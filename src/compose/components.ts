import { usageError } from '../core/errors.js';
import type { ComposeInputs } from './inputs.js';
import type { PlanFacts } from './plan-facts.js';

const KINDS = [
  ['backends', 'backend'],
  ['repoagents', 'repoagent'],
  ['caches', 'cache'],
] as const;

/** Every requested name must exist in the full image (or, offline, in the release's default list). */
export function checkComponents(inputs: ComposeInputs, facts: PlanFacts): void {
  for (const [kind, singular] of KINDS) {
    const available = facts.available[kind];
    for (const name of inputs[kind]) {
      if (available.includes(name)) continue;
      const where = facts.source === 'image' ? 'the image has' : `container ${facts.container} ships`;
      const list = available.length > 0 ? available.join(', ') : 'none';
      throw usageError(`unknown ${singular} '${name}'; ${where}: ${list}`);
    }
  }
}
