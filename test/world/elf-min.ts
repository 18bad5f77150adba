import type { ContextFile } from './build-context.js';
import type { StubSpec } from './elf-build.js';
import type { MinLayout } from './elf-spec.js';

const MIB = 1024 * 1024;

export function minStubSpecs(layout: MinLayout): StubSpec[] {
  return layout.elf.map((e) => ({
    key: e.path,
    needed: e.needed,
    ...(e.soname ? { soname: e.soname } : {}),
    ...(e.exe ? { exe: true } : {}),
  }));
}

/** The stubs at their image paths, under elf/ in the build context (`COPY elf/ /`). */
export function minContextFiles(layout: MinLayout, stubs: Map<string, Buffer>): ContextFile[] {
  return layout.elf.map((e) => ({ name: `elf${e.path}`, content: stubs.get(e.path)!, mode: e.exe ? 0o755 : 0o644 }));
}

/** Pads the stubs, writes the plain-byte files, the SONAME/dev links, ld.so.conf.d, then ldconfig. */
export function minScript(layout: MinLayout, stubs: Map<string, Buffer>, scale: number): string {
  const lines = ['set -e'];
  for (const e of layout.elf) {
    const pad = Math.round(e.mib * scale * MIB) - stubs.get(e.path)!.length;
    if (pad > 0) lines.push(`head -c ${pad} /dev/urandom >> ${e.path}`);
    const dir = e.path.slice(0, e.path.lastIndexOf('/'));
    const file = e.path.slice(e.path.lastIndexOf('/') + 1);
    for (const link of e.links) lines.push(`ln -sf ${file} ${dir}/${link}`);
  }
  for (const r of layout.raw) {
    lines.push(`mkdir -p ${r.path.slice(0, r.path.lastIndexOf('/'))}`);
    lines.push(`head -c ${Math.max(1, Math.round(r.mib * scale * MIB))} /dev/urandom > ${r.path}`);
  }
  for (const [link, target] of Object.entries(layout.dirLinks)) lines.push(`ln -sfn ${target} ${link}`);
  for (const [file, dir] of Object.entries(layout.ldconf)) lines.push(`echo ${dir} > ${file}`);
  lines.push('ldconfig');
  return lines.join('\n') + '\n';
}
