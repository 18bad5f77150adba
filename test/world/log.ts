/** Progress goes to stderr; stdout carries only the one JSON line. */
export function progress(message: string): void {
  process.stderr.write(`[world] ${message}\n`);
}
