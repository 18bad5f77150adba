import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });
const noEngine = { DOCKER_HOST: 'unix:///nonexistent.sock' };

describe('tslim compose (built CLI)', () => {
  it('prints a complete Dockerfile with no engine reachable', async () => {
    const r = await run(
      ['compose', '--backend', 'onnxruntime', '--backend', 'tensorrt', '--version', '24.09', '--dry-run'],
      noEngine,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Dockerfile\.compose/);
    expect(r.stdout).toContain('FROM nvcr.io/nvidia/tritonserver:24.09-py3 AS full');
    expect(r.stdout).toContain(
      'COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/tensorrt /opt/tritonserver/backends/tensorrt',
    );
    expect(r.stderr).toContain('no Docker engine answers');
  });

  it('prints one JSON object with --json and keeps proxy credentials out of it', async () => {
    const r = await run(
      [
        'compose',
        '--profile',
        'asr',
        '--version',
        '25.09',
        '--dry-run',
        '--offline',
        '--json',
        '--https-proxy',
        'http://u:s3cretpw@proxy:3128',
      ],
      noEngine,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      plan: { backends: string[]; recipe: { variant: string }; proxy: string[] };
    };
    expect(out.plan.backends).toEqual(['onnxruntime', 'python', 'tensorrt']);
    expect(out.plan.proxy).toEqual(['https']);
    expect(r.stdout + r.stderr).not.toContain('s3cretpw');
  });

  it('exits 2 on an unknown backend and on an injection attempt', async () => {
    const unknown = await run(['compose', '--backend', 'onnx', '--version', '24.09', '--dry-run', '--offline']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown backend 'onnx'; container 24.09 ships: dali, fil, identity, onnxruntime");
    const inject = await run([
      'compose',
      '--backend',
      'python\nRUN id',
      '--version',
      '24.09',
      '--dry-run',
      '--offline',
    ]);
    expect(inject.code).toBe(2);
    expect(inject.stdout).toBe('');
  });

  it('exits 6 with the supported range on an unknown version, and 2 on an unreadable profile', async () => {
    const r = await run(['compose', '--version', '21.01', '--dry-run', '--offline']);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('tslim knows 23.05–26.07');
    const p = await run([
      'compose',
      '--profile',
      '/nonexistent/p.yaml',
      '--version',
      '24.09',
      '--dry-run',
      '--offline',
    ]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('cannot read profile /nonexistent/p.yaml');
  });

  it('lists profiles', async () => {
    const r = await run(['profiles', '--json']);
    expect((JSON.parse(r.stdout) as { profiles: { name: string }[] }).profiles.map((p) => p.name)).toEqual([
      'asr',
      'llm-python',
      'onnx-trt',
    ]);
  });
  it('renders --server-arg into CMD over the profile, and refuses a bad setting with the valid form', async () => {
    const r = await run(
      [
        'compose',
        '--profile',
        'asr',
        '--version',
        '24.09',
        '--dry-run',
        '--offline',
        '--server-arg',
        'http-port=9000',
        '--server-arg',
        'log-verbose=1',
      ],
      noEngine,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh", "/opt/tslim/bin/tritonserver-defaults"]',
    );
    expect(r.stdout).toMatch(
      /CMD \["tritonserver",[^\]]*"--pinned-memory-pool-byte-size=268435456"[^\]]*"--http-port=9000"/,
    );
    expect(r.stdout).toContain('"--log-verbose=1"');
    const bad = await run(
      [
        'compose',
        '--profile',
        'asr',
        '--version',
        '24.09',
        '--dry-run',
        '--offline',
        '--server-arg',
        'http-port=70000',
      ],
      noEngine,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("server setting 'http-port' must be a port 1-65535, got '70000'");
    expect(bad.stdout).toBe('');
  });
});
