/** Facts the fixture images carry per release, modelled on NVIDIA's 24.09 / 25.09 images. */
export interface ReleaseFacts {
  container: string;
  triton: string;
  os: { versionId: string; codename: string; pretty: string };
  cuda: string;
  requireCuda: string;
  dcgm: string;
  buildId: string;
  buildRef: string;
  /** Ubuntu 22.04 has no EXTERNALLY-MANAGED marker; 24.04 has (PEP 668). */
  externallyManaged: boolean;
}

export const releases: readonly ReleaseFacts[] = [
  {
    container: '24.09',
    triton: '2.50.0',
    os: { versionId: '22.04', codename: 'jammy', pretty: 'Ubuntu 22.04.4 LTS' },
    cuda: '12.6.1.006',
    requireCuda: 'cuda>=9.0',
    dcgm: '3.2.6',
    buildId: '114410854',
    buildRef: '8ecbd6b2e3a1c2f8f1d1a7a3b1e3e0c2d9f4a5b6',
    externallyManaged: false,
  },
  {
    container: '25.09',
    triton: '2.61.0',
    os: { versionId: '24.04', codename: 'noble', pretty: 'Ubuntu 24.04.3 LTS' },
    cuda: '13.0.1.012',
    requireCuda: 'cuda>=9.0',
    dcgm: '4.4.0-1',
    buildId: '210486537',
    buildRef: '3f2a9c4d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c',
    externallyManaged: true,
  },
];

export function fixtureTags(
  container: string,
  repository = 'tslim-fixture/tritonserver',
): { full: string; min: string } {
  return { full: `${repository}:${container}-py3`, min: `${repository}:${container}-py3-min` };
}
