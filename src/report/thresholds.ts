import { usageError } from '../core/errors.js';
import { formatBytes, parseSize } from '../core/sizes.js';
import type { SizeReport } from './size-model.js';

/** CI limits: --max-size 8GB, --min-saved 30% (or an absolute 2GB). */
export interface Thresholds {
  maxSize?: number;
  minSaved?: { percent: number } | { bytes: number };
}

export interface ThresholdResult {
  name: 'max-size' | 'min-saved';
  limit: string;
  actual: string;
  ok: boolean;
}

export function parseThresholds(options: { maxSize?: string; minSaved?: string }): Thresholds {
  const out: Thresholds = {};
  if (options.maxSize !== undefined) {
    const bytes = parseSize(options.maxSize);
    if (bytes === undefined)
      throw usageError(`--max-size '${options.maxSize}' is not a size`, 'e.g. --max-size 8GB or 7.5GiB');
    out.maxSize = bytes;
  }
  if (options.minSaved !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(options.minSaved);
    if (m) {
      const value = Number(m[1]);
      if (value > 100) throw usageError(`--min-saved '${options.minSaved}' is over 100%`);
      out.minSaved = { percent: value };
    } else {
      const bytes = parseSize(options.minSaved);
      if (bytes === undefined)
        throw usageError(
          `--min-saved '${options.minSaved}' is neither a percent nor a size`,
          'e.g. --min-saved 30% or --min-saved 2GB',
        );
      out.minSaved = { bytes };
    }
  }
  return out;
}

export function checkThresholds(report: SizeReport, thresholds: Thresholds): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  if (thresholds.maxSize !== undefined) {
    results.push({
      name: 'max-size',
      limit: formatBytes(thresholds.maxSize),
      actual: formatBytes(report.slim.bytes),
      ok: report.slim.bytes <= thresholds.maxSize,
    });
  }
  const minSaved = thresholds.minSaved;
  if (minSaved && 'percent' in minSaved) {
    results.push({
      name: 'min-saved',
      limit: `${minSaved.percent}%`,
      actual: `${report.saved.percent}%`,
      ok: report.saved.percent >= minSaved.percent,
    });
  } else if (minSaved) {
    results.push({
      name: 'min-saved',
      limit: formatBytes(minSaved.bytes),
      actual: formatBytes(report.saved.bytes),
      ok: report.saved.bytes >= minSaved.bytes,
    });
  }
  return results;
}
