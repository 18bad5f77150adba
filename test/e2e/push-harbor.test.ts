import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { readWorld } from '../world/read-world.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { runCli as tslim } from '../support/run-cli.js';

// `tslim push --harbor` (built CLI) against the Harbor double: exit codes, --json, the fix named.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token` (or `npm run world`)');
const engine = connectEngine();
const runId = `test-e2e-harbor-${newRunId()}`;
const suffix = runId.slice(-6);
const image = `tslim-test/e2e-harbor:${runId}`;
const user = (name: string) => {
  const found = token.users.find((u) => u.username === name);
  if (!found) throw new Error(`no ${name} in world.json`);
  return found;
};
interface JsonOut {
  ok: boolean;
  push?: { digest: string; harbor?: { project: string; artifactSize: number } };
  error?: { code: string; message: string; hint?: string };
}

beforeAll(async () => {
  await buildTinyImage(engine, image, runId);
}, 120_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
});

describe('tslim push --harbor (built CLI, Harbor double)', () => {
  it('pushes as a robot with --password-stdin and reports the Harbor artifact', async () => {
    const robot = user('robot$triton+ci');
    const r = await tslim(
      [
        'push',
        image,
        `${token.harbor}/triton/e2e-${suffix}:one`,
        '--harbor',
        '--json',
        '--username',
        robot.username,
        '--password-stdin',
      ],
      { input: `${robot.password}\n` },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JsonOut;
    expect(out.push?.harbor?.project).toBe('triton');
    expect(out.push?.harbor?.artifactSize).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(robot.password);
  }, 120_000);

  it('exits 10 for a pull-only robot and 11 for a missing project, each naming the fix', async () => {
    const reader = user('robot$triton+pull');
    const denied = await tslim(['push', image, `${token.harbor}/triton/e2e-${suffix}:two`, '--harbor', '--json'], {
      env: { TSLIM_REGISTRY_USERNAME: reader.username, TSLIM_REGISTRY_PASSWORD: reader.password },
    });
    expect(denied.code).toBe(10);
    const d = JSON.parse(denied.stdout) as JsonOut;
    expect(d.error?.hint).toContain('give robot$triton+pull push permission on project triton');
    expect(denied.stdout + denied.stderr).not.toContain(reader.password);

    const admin = user('tslim');
    const missing = await tslim(['push', image, `${token.harbor}/gone-${suffix}/server:x`, '--harbor', '--json'], {
      env: { TSLIM_REGISTRY_USERNAME: admin.username, TSLIM_REGISTRY_PASSWORD: admin.password },
    });
    expect(missing.code).toBe(11);
    const m = JSON.parse(missing.stdout) as JsonOut;
    expect(m.error?.hint).toContain(`create project gone-${suffix} in Harbor or push to an existing one`);
  }, 120_000);
});
