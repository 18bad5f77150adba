import type { Command } from 'commander';
import { addCommonOptions, type CliContext, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';

async function profilesAction(_options: CommonOptions, ctx: CliContext): Promise<void> {
  // imported here: the profile reader loads yaml, which no other command needs at start-up
  const { listProfiles } = await import('../compose/profiles.js');
  const { toTritonArgs } = await import('../compose/server-settings-apply.js');
  const profiles = await listProfiles();
  if (ctx.json) {
    return ctx.outJson({
      ok: true,
      profiles: profiles.map(({ name, description, backends, repoagents, caches, overrides, server, path }) => ({
        name,
        description,
        backends,
        repoagents,
        caches,
        overrides,
        server: server ?? {},
        serverArgs: toTritonArgs(server),
        path,
      })),
    });
  }
  const rows = [
    ['NAME', 'BACKENDS', 'REPOAGENTS', 'CACHES', 'SERVER', 'DESCRIPTION'],
    ...profiles.map((p) => [
      p.name,
      p.backends.join(',') || '-',
      p.repoagents.join(',') || '-',
      p.caches.join(',') || '-',
      `${Object.keys(p.server ?? {}).length} settings`,
      p.description,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  ctx.out(
    rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') +
      '\n',
  );
}

export function registerProfiles(program: Command): void {
  const cmd = program
    .command('profiles')
    .description('List the shipped compose profiles (use one with tslim compose --profile NAME).');
  addCommonOptions(cmd).action(runAction<CommonOptions>(profilesAction));
}
