import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { readWorld } from '../world/read-world.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { emptyDockerConfig, pushNgcFixture, type NgcFixture } from '../support/ngc-fixture.js';
import { removeByLabel } from '../support/tiny-image.js';

// The built CLI pulling nvcr.io/... through --registry-mirror from the world's token registry as
// $oauthtoken with NGC_API_KEY: results, the one progress line without a TTY, and the key never printed.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token` (or `npm run world`)');
const engine = connectEngine();
const runId = `test-e2e-ngc-${newRunId()}`;
let fx: NgcFixture;
let env: NodeJS.ProcessEnv;

const noKey = (run: CliRun): void => {
  expect(run.stdout).not.toContain(fx.key);
  expect(run.stderr).not.toContain(fx.key);
};

beforeAll(async () => {
  fx = await pushNgcFixture(engine, token, runId);
  const dir = await emptyDockerConfig();
  env = { DOCKER_CONFIG: dir, HOME: dir, NGC_API_KEY: fx.key, CI: '1' };
}, 180_000);
afterAll(async () => {
  await removeByLabel(engine, runId);
});

describe('tslim pulls from nvcr.io with an NGC key (built CLI)', () => {
  it('inspect --pull --registry-mirror: pulls, prints one line for the pull (no TTY), exits 0', async () => {
    const run = await runCli(['inspect', fx.requested, '--pull', '--registry-mirror', fx.mirror, '--no-payload'], {
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^triton\s+2\.50\.0$/m);
    const pulled = run.stderr.split('\n').filter((l) => l.includes('pulled '));
    expect(pulled).toHaveLength(1);
    expect(pulled[0]).toContain(fx.requested);
    expect(pulled[0]).toMatch(/1\/1 layers|2\/2 layers/);
    expect(pulled[0]).toContain('(credentials: NGC_API_KEY)');
    // no per-layer lines without a TTY
    expect(run.stderr).not.toMatch(/^\s+[a-f0-9]{12}: /m);
    noKey(run);
    await removeByLabel(engine, runId);
  }, 120_000);

  it('on a TTY: a spinner whose text carries the bytes/total of the layers', async () => {
    // util-linux `script` gives the CLI a pty; stty gives it a width (ora needs one to redraw)
    const cli = `stty cols 120 rows 40; ${JSON.stringify(process.execPath)} bin/tslim.js inspect ${fx.requested} --pull --registry-mirror ${fx.mirror} --no-payload`;
    const { spawnSync } = await import('node:child_process');
    const ttyEnv = { ...process.env, ...env };
    delete ttyEnv.CI;
    const run = spawnSync('script', ['-qec', cli, '/dev/null'], { env: ttyEnv, encoding: 'utf8', timeout: 60_000 });
    const screen = stripVTControlCharacters(run.stdout);
    expect(run.status, screen.slice(0, 2000)).toBe(0);
    expect(screen).toMatch(/[⠋⠙⠹⠸] pulling nvcr\.io\//);
    expect(screen).toMatch(
      /✔ pulled nvcr\.io\/\S+ \(\S+\): \d\/\d layers, [\d.]+ [kM]B \/ [\d.]+ [kM]B \(credentials: NGC_API_KEY\)/,
    );
    expect(screen).not.toContain(fx.key);
    await removeByLabel(engine, runId);
  }, 120_000);

  it('--json: one JSON object, the key nowhere', async () => {
    const run = await runCli(
      ['inspect', fx.requested, '--pull', '--registry-mirror', fx.mirror, '--no-payload', '--json'],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { image: { tritonVersion: string } }).image.tritonVersion).toBe('2.50.0');
    noKey(run);
    await removeByLabel(engine, runId);
  }, 120_000);

  it('a missing tag: exit 4 (IMAGE_NOT_FOUND), the error names the repository and NGC_API_KEY, never the key', async () => {
    const missing = fx.requested.replace(/:[^:]+$/, ':missing');
    const run = await runCli(['inspect', missing, '--pull', '--registry-mirror', fx.mirror, '--json'], { env });
    expect(run.code).toBe(4);
    const out = JSON.parse(run.stdout) as { ok: boolean; error: { message: string; details: { credentials: string } } };
    expect(out.ok).toBe(false);
    expect(out.error.message).toContain(missing);
    expect(out.error.details.credentials).toBe('NGC_API_KEY');
    noKey(run);
  }, 60_000);

  it('a wrong key: exit 10 and neither key is printed', async () => {
    const wrong = `nvapi-wrong-${runId}`;
    const run = await runCli(['inspect', fx.requested, '--pull', '--registry-mirror', fx.mirror], {
      env: { ...env, NGC_API_KEY: wrong },
    });
    expect(run.code).toBe(10);
    expect(run.stderr).toContain('NGC_API_KEY');
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    noKey(run);
  }, 60_000);

  it("compose's pulls of nvcr.io images go through the mirror with the NGC key", async () => {
    const run = await runCli(
      [
        'compose',
        '--image',
        `full=${fx.requested}`,
        '--image',
        `min=${fx.requested}`,
        '--registry-mirror',
        fx.mirror,
        '--dry-run',
        '--pull',
      ],
      { env },
    );
    // the fixture is no real Triton image: compose stops after the pulls, on its facts (exit 5)
    expect(run.stderr).toContain(`pulled ${fx.requested} (${fx.used})`);
    expect(run.stderr).toContain('(credentials: NGC_API_KEY)');
    expect(run.code).toBe(5);
    noKey(run);
  }, 120_000);
});
