/**
 * `npm run world [-- up|down|gc] [--scale N] [--name NAME] [--skip-push] [--release R]... [--json]`: builds and starts the test world.
 * stdout: exactly one JSON line (the world, or `{"stopped":[...]}` for down); progress on stderr.
 */
import { parseArgs } from 'node:util';
import { down } from './down.js';
import { withWorldLock } from './lock.js';
import { collectGarbage } from './registry.js';
import { up } from './up.js';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      scale: { type: 'string' },
      name: { type: 'string' },
      'skip-push': { type: 'boolean' },
      release: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const command = positionals[0] ?? 'up';
  if (values.help || !['up', 'down', 'gc'].includes(command) || positionals.length > 1) {
    process.stderr.write(
      'usage: npm run world -- [up|down|gc] [--scale N] [--name NAME] [--skip-push] [--release R]... [--json]\n',
    );
    return values.help ? 0 : 2;
  }
  // --json is accepted for symmetry with tslim; the output is always one JSON line.
  const options = {
    ...(values.scale === undefined ? {} : { scale: Number(values.scale) }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['skip-push'] ? { push: false } : {}),
    ...(values.release === undefined ? {} : { releases: values.release }),
  };
  const result =
    command === 'down' ? await down() : command === 'gc' ? await withWorldLock(collectGarbage) : await up(options);
  process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[world] error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.cause)
      process.stderr.write(`[world] cause: ${String((error.cause as Error).message ?? error.cause)}\n`);
    process.exit(1);
  },
);
