import type { ModelVerdict, UserVerifyReport } from './user-verify.js';

function load(v: ModelVerdict): string {
  const s = v.slim.state === 'READY' ? `READY ${v.slim.loadMs ?? 0} ms` : `${v.slim.state}`;
  return v.full ? `${s} / ${v.full.state === 'READY' ? `READY ${v.full.loadMs ?? 0} ms` : v.full.state}` : s;
}

function ab(v: ModelVerdict): string {
  if (v.outputs.length === 0) return v.full ? '-' : 'n/a';
  const worst = Math.max(...v.outputs.map((o) => o.maxAbsDiff));
  const eq = v.outputs.filter((o) => o.equal).length;
  return `${eq}/${v.outputs.length} equal, max |diff| ${Number.isFinite(worst) ? worst.toPrecision(3) : 'inf'}`;
}

function rows(report: UserVerifyReport): string[][] {
  return report.models.map((v) => [
    v.ok ? 'ok' : 'FAIL',
    v.model,
    v.backend ?? '-',
    v.slim.instanceKinds.join(',') || '-',
    load(v),
    ab(v),
  ]);
}

const HEAD = ['', 'model', 'backend', 'instances', 'load (slim / full)', 'A/B outputs'];

/** Plain text for the terminal. */
export function formatUserReport(report: UserVerifyReport): string {
  const all = [HEAD, ...rows(report)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines = all.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const problems = report.models.filter((m) => m.problem).map((m) => `- ${m.problem ?? ''}`);
  const head = `${report.image}${report.against ? ` vs ${report.against}` : ''}: ${report.models.length} model(s), ${report.ok ? 'all verified' : 'FAILED'}`;
  return [head, ...lines, ...(problems.length ? ['', ...problems] : []), ''].join('\n');
}

/** Markdown for a merge-request comment. */
export function formatUserMarkdown(report: UserVerifyReport): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const title = `### tslim verify: ${report.ok ? '✅' : '❌'} \`${report.image}\`${report.against ? ` vs \`${report.against}\`` : ''}`;
  const table = [
    `| ${HEAD.map(esc).join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows(report).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  const problems = report.models.filter((m) => m.problem).map((m) => `- ${m.problem ?? ''}`);
  const tol = report.against
    ? [
        `Floats compared with rtol ${report.tolerance.rtol}, atol ${report.tolerance.atol}; integers, BOOL and BYTES exactly.`,
      ]
    : [];
  return [title, '', ...table, '', ...problems, ...(problems.length ? [''] : []), ...tol, ''].join('\n');
}
