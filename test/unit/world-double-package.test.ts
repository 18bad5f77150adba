import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { worldSrcDir } from '../world/paths.js';

// The double's own unit tests (python unittest, stdlib only): pbtxt, tensors, compute, load order, loader.
describe('Triton double package (python unittest)', () => {
  it('passes its unit tests', () => {
    const cwd = path.join(worldSrcDir, 'double');
    const r = spawnSync('python3', ['-B', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    const ran = /Ran (\d+) tests?/.exec(r.stderr);
    expect(r.stderr).toMatch(/\nOK/);
    expect(Number(ran?.[1])).toBeGreaterThanOrEqual(17);
    expect(r.status).toBe(0);
  });
});
