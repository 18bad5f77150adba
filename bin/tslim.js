#!/usr/bin/env node
// Node 22.1+ keeps V8's compiled code of the CLI between runs (a no-op on Node 20); then the CLI.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/bundle/main.js');
