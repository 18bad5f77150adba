import type Handlebars from 'handlebars';
import { TslimError } from '../core/errors.js';
import type { ComposePlan } from './plan.js';
import type { Templates } from './templates.js';
import { COMPILE_OPTIONS, precompiledFor } from './precompiled-templates.js';
import { renderView } from './view.js';
import { importModule } from '../core/import-module.js';

/**
 * Renders with an isolated Handlebars instance in strict mode; no HTML escaping (it is a Dockerfile).
 * The shipped templates come precompiled from the build (precompiled-templates.ts) and need only
 * handlebars' runtime; any other text is compiled here, with the same options.
 */
export async function renderDockerfile(
  plan: ComposePlan,
  templates: Templates,
  /** Where the precompiled module is (tests); default: the build's, beside precompiled-templates.js. */
  precompiledUrl?: URL,
): Promise<string> {
  const pre = await precompiledFor(templates, precompiledUrl);
  const runtime = pre ? await loadRuntime() : undefined;
  try {
    if (pre && runtime?.VERSION === pre.version) {
      const hbs = runtime.create();
      const template = (spec: unknown): HandlebarsTemplateDelegate => hbs.template(spec as TemplateSpecification);
      for (const [name, { spec }] of Object.entries(pre.partials)) hbs.registerPartial(name, template(spec));
      return tidy(template(pre.main.spec)(renderView(plan)));
    }
    const hbs = (await importModule<{ default: typeof Handlebars }>('handlebars')).default.create();
    for (const [name, text] of Object.entries(templates.partials)) hbs.registerPartial(name, text);
    const template = hbs.compile(templates.main, COMPILE_OPTIONS);
    return tidy(template(renderView(plan)));
  } catch (cause) {
    throw new TslimError('USAGE', `the Dockerfile template failed to render: ${(cause as Error).message}`, {
      cause,
      hint: 'a custom partial names a field the plan does not have (strict mode); see docs/compose.md for the fields',
    });
  }
}

/** handlebars without its compiler; its typings export nothing, so its shape is checked here. */
async function loadRuntime(): Promise<typeof Handlebars | undefined> {
  // bundled into the built CLI (scripts/bundle.mjs): the precompiled templates' own handlebars version
  const loaded: unknown = await import('handlebars/runtime.js');
  const runtime = (loaded as { default?: Partial<Record<'create' | 'template', unknown>> }).default;
  const ok = typeof runtime?.create === 'function' && typeof runtime.template === 'function';
  return ok ? (runtime as typeof Handlebars) : undefined;
}

/** At most one blank line in a row, none at the start, one newline at the end. */
function tidy(text: string): string {
  return `${text
    .replace(/^\s+/, '')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
