import { formatBytes } from '../core/sizes.js';
import type { StreamEvent } from '../docker/json-stream.js';

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

/** Per-layer bytes/total from a push stream, summed for one progress line. */
export class LayerProgress {
  readonly #layers = new Map<string, Layer>();

  /** True when the event changed something worth showing. */
  update(event: StreamEvent): boolean {
    if (!event.id || !/^[a-f0-9]{12,}$/.test(event.id)) return false;
    const layer = this.#layers.get(event.id) ?? { current: 0, total: 0, done: false };
    this.#layers.set(event.id, layer);
    const status = event.status ?? '';
    if (status === 'Pushing' && event.progressDetail) {
      layer.current = event.progressDetail.current ?? layer.current;
      layer.total = event.progressDetail.total ?? layer.total;
    } else if (status === 'Pushed' || status === 'Layer already exists' || status.startsWith('Mounted from')) {
      layer.done = true;
      layer.current = layer.total;
    }
    return true;
  }

  /** A line for a layer that just finished, else undefined. */
  finished(event: StreamEvent): string | undefined {
    const status = event.status ?? '';
    if (!event.id || !(status === 'Pushed' || status === 'Layer already exists' || status.startsWith('Mounted from')))
      return undefined;
    const total = this.#layers.get(event.id)?.total ?? 0;
    return `  layer ${event.id}: ${status}${total > 0 ? ` (${formatBytes(total)})` : ''}`;
  }

  summary(): string {
    let done = 0;
    let current = 0;
    let total = 0;
    for (const layer of this.#layers.values()) {
      if (layer.done) done += 1;
      current += layer.current;
      total += layer.total;
    }
    const bytes = total > 0 ? `, ${formatBytes(current)} / ${formatBytes(total)}` : '';
    return `${done}/${this.#layers.size} layers${bytes}`;
  }
}
