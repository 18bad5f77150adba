import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { readWorld } from '../world/read-world.js';
import { runCli } from '../support/run-cli.js';

const world = readWorld();
const full = world.releases['24.09']?.full ?? '';

describe('tslim inspect (built CLI)', () => {
  it('prints one JSON object with the facts and exits 0', async () => {
    const run = await runCli(['inspect', full, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      image: { tritonVersion: string; backends: { name: string; bytes: number }[] };
    };
    expect(result.ok).toBe(true);
    expect(result.image.tritonVersion).toBe('2.50.0');
    expect(Object.fromEntries(result.image.backends.map((b) => [b.name, b.bytes]))).toEqual(
      world.releases['24.09']?.payload.backends,
    );
    expect(run.stderr).not.toContain('⠋'); // no spinner without a TTY
  });

  it('prints a human table by default', async () => {
    const run = await runCli(['inspect', full]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^triton\s+2\.50\.0$/m);
    expect(run.stdout).toMatch(/^BACKENDS\s+SIZE\s+FILES$/m);
    expect(run.stdout).toMatch(/^pytorch\s+/m);
  });

  it.each([
    [['inspect', 'tslim-fixture/none:1'], 4, /not in the engine/],
    [['inspect', world.base], 5, /not a Triton image/],
    [['inspect', 'bad ref'], 2, /not a valid image reference/],
  ])('%j exits %i', async (args, code, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 3 with a hint when no engine answers', async () => {
    const run = await runCli(['inspect', full, '--json'], { env: { DOCKER_HOST: 'unix:///tmp/tslim-no-such.sock' } });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'ENGINE_UNREACHABLE' } });
    expect(run.stderr).toMatch(/hint: .*npm run engine/);
  });

  it('--pull with --username/--password-stdin: the same pull path (one progress line, the credential source named); a wrong password exits 10 without it', async () => {
    const ref = `${world.registry.address}/${world.registry.repository}:24.09-py3-min`;
    const user = world.registry.users[0]!;
    const untag = (): Promise<unknown> =>
      connectEngine()
        .getImage(ref)
        .remove()
        .catch(() => undefined);
    await untag();
    const wrong = await runCli(
      ['inspect', ref, '--pull', '--username', user.username, '--password-stdin', '--no-payload'],
      {
        input: 'not-the-password',
      },
    );
    expect(wrong.code, wrong.stderr).toBe(10);
    expect(wrong.stderr).toContain('credentials from --username/--password-stdin');
    expect(wrong.stderr).not.toContain('not-the-password');
    await untag();
    const run = await runCli(
      ['inspect', ref, '--pull', '--username', user.username, '--password-stdin', '--no-payload'],
      { input: user.password },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/pulled .*\(credentials: --username\/--password-stdin\)/);
    expect(run.stderr).not.toContain(user.password);
    expect(run.stdout).toMatch(/container version\s+24\.09/);
  });
});
