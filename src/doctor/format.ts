import { describeEndpoint } from '../docker/endpoint.js';
import type { DoctorReport } from './assess.js';

/** The human form of a doctor report: aligned key/value lines, then the limits. */
export function formatDoctor(report: DoctorReport): string {
  const { engine, builders, gpu, credentials } = report;
  const rows: [string, string][] = [
    ['engine', describeEndpoint(report.endpoint)],
    ['name', `${engine.name} ${engine.version}${engine.rootless ? ' (rootless)' : ''}`],
    ['api', `${engine.apiVersion}${engine.minApiVersion ? ` (min ${engine.minApiVersion})` : ''}`],
    ['os/arch', `${engine.os}/${engine.arch}${engine.operatingSystem ? ` (${engine.operatingSystem})` : ''}`],
    [
      'builders',
      `classic; BuildKit ${builders.buildkit.offered ? 'yes' : 'no'} (${builders.buildkit.why}); bridge network ${builders.bridgeNetwork ? 'yes' : 'no'}`,
    ],
    [
      'runtimes',
      `${gpu.runtimes.join(', ') || 'none listed'}${gpu.defaultRuntime ? ` (default ${gpu.defaultRuntime})` : ''}; nvidia ${gpu.nvidiaRuntime ? 'yes' : 'no'}`,
    ],
    [
      'cdi',
      gpu.cdi.from === 'none'
        ? 'none'
        : `${gpu.cdi.dirs.join(', ')} (${gpu.cdi.from === 'engine' ? 'from the engine' : 'local dirs with specs'})`,
    ],
    ['docker config', credentials.configDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push('', 'REGISTRY CREDENTIALS');
  if (credentials.sources.length === 0) lines.push('  none (anonymous pulls and pushes)');
  for (const s of credentials.sources) {
    const registry = s.registry === '*' ? 'any registry' : s.registry;
    lines.push(`  ${registry}  ${s.source}${s.helper ? ` (docker-credential-${s.helper})` : ''}`);
  }
  lines.push('', 'WILL NOT WORK HERE');
  if (report.limits.length === 0) lines.push('  nothing found');
  for (const limit of report.limits) lines.push(`  - ${limit}`);
  return `${lines.join('\n')}\n`;
}
