/** Labels tslim puts on everything it creates, so a sweep can find leftovers. */
export const RUN_LABEL = 'dev.tslim.run';
export const LABEL_PREFIX = 'dev.tslim.';

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [RUN_LABEL]: runId, ...extra };
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
