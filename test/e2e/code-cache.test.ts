import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/boot/run-bundle.js';
import { tempDir } from '../support/temp-dir.js';

// The built CLI runs through V8's code cache (src/boot/run-bundle.ts). Whether V8 accepts or refuses
// an entry shows only in a new process, so each step here is one: the CLI itself, and a driver that
// compiles the bundle as bin/tslim.js does and prints what became of the entry.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/tslim.js');
const MAIN = join(ROOT, 'dist/bundle/main.cjs');
const BOOT = join(ROOT, 'dist/bundle/boot.cjs');
const DRY_RUN = ['compose', '--dry-run', '--offline', '--version', '24.09', '--backend', 'python', '--json'];

/** A run of the CLI; `stdout` is its --json answer without the timings, which differ run to run. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', input });
  let stdout = r.stdout;
  try {
    const answer = JSON.parse(r.stdout) as { timings?: unknown };
    delete answer.timings;
    stdout = JSON.stringify(answer);
  } catch {
    // not JSON: compared as it is
  }
  return { code: r.status, stdout, stderr: r.stderr };
}

/** What V8 made of the compose entry in a fresh process (flags as the CLI's: none). */
async function entryState(env: NodeJS.ProcessEnv): Promise<string> {
  const driver = join(await tempDir('code-cache-driver'), 'driver.cjs');
  writeFileSync(
    driver,
    `const b = require(${JSON.stringify(BOOT)}).compileBundle(${JSON.stringify(MAIN)}, { argv: ['node', 'tslim', 'compose'] });\nprocess.stdout.write(b.state);\n`,
  );
  const r = spawnSync(process.execPath, [driver], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('the built CLI keeps its compiled code between runs', () => {
  it('writes an entry on the first run; later runs use it unchanged and answer the same', async () => {
    const env = { TSLIM_CACHE_DIR: await tempDir('code-cache') };
    const codeDir = join(env.TSLIM_CACHE_DIR, 'code');
    const first = cli(DRY_RUN, env);
    expect(first.code, first.stderr).toBe(0);
    const entries = readdirSync(codeDir);
    expect(entries).toEqual([expect.stringMatching(/^compose-.*\.bin$/)]);
    const entry = join(codeDir, entries[0]!);
    const written = statSync(entry).mtimeMs;
    expect(await entryState(env)).toBe('accepted');

    const second = cli(DRY_RUN, env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(entry).mtimeMs).toBe(written);
  });

  it('a corrupt entry is refused, the run still answers the same, and the entry is rewritten', async () => {
    const env = { TSLIM_CACHE_DIR: await tempDir('code-cache') };
    const first = cli(DRY_RUN, env);
    expect(first.code, first.stderr).toBe(0);
    const codeDir = join(env.TSLIM_CACHE_DIR, 'code');
    const entry = join(codeDir, readdirSync(codeDir)[0]!);
    writeFileSync(entry, 'garbage, not V8 code');
    expect(await entryState(env)).toBe('rejected');

    const again = cli(DRY_RUN, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(readFileSync(entry, 'utf8')).not.toBe('garbage, not V8 code');
    expect(await entryState(env)).toBe('accepted');
  });

  it('TSLIM_NO_CODE_CACHE writes nothing; a cache directory that cannot be made changes nothing else', async () => {
    const dir = await tempDir('code-cache');
    const off = cli(DRY_RUN, { TSLIM_CACHE_DIR: dir, TSLIM_NO_CODE_CACHE: '1' });
    expect(off.code, off.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual([]);

    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const unwritable = cli(DRY_RUN, { TSLIM_CACHE_DIR: blocker });
    expect(unwritable.code, unwritable.stderr).toBe(0);
    expect(unwritable.stdout).toBe(off.stdout);
    expect(unwritable.stderr).toBe(off.stderr);
  });

  it('an entry holds compiled code, never what a run was given (a password)', async () => {
    const env = { TSLIM_CACHE_DIR: await tempDir('code-cache') };
    const secret = 'pw-code-cache-7f3e9a1c';
    const push = [
      'push',
      'tslim-test/no-such-image:none',
      '127.0.0.1:9/team/x:y',
      '--username',
      'u',
      '--password-stdin',
    ];
    const r = cli(push, { ...env, TSLIM_REGISTRY_PASSWORD: `${secret}-env` }, `${secret}\n`);
    expect(r.code).not.toBe(0); // no such image: the run fails after reading the password
    const codeDir = join(env.TSLIM_CACHE_DIR, 'code');
    const entries = readdirSync(codeDir);
    expect(entries).toEqual([expect.stringMatching(/^push-.*\.bin$/)]);
    for (const name of entries) expect(readFileSync(join(codeDir, name)).includes(secret)).toBe(false);
  });

  it('every subcommand of tslim --help has an entry of its own (COMMANDS)', () => {
    const help = cli(['--help'], { TSLIM_NO_CODE_CACHE: '1' });
    const listed = help.stdout
      .slice(help.stdout.indexOf('Commands:'))
      .split('\n')
      .map((line) => /^ {2}([a-z][a-z-]*) /.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'help');
    expect(listed.length).toBeGreaterThan(5);
    expect([...COMMANDS].sort()).toEqual(listed.sort());
  });
});
