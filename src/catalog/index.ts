export * from './releases.js';
export * from './images.js';
export * from './components.js';
export * from './recipe.js';
export * from './dcgm.js';
export { RANGES, inRange, variantName } from './ranges.js';
