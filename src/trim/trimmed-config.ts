import { TslimError } from '../core/errors.js';

/** The parts of an image config (OCI image-spec config.md) the trim changes; the rest passes as read. */
interface ImageConfigJson {
  created?: string;
  config?: { Labels?: Record<string, string> | null } & Record<string, unknown>;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface ConfigEdit {
  diffIds: readonly string[];
  labels: Record<string, string>;
  /** One history line for the trim (an empty layer: it adds none). */
  comment: string;
  /** SOURCE_DATE_EPOCH when set: the image's `created` (and the trim's history line); else the source's. */
  sourceDateEpoch?: string | undefined;
}

/** An RFC 3339 time from SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/). */
export function epochTime(value: string): string {
  if (!/^\d{1,12}$/.test(value))
    throw new TslimError('USAGE', `SOURCE_DATE_EPOCH=${value} is not a number of seconds since 1970`, {
      hint: 'set it to an integer, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it',
    });
  return new Date(Number(value) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The trimmed image's config from the untrimmed one's bytes: rootfs.diff_ids are the written
 * layers', the trim label is added, history gets one empty-layer line, `created` is kept (or
 * SOURCE_DATE_EPOCH's); every other field is the source's. Nothing in it comes from the time of the
 * run, so the same source and plan give the same bytes, and so the same image id.
 */
export function trimmedConfig(source: Buffer, edit: ConfigEdit): Buffer {
  const config = JSON.parse(source.toString('utf8')) as ImageConfigJson;
  const before = config.rootfs?.diff_ids ?? [];
  if (!config.rootfs || before.length !== edit.diffIds.length)
    throw new TslimError('INTERNAL', `the saved image has ${edit.diffIds.length} layers, its config ${before.length}`);
  const created = edit.sourceDateEpoch !== undefined ? epochTime(edit.sourceDateEpoch) : config.created;
  if (created !== undefined) config.created = created;
  config.config = { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), ...edit.labels } };
  config.rootfs = { ...config.rootfs, diff_ids: [...edit.diffIds] };
  config.history = [
    ...(config.history ?? []),
    {
      ...(created !== undefined ? { created } : {}),
      created_by: 'tslim compose --trim',
      comment: edit.comment,
      empty_layer: true,
    },
  ];
  return Buffer.from(JSON.stringify(config), 'utf8');
}
