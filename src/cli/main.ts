import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCompose } from './compose.js';
import { registerDoctor } from './doctor.js';
import { registerInspect } from './inspect.js';
import { registerPush } from './push.js';
import { registerReport } from './report.js';
import { registerSbom } from './sbom.js';
import { registerVerify } from './verify.js';
import { exitCode } from './run-action.js';

// Node's deprecation warnings are about dependencies' code, not the user's input (docker-modem's ssh
// transport builds an `ssh:` URL node warns about, DEP0170, on every ssh:// run): not for a CLI's stderr.
process.noDeprecation = true;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('tslim')
  .description('Make slim NVIDIA Triton Inference Server images: inspect, compose, verify, push, report.')
  .version(pkg.version)
  .showHelpAfterError()
  .exitOverride()
  // `compose --version YY.MM` must reach the subcommand, not the program's -V/--version:
  // with positional options, program options count only before the subcommand name.
  .enablePositionalOptions();

registerCompose(program);
registerDoctor(program);
registerInspect(program);
registerPush(program);
registerReport(program);
registerSbom(program);
registerVerify(program);

// no top-level await: the built CLI is one CommonJS script (scripts/bundle.mjs, src/boot/run-bundle.ts)
void (async (): Promise<void> => {
  try {
    await program.parseAsync(process.argv);
    // a pipe takes 64 KiB before its reader catches up, and process.exit drops what is still
    // queued: an SBOM on stdout is larger than that. The empty write's callback runs once all
    // earlier writes reached the pipe.
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    process.exit(exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and --version exit 0; parse errors are usage errors (exit 2)
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(70);
  }
})();
