import { defineConfig } from 'vitest/config';

// Three projects (vitest 3 `test.projects`): unit needs nothing; engine and e2e need a Docker engine
// and the test world, which their global setup checks (and builds, when stale) before any file loads.
const engineSetup = {
  globalSetup: ['test/setup/global-engine.ts'],
  testTimeout: 600_000,
  hookTimeout: 600_000,
  // One engine, one registry, one 2-core box: files run one after another.
  fileParallelism: false,
  // Every test reads images afresh (a container per inspect, as the interrupt tests wait for); the
  // facts cache is tested where a test sets TSLIM_CACHE_DIR and clears this (facts-cache.test.ts).
  env: { TSLIM_NO_CACHE: '1' },
};

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'engine', include: ['test/engine/**/*.test.ts'], environment: 'node', ...engineSetup } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', ...engineSetup } },
    ],
  },
});
