import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { readWorld } from '../world/read-world.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { runCli as tslim } from '../support/run-cli.js';

const world = readWorld();
const engine = connectEngine();
const runId = `test-e2e-push-${newRunId()}`;
const registry = world.registry.address;
const robot = world.registry.users.find((u) => u.username.startsWith('robot$'));
const repo = `tslim-test/e2e-${runId.slice(-6)}`;
const [, release] = Object.entries(world.releases)[0]!;
const imageA = `tslim-test/e2e-a:${runId}`;
const imageB = `tslim-test/e2e-b:${runId}`;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tslim-e2e-push-'));
  await buildTinyImage(engine, imageA, runId);
  await buildTinyImage(engine, imageB, runId);
}, 120_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
  await rm(tmp, { recursive: true, force: true });
});

describe('tslim push (built CLI)', () => {
  it('pushes as the robot user with --password-stdin, prints REF@digest, never the password', async () => {
    if (!robot) throw new Error('world has no robot user');
    const ref = `${registry}/${repo}:one`;
    const r = await tslim(['push', imageA, ref, '--username', robot.username, '--password-stdin'], {
      input: `${robot.password}\n`,
    });
    expect(r.stderr).not.toContain(robot.password);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${ref.replace(/[.$+]/g, '\\$&')}@sha256:[a-f0-9]{64}\\n$`));
  }, 120_000);

  it('exits 12 when the tag holds another image, and 10 with a wrong password (JSON, no password)', async () => {
    const env = { DOCKER_CONFIG: world.registry.dockerConfig };
    const taken = await tslim(['push', imageB, `${registry}/${repo}:one`], { env });
    expect(taken.code).toBe(12);
    expect(taken.stderr).toContain('already exists in the registry');
    const bad = await tslim(['push', imageB, `${registry}/${repo}:two`, '--json'], {
      env: { TSLIM_REGISTRY_USERNAME: 'robot$tools+ci', TSLIM_REGISTRY_PASSWORD: 'not-the-password-123' },
    });
    expect(bad.code).toBe(10);
    const out = JSON.parse(bad.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(out.error.code).toBe('REGISTRY_AUTH');
    expect(out.error.message).toContain("user 'robot$tools+ci'");
    expect(bad.stdout + bad.stderr).not.toContain('not-the-password-123');
  }, 120_000);
});

describe('tslim report (built CLI)', () => {
  it('prints JSON, writes HTML, and exits 13 when a threshold is missed', async () => {
    const html = join(tmp, 'r.html');
    const r = await tslim([
      'report',
      release.full,
      release.min,
      '--min',
      release.min,
      '--json',
      '--max-size',
      '1kB',
      '--min-saved',
      '1%',
      '--html',
      html,
    ]);
    expect(r.code).toBe(13);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      report: { payload: { droppedBytes: number } };
      thresholds: { name: string; ok: boolean }[];
    };
    expect(out.ok).toBe(false);
    expect(out.thresholds).toEqual([
      expect.objectContaining({ name: 'max-size', ok: false }),
      expect.objectContaining({ name: 'min-saved', ok: true }),
    ]);
    const payload = Object.values(release.payload).flatMap((kind) => Object.values(kind));
    expect(out.report.payload.droppedBytes).toBe(payload.reduce((a, b) => a + b, 0));
    expect(await readFile(html, 'utf8')).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    const ok = await tslim(['report', release.full, release.min, '--markdown', '--max-size', '100GB']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^### tslim size report/);
  }, 300_000);
});
