import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { usageError } from '../core/errors.js';
import { checkImageArg } from '../core/image-ref.js';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';

interface SbomCliOptions extends CommonOptions {
  format: string;
  output?: string;
}

export const TSLIM_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function registerSbom(program: Command): void {
  const cmd = new Command('sbom')
    .description(
      'What is inside an image, as a CycloneDX 1.6 SBOM: dpkg packages, Python distributions, the Triton server and its components, NVIDIA libraries',
    )
    .argument('<image>', 'local image (reference or ID)')
    .addOption(
      new Option('--format <format>', 'cyclonedx (CycloneDX 1.6 JSON); spdx is not offered (docs/sbom.md)')
        .choices(['cyclonedx', 'spdx'])
        .default('cyclonedx'),
    )
    .option('-o, --output <file>', 'write the SBOM to FILE (else stdout)');
  addCommonOptions(cmd);
  cmd.action(
    runAction<SbomCliOptions>(async (options, ctx) => {
      const image = checkImageArg(cmd.args[0] ?? '');
      if (options.format === 'spdx') {
        throw usageError(
          'SPDX output is not offered: no maintained JavaScript library writes SPDX 2.3 documents',
          'use --format cyclonedx (docs/sbom.md says why)',
        );
      }
      const { pingEngine } = await import('../docker/engine.js');
      const { readInventory } = await import('../sbom/read-inventory.js');
      const { toCycloneDx } = await import('../sbom/cyclonedx.js');
      const { summarize } = await import('../sbom/summary.js');
      const engine = await ctx.engine();
      await pingEngine(engine, ctx.signal);
      ctx.progress.start(`reading ${image}`);
      const inventory = await readInventory(engine, image, { signal: ctx.signal, runId: ctx.runId, log: ctx.log });
      const document = await toCycloneDx(inventory, { toolVersion: TSLIM_VERSION });
      ctx.progress.succeed(`${image}: ${inventory.packages.length} packages (${inventory.method})`);
      for (const note of inventory.notes) ctx.log.warn(note);
      if (options.output) await writeFileAtomic(options.output, document);
      if (ctx.json) {
        ctx.outJson({
          ok: true,
          sbom: {
            image: inventory.image,
            format: 'cyclonedx-1.6-json',
            readFrom: inventory.method,
            summary: summarize(inventory),
            ...(options.output ? { output: options.output } : { document: JSON.parse(document) as unknown }),
            notes: inventory.notes,
          },
        });
      } else if (!options.output) ctx.out(document);
    }),
  );
  program.addCommand(cmd);
}
