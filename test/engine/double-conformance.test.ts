import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId } from '../../src/core/labels.js';
import { tempDir } from '../support/temp-dir.js';
import { ALLOW_LIST_DOC, readAllowList } from '../support/conformance-allow.js';
import { writeConformanceRepository } from '../support/conformance-models.js';
import { send, type Answer } from '../support/conformance-normalise.js';
import { conformanceRequests } from '../support/conformance-requests.js';
import {
  doubleSourceBinds,
  imageExists,
  removeContainersByLabel,
  startServer,
  type ConformanceServer,
} from '../support/conformance-servers.js';
import { readWorld } from '../world/read-world.js';

// Issue 24, item 4: the test world's Triton double held to the real Triton 24.09 (v2.50.0) built from
// NVIDIA's sources. The same requests go to both, with the same model repository; status codes and
// normalised bodies must be identical except for the differences docs/double-conformance.md lists.
const world = readWorld();
const REAL = world.real?.full ?? 'tslim-real/tritonserver:24.09-py3';
const DOUBLE = 'tslim-fixture/tritonserver:24.09-py3';
const runId = `test-double-conformance-${newRunId()}`;

interface Row {
  name: string;
  real: Answer;
  double: Answer;
  identical: boolean;
}

const rows: Row[] = [];
let real: ConformanceServer | undefined;
let double: ConformanceServer | undefined;

beforeAll(async () => {
  if (!(await imageExists(REAL)))
    throw new Error(
      `the real Triton image ${REAL} does not exist: the world builds it from test/world/real/Dockerfile (npm run world); ` +
        'the double-conformance suite needs it and does not skip',
    );
  const repository = await tempDir('conformance-models');
  await writeConformanceRepository(repository);
  // one after the other: a 2-core machine, and the real server's python stub starts a process
  real = await startServer(REAL, repository, runId);
  double = await startServer(DOUBLE, repository, runId, doubleSourceBinds(process.env.TSLIM_CONFORMANCE_DOUBLE));
  for (const request of conformanceRequests()) {
    const r = await send(request, real.ports);
    const d = await send(request, double.ports);
    rows.push({ name: request.name, real: r, double: d, identical: r.status === d.status && r.body === d.body });
  }
});

afterAll(async () => {
  await real?.fixture[Symbol.asyncDispose]();
  await double?.fixture[Symbol.asyncDispose]();
  await removeContainersByLabel(runId);
});

function table(): string {
  const width = Math.max(...rows.map((r) => r.name.length), 'request'.length);
  const lines = [`${'request'.padEnd(width)}  real  double  identical`];
  for (const r of rows)
    lines.push(
      `${r.name.padEnd(width)}  ${String(r.real.status).padEnd(4)}  ${String(r.double.status).padEnd(6)}  ${r.identical ? 'yes' : 'NO'}`,
    );
  lines.push(`${rows.filter((r) => r.identical).length} of ${rows.length} identical`);
  return lines.join('\n');
}

function differences(): string {
  return rows
    .filter((r) => !r.identical)
    .map((r) => `--- ${r.name}\n  real   ${r.real.status} ${r.real.body}\n  double ${r.double.status} ${r.double.body}`)
    .join('\n');
}

describe('the Triton double held to the real server (docs/double-conformance.md)', () => {
  it('answers every request as the real server does, but for the documented differences', () => {
    console.log(`${table()}\n\n${differences()}`);
    const allowed = readAllowList();
    const unexplained = rows.filter((r) => !r.identical && !allowed.has(r.name)).map((r) => r.name);
    expect(unexplained, `differences not listed in ${ALLOW_LIST_DOC}:\n${differences()}`).toEqual([]);
  });

  it('lists no difference that is gone or names no request', () => {
    const names = new Set(rows.map((r) => r.name));
    const stale = [...readAllowList().keys()].filter((n) => !names.has(n) || rows.find((r) => r.name === n)?.identical);
    expect(stale, `${ALLOW_LIST_DOC} lists differences that are not differences (any more)`).toEqual([]);
  });
});
