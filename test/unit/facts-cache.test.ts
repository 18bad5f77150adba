import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFactsCache } from '../../src/inspect/facts-cache.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tslim-facts-unit-'));
  dirs.push(d);
  return d;
}

describe('facts cache', () => {
  it('gives back what was set under the same key, nothing for another key', async () => {
    const cache = openFactsCache({ TSLIM_CACHE_DIR: await dir() })!;
    await cache.set('files:sha256:aa:du', { hasRoot: true, osText: 'ID=ubuntu' });
    expect(cache.get('files:sha256:aa:du')).toEqual({ hasRoot: true, osText: 'ID=ubuntu' });
    expect(cache.get('files:sha256:bb:du')).toBeUndefined();
  });

  it('an entry from another tslim version, or a damaged one, is a miss', async () => {
    const root = await dir();
    const cache = openFactsCache({ TSLIM_CACHE_DIR: root })!;
    await cache.set('k', { a: 1 });
    const [file] = await readdir(join(root, 'facts'));
    const path = join(root, 'facts', file!);
    const entry = JSON.parse(await readFile(path, 'utf8')) as { version: string };
    await writeFile(path, JSON.stringify({ ...entry, version: '0.0.0/0' }));
    expect(cache.get('k')).toBeUndefined();
    await writeFile(path, '{"key":');
    expect(cache.get('k')).toBeUndefined();
  });

  it('TSLIM_NO_CACHE turns it off; XDG_CACHE_HOME and HOME place it', async () => {
    expect(openFactsCache({ TSLIM_NO_CACHE: '1', TSLIM_CACHE_DIR: await dir() })).toBeUndefined();
    const xdg = await dir();
    await openFactsCache({ XDG_CACHE_HOME: xdg })!.set('k', 1);
    expect(await readdir(join(xdg, 'tslim', 'facts'))).toHaveLength(1);
    const home = await dir();
    await openFactsCache({ HOME: home })!.set('k', 1);
    expect(await readdir(join(home, '.cache', 'tslim', 'facts'))).toHaveLength(1);
  });
});
