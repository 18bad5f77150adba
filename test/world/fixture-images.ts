import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ContextFile } from './build-context.js';
import { buildWorldImage } from './build-image.js';
import { fullDockerfile, minDockerfile, osRelease, payloadScript } from './fixture-dockerfiles.js';
import { contentHash } from './hash.js';
import { worldSrcDir } from './paths.js';
import { planPayload, type PayloadPlan } from './payload.js';
import { buildStubs, type StubSpec } from './elf-build.js';
import { payloadElf } from './elf-backends.js';
import { minLayout, sonames } from './elf-spec.js';
import { minContextFiles, minScript, minStubSpecs } from './elf-min.js';
import { fixtureTags, type ReleaseFacts } from './releases.js';

export interface FixtureRelease {
  container: string;
  triton: string;
  full: string;
  min: string;
  payload: PayloadPlan['totals'];
}

async function imageFiles(): Promise<ContextFile[]> {
  const dir = path.join(worldSrcDir, 'image');
  const read = async (name: string, mode = 0o644): Promise<ContextFile> => ({
    name,
    content: await readFile(path.join(dir, name)),
    mode,
  });
  const entries = (await readdir(path.join(dir, 'entrypoint.d'))).sort();
  return [
    await read('nvidia_entrypoint.sh', 0o755),
    ...(await Promise.all(entries.map((e) => read(`entrypoint.d/${e}`, e.endsWith('.sh') ? 0o755 : 0o644)))),
  ];
}

/** The double's package (test/world/double/triton_double/*.py), beside its entry point in bin/. */
async function doubleModules(): Promise<ContextFile[]> {
  const dir = path.join(worldSrcDir, 'double', 'triton_double');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.py')).sort();
  return Promise.all(
    names.map(async (n) => ({ name: `opt/bin/triton_double/${n}`, content: await readFile(path.join(dir, n)) })),
  );
}

/** Builds (or finds, by hash) the -min and full fixture images of one release. */
export async function ensureRelease(
  engine: Docker,
  baseHash: string,
  base: string,
  r: ReleaseFacts,
  scale: number,
  repository?: string,
): Promise<FixtureRelease> {
  const tags = fixtureTags(r.container, repository);
  const entry = await imageFiles();
  const layout = minLayout(r.cuda);
  const minStubs = await buildStubs(minStubSpecs(layout));
  const minFiles: ContextFile[] = [
    ...entry,
    { name: 'os-release', content: osRelease(r) },
    ...minContextFiles(layout, minStubs),
    { name: '.gen-min.sh', content: minScript(layout, minStubs, scale) },
  ];
  const minHash = contentHash('min', baseHash, r, minDockerfile(base, r, ''), minFiles);
  await buildWorldImage(
    engine,
    tags.min,
    [{ name: 'Dockerfile', content: minDockerfile(base, r, minHash) }, ...minFiles],
    minHash,
  );

  const double = await readFile(path.join(worldSrcDir, 'double', 'tritonserver.py'));
  const doublePackage = await doubleModules();
  const pyUtils = await readFile(path.join(worldSrcDir, 'image', 'triton_python_backend_utils.py'), 'utf8');
  const payload = planPayload(scale, [{ path: 'backends/python/triton_python_backend_utils.py', content: pyUtils }]);
  const payloadStubs = await elfPayload(payload, Number(r.cuda.split('.')[0]));
  const fullFiles: ContextFile[] = [
    { name: 'opt/bin/tritonserver', content: double, mode: 0o755 },
    ...doublePackage,
    { name: 'opt/TRITON_VERSION', content: `${r.triton}\n` },
    { name: 'opt/LICENSE', content: "BSD 3-Clause License (test-world stand-in for Triton's LICENSE)\n" },
    {
      name: 'opt/NVIDIA_Deep_Learning_Container_License.pdf',
      content: '%PDF-1.4\n% tslim test-world stand-in\n%%EOF\n',
    },
    {
      name: 'opt/include/triton/core/tritonserver.h',
      content: `// test-world stand-in\n#define TRITONSERVER_API_VERSION_MAJOR 1\n`,
    },
    ...payload.texts.map((t) => ({ name: `opt/${t.path}`, content: t.content })),
    ...payload.files.map((f) => ({
      name: `opt/${f.path}`,
      content: payloadStubs.get(f.path)!,
      mode: f.path.endsWith('_stub') ? 0o755 : 0o644,
    })),
    { name: 'opt/.gen-payload.sh', content: payloadScript(payload, (p) => payloadStubs.get(p)!.length) },
    { name: 'serve', content: await readFile(path.join(worldSrcDir, 'image', 'serve')), mode: 0o755 },
  ];
  const fullHash = contentHash('full', minHash, r, scale, fullDockerfile(tags.min, r, payload, ''), fullFiles);
  await buildWorldImage(
    engine,
    tags.full,
    [{ name: 'Dockerfile', content: fullDockerfile(tags.min, r, payload, fullHash) }, ...fullFiles],
    fullHash,
  );
  return { container: r.container, triton: r.triton, full: tags.full, min: tags.min, payload: payload.totals };
}

/**
 * Makes every payload file a real ELF object (gcc stubs, padded in the image build) and grows a
 * file planned smaller than its stub; the totals follow, so world.json stays exact.
 */
async function elfPayload(payload: PayloadPlan, cudaMajor: number): Promise<Map<string, Buffer>> {
  payload.files.push({ path: 'lib/libtritonserver.so', bytes: 262144 });
  const specs: StubSpec[] = payload.files.map((f) => {
    const [kind, name, file] = f.path.split('/') as [string, string, string];
    if (kind === 'lib') return { key: f.path, needed: [sonames(cudaMajor).cudart], soname: 'libtritonserver.so' };
    const dirFiles = payload.files
      .filter((g) => g.path.startsWith(`${kind}/${name}/`))
      .map((g) => g.path.split('/')[2]!);
    const facts = payloadElf(dirFiles, file, name, cudaMajor);
    return {
      key: f.path,
      needed: facts.needed,
      runpath: '$ORIGIN',
      ...(facts.exe ? { exe: true } : { soname: file }),
      ...(file === `libtriton_${name}.so` ? { backend: true, dlopen: facts.dlopen ?? [] } : {}),
    };
  });
  const stubs = await buildStubs(specs);
  for (const f of payload.files) {
    const grow = stubs.get(f.path)!.length - f.bytes;
    if (grow <= 0) continue;
    f.bytes += grow;
    const [kind, name] = f.path.split('/') as [keyof PayloadPlan['totals'], string];
    if (payload.totals[kind]?.[name] !== undefined) payload.totals[kind][name] += grow;
  }
  return stubs;
}
