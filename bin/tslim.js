#!/usr/bin/env node
// CommonJS (bin/package.json): an ES module entry would start Node's ES module loader (~10 ms) that
// a run may never need. The built CLI is one script, run through V8's code cache
// (src/boot/run-bundle.ts); Node 22.1+'s compile cache covers what it loads from node_modules.
'use strict';
require('node:module').enableCompileCache?.();
require('../dist/bundle/boot.cjs').runBundle(require('node:path').join(__dirname, '../dist/bundle/main.cjs'));
