// Types of import-graph.mjs for the tests that use it (test/unit/lint-boundaries.test.ts).
export function specifiersOf(text: string): string[];
export function resolveSpecifier(fromFile: string, specifier: string): string | undefined;
export function importsOf(file: string): string[];
export function pathBack(start: string, target: string, imports?: (file: string) => string[]): string[] | undefined;
