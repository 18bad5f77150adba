// Preloaded with `node --import` by test/e2e/startup-modules.test.ts: at exit, writes the npm packages
// whose CommonJS files the process loaded (node's require cache) to $TSLIM_LOADED_MODULES, as JSON.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1]);
  }
  writeFileSync(process.env.TSLIM_LOADED_MODULES, JSON.stringify([...packages].sort()));
});
