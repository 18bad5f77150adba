/**
 * The semver functions tslim uses, each from its own file: `import 'semver'` loads all 47 of the
 * package's modules (~15 ms of every start), these load 10.
 */
export { default as compare } from 'semver/functions/compare.js';
export { default as gte } from 'semver/functions/gte.js';
export { default as lt } from 'semver/functions/lt.js';
export { default as lte } from 'semver/functions/lte.js';
export { default as major } from 'semver/functions/major.js';
export { default as minor } from 'semver/functions/minor.js';
export { default as satisfies } from 'semver/functions/satisfies.js';
export { default as Range } from 'semver/classes/range.js';
