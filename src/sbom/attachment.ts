import type { Engine } from '../docker/engine.js';
import type { Logger } from '../core/logger.js';
import { CYCLONEDX_MEDIA_TYPE, toCycloneDx } from './cyclonedx.js';
import { readInventory } from './read-inventory.js';

export interface SbomAttachment {
  artifactType: string;
  blob: { bytes: Uint8Array; mediaType: string; title: string };
  annotations: Record<string, string>;
  packages: number;
}

/**
 * The SBOM of a local image as push attaches it: CycloneDX JSON as the one layer, the artifact
 * typed by its media type (as `oras attach --artifact-type application/vnd.cyclonedx+json` does,
 * and as Trivy and Harbor read CycloneDX referrers).
 */
export async function sbomAttachment(
  engine: Engine,
  image: string,
  options: { toolVersion: string; signal?: AbortSignal; runId?: string; log?: Logger },
): Promise<SbomAttachment> {
  const inventory = await readInventory(engine, image, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  for (const note of inventory.notes) options.log?.warn(note);
  const created = new Date();
  const document = await toCycloneDx(inventory, { toolVersion: options.toolVersion, timestamp: created });
  return {
    artifactType: CYCLONEDX_MEDIA_TYPE,
    blob: { bytes: new TextEncoder().encode(document), mediaType: CYCLONEDX_MEDIA_TYPE, title: 'sbom.cdx.json' },
    annotations: { 'org.opencontainers.image.created': created.toISOString() },
    packages: inventory.packages.length,
  };
}
