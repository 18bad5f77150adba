import { TslimError } from '../core/errors.js';
import { sparkline } from './chart.js';
import type { VerifyReport } from './verify.js';

/** The error a failed report stands for: a GPU problem of the run, broken backends, or a leak. */
export function verifyFailure(report: VerifyReport): TslimError | undefined {
  if (report.ok) return undefined;
  const target = report.image ?? report.url ?? 'the server';
  if (report.gpuProblem) {
    return new TslimError('GPU_UNAVAILABLE', `${target}: ${report.gpuProblem}`, {
      hint:
        report.gpus === 'no GPU'
          ? 'this is the run, not the image: the models left on KIND_GPU (tensorrt, or a --trt-plan) need a GPU; verify with --gpus all, or leave them out with --backend'
          : `this is the run, not the image: the engine accepted --gpus (${report.gpus}) but the container sees no GPU; check the NVIDIA Container Toolkit or CDI spec (nvidia-ctk cdi list) and the driver`,
      details: { report },
    });
  }
  const failed = report.results.filter((r) => r.status === 'failed');
  const shmError = shmFailure(report, target);
  if (shmError) return shmError;
  if (failed.length > 0) {
    return new TslimError(
      'VERIFY_FAILED',
      `${target} failed to serve ${failed.map((r) => r.backend).join(', ')}: ${failed.map((r) => `${r.backend}: ${r.message ?? r.state ?? ''}`).join('; ')}`,
      {
        hint: 'the backend is missing or broken in the image; keep it in compose (--backend) or drop it from the check',
        details: { report },
      },
    );
  }
  if (report.soak && !report.soak.ok) {
    const s = report.soak;
    return new TslimError(
      'VERIFY_FAILED',
      `soak: GPU memory grew by ${mib(s.growthBytes)} after warm-up (threshold ${mib(s.thresholdBytes)}), ${mib(s.baselineBytes)} -> ${mib(s.finalBytes)} over ${s.requests} requests`,
      {
        hint: 'memory that keeps growing with batch sizes that change is the onnxruntime arena pattern of the 24.12/25.02 images; try another release or the backend config arena settings',
        details: { report },
      },
    );
  }
  return new TslimError('VERIFY_FAILED', `${target} did not verify`, { details: { report } });
}

/** A python model that failed for want of /dev/shm: a setting of the run (or the image), said with the size that works. */
function shmFailure(report: VerifyReport, target: string): TslimError | undefined {
  const shm = report.server?.shm;
  const python = report.results.find((r) => r.backend === 'python' && r.status === 'failed');
  if (!shm || !python) return undefined;
  const text = `${python.message ?? ''} ${python.reason ?? ''}`;
  if (shm.bytes >= shm.neededBytes && !/shared memory|shm/i.test(text)) return undefined;
  const need = `${shm.pythonInstances} python instance${shm.pythonInstances === 1 ? '' : 's'} need at least ${mib(shm.neededBytes)} of /dev/shm (65 MiB each)`;
  const had = `the container had ${mib(shm.bytes)}${shm.source === 'forced' ? ' (forced by --shm-size)' : shm.source === 'image' ? " (the image's shm-size setting)" : ''}`;
  return new TslimError(
    'VERIFY_FAILED',
    `${target} failed to serve python: ${need}, ${had}; the server said: ${python.message ?? python.state ?? ''}`,
    {
      hint:
        shm.source === 'forced'
          ? 'drop --shm-size to let tslim size /dev/shm, or raise it'
          : 'raise the shm-size server setting of the image (compose --server-arg shm-size=...), or pass a larger --shm-size',
      details: { report },
    },
  );
}

/** Soak numbers in MiB: thresholds are given that way (64MiB) and GPU tools print MiB. */
function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

const MARK = { passed: '✔', failed: '✖', skipped: '-' } as const;

/** Human report for stdout: one line per backend, then the soak summary. */
export function formatReport(report: VerifyReport): string {
  const lines = [`verify ${report.image ?? report.url ?? ''} (${report.gpus}; backends from ${report.backendSource})`];
  for (const r of report.results) {
    const detail =
      r.status === 'passed'
        ? `${(r.outputs ?? []).map((o) => o.name).join(', ')} as expected (max abs error ${Math.max(0, ...(r.outputs ?? []).map((o) => o.maxAbsError)).toExponential(1)}), ${r.instanceKind ?? ''}`.replace(
            /, $/,
            '',
          )
        : `${r.status === 'skipped' ? 'skipped: ' : ''}${r.message ?? ''}`;
    lines.push(`  ${MARK[r.status]} ${r.backend.padEnd(12)} ${detail}`);
  }
  if (report.withoutSample.length > 0) lines.push(`  (no sample model for: ${report.withoutSample.join(', ')})`);
  if (report.server) lines.push(...formatServer(report.server));
  if (report.soak) lines.push(...formatSoak(report.soak));
  lines.push(report.ok ? 'ok' : 'FAILED');
  return `${lines.join('\n')}\n`;
}

/** The command line the server ran with, what verify replaced, and the shm it had. */
export function formatServer(run: NonNullable<VerifyReport['server']>): string[] {
  const lines = [`  server: ${run.args.join(' ')}`];
  if (run.imageArgs.length > 0) lines.push(`  image settings: ${run.imageArgs.join(' ')}`);
  if (run.replacedByVerify.length > 0)
    lines.push(`  replaced by verify (its sample repository, ports and log): ${run.replacedByVerify.join(' ')}`);
  const why = {
    forced: '--shm-size',
    image: "the image's shm-size setting",
    tslim: `64 MiB + 65 MiB x ${run.shm.pythonInstances} python instance${run.shm.pythonInstances === 1 ? '' : 's'}`,
  }[run.shm.source];
  lines.push(`  /dev/shm: ${mib(run.shm.bytes)} (${why})`);
  return lines;
}

export function formatSoak(s: NonNullable<VerifyReport['soak']>): string[] {
  return [
    `  soak: ${s.requests} requests (batches ${s.batches.join(',')} x ${s.rounds} rounds), GPU memory ${mib(s.baselineBytes)} after warm-up -> ${mib(s.finalBytes)} (${s.growthBytes >= 0 ? '+' : ''}${mib(s.growthBytes)}, threshold ${mib(s.thresholdBytes)}) ${s.ok ? 'flat' : 'GROWING'}`,
  ];
}

/** The soak series as a sparkline with its range, for stderr. */
export function soakChart(s: NonNullable<VerifyReport['soak']>): string {
  const min = Math.min(...s.series);
  const max = Math.max(...s.series);
  return `nv_gpu_memory_used_bytes ${mib(min)} ${sparkline(s.series)} ${mib(max)}  (warm-up: first ${s.warmupSamples} samples)\n`;
}
