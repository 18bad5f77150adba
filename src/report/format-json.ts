import type { SizeReport } from './size-model.js';
import type { ThresholdResult } from './thresholds.js';

/** The --json result object: the report as is, plus threshold outcomes; bytes stay integers. */
export function formatJson(report: SizeReport, thresholds: readonly ThresholdResult[] = []): Record<string, unknown> {
  return { ok: thresholds.every((t) => t.ok), report, thresholds };
}

/** JSON Schema (2020-12) of `formatJson`'s object; docs/report.md shows it, tests check against it. */
export const REPORT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://tslim.dev/schemas/report-v1.json',
  type: 'object',
  required: ['ok', 'report', 'thresholds'],
  properties: {
    ok: { type: 'boolean' },
    report: {
      type: 'object',
      required: ['schema', 'full', 'slim', 'saved', 'layers', 'components', 'payload'],
      properties: {
        schema: { const: 'tslim.report/v1' },
        full: { $ref: '#/$defs/image' },
        slim: { $ref: '#/$defs/image' },
        min: { $ref: '#/$defs/image' },
        saved: {
          type: 'object',
          required: ['bytes', 'percent'],
          properties: {
            bytes: { type: 'integer' },
            percent: { type: 'number' },
            compressedBytes: { type: 'integer' },
            compressedPercent: { type: 'number' },
          },
        },
        layers: {
          type: 'object',
          required: ['shared', 'new', 'total'],
          properties: {
            shared: { type: 'integer', minimum: 0 },
            new: { type: 'integer', minimum: 0 },
            total: { type: 'integer', minimum: 0 },
          },
        },
        components: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'name', 'bytes', 'status'],
            properties: {
              kind: { enum: ['backends', 'repoagents', 'caches'] },
              name: { type: 'string' },
              bytes: { type: 'integer', minimum: 0 },
              status: { enum: ['kept', 'dropped', 'added'] },
            },
          },
        },
        payload: {
          type: 'object',
          required: ['keptBytes', 'droppedBytes', 'kept', 'dropped'],
          properties: {
            keptBytes: { type: 'integer', minimum: 0 },
            droppedBytes: { type: 'integer', minimum: 0 },
            kept: { type: 'integer', minimum: 0 },
            dropped: { type: 'integer', minimum: 0 },
          },
        },
        trim: {
          type: 'object',
          required: ['from', 'removedBytes', 'byCategory'],
          properties: {
            from: { type: 'string' },
            removedBytes: { type: 'integer', minimum: 0 },
            byCategory: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
            layers: {
              type: 'object',
              required: ['total', 'sharedWithMin', 'pullBytes'],
              properties: {
                total: { type: 'integer', minimum: 0 },
                sharedWithMin: { type: 'integer', minimum: 0 },
                pullBytes: { type: 'integer', minimum: 0 },
              },
            },
          },
        },
        ideal: {
          type: 'object',
          required: ['bytes', 'overheadBytes', 'percentOfSlim'],
          properties: {
            bytes: { type: 'integer' },
            overheadBytes: { type: 'integer' },
            percentOfSlim: { type: 'number' },
          },
        },
        packages: {
          type: 'array',
          items: {
            type: 'object',
            required: ['step', 'ref', 'kinds', 'removedNames', 'addedNames'],
            properties: {
              step: { enum: ['slim', 'trimmed'] },
              ref: { type: 'string' },
              kinds: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'full', 'target', 'removed', 'added', 'partial'],
                  properties: {
                    kind: { enum: ['deb', 'python', 'nvidia-library', 'triton'] },
                    full: { type: 'integer', minimum: 0 },
                    target: { type: 'integer', minimum: 0 },
                    removed: { $ref: '#/$defs/countBytes' },
                    added: { $ref: '#/$defs/countBytes' },
                    partial: { $ref: '#/$defs/countBytes' },
                  },
                },
              },
              removedNames: { type: 'array', items: { type: 'string' } },
              addedNames: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    thresholds: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'limit', 'actual', 'ok'],
        properties: {
          name: { enum: ['max-size', 'min-saved'] },
          limit: { type: 'string' },
          actual: { type: 'string' },
          ok: { type: 'boolean' },
        },
      },
    },
  },
  $defs: {
    countBytes: {
      type: 'object',
      required: ['count', 'bytes'],
      properties: { count: { type: 'integer', minimum: 0 }, bytes: { type: 'integer', minimum: 0 } },
    },
    image: {
      type: 'object',
      required: ['ref', 'id', 'bytes', 'layers'],
      properties: {
        ref: { type: 'string' },
        id: { type: 'string' },
        bytes: { type: 'integer', minimum: 0 },
        compressedBytes: { type: 'integer', minimum: 0 },
        layers: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;
