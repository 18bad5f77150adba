import { describe, expect, it } from 'vitest';
import { TslimError } from '../../src/core/errors.js';
import { classifyPushError } from '../../src/registry/push-errors.js';
import { registryHost, registryUnreachable, unreachablePullError } from '../../src/registry/unreachable.js';
import { nextSteps } from '../../src/cli/compose-next.js';

// The engine's words as Docker 20.10 wrote them in this project's runs (DNS and refused: the test
// world's engine; proxy and unknown CA: a second dockerd behind HTTPS_PROXY, test/engine/registry-network.test.ts);
// the node codes are those of tslim's own registry client (fetch).
const ENGINE = {
  dns: 'Get "https://nvcr.invalid/v2/": dial tcp: lookup nvcr.invalid on 10.255.255.53:53: no such host',
  refused: 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
  proxy: 'Get "https://nvcr.invalid/v2/": proxyconnect tcp: dial tcp 127.0.0.1:3999: connect: connection refused',
  proxy403: 'Get "https://denied.invalid/v2/": Forbidden',
  tls: 'Get "https://nvcr.invalid/v2/": x509: certificate signed by unknown authority',
  plain: 'Get "https://reg.example:5000/v2/": http: server gave HTTP response to HTTPS client',
  timeout:
    'Get "https://nvcr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
  route: 'Get "https://10.1.2.3/v2/": dial tcp 10.1.2.3:443: connect: no route to host',
};

describe('registryUnreachable: what kept the engine (or tslim) from the registry', () => {
  it.each([
    ['dns', ENGINE.dns, 'the name nvcr.invalid does not resolve'],
    ['refused', ENGINE.refused, 'nothing accepts connections at 127.0.0.1:1'],
    [
      'proxy',
      ENGINE.proxy,
      "the engine's HTTP proxy did not let it through (dial tcp 127.0.0.1:3999: connect: connection refused)",
    ],
    ['proxy', ENGINE.proxy403, "the engine's HTTP proxy did not let it through (Forbidden)"],
    [
      'tls',
      ENGINE.tls,
      "nvcr.invalid's TLS certificate is not trusted (x509: certificate signed by unknown authority)",
    ],
    ['plain-http', ENGINE.plain, 'nvcr.invalid answers plain HTTP where TLS was expected'],
    ['timeout', ENGINE.timeout, 'nvcr.invalid did not answer in time'],
    ['network', ENGINE.route, 'there is no network route to nvcr.invalid'],
  ])('%s', (kind, text, summary) => {
    expect(registryUnreachable(text, 'nvcr.invalid')).toMatchObject({ kind, summary });
  });

  it('reads node error codes of tslim own client, and says whose DNS to check', () => {
    expect(registryUnreachable('getaddrinfo ENOTFOUND reg.invalid', 'reg.invalid', 'ENOTFOUND', 'tslim')).toMatchObject(
      { kind: 'dns', fix: expect.stringContaining('this host (tslim checks the registry itself)') },
    );
    expect(
      registryUnreachable('unable to verify the first certificate', 'reg:5000', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
    ).toMatchObject({ kind: 'tls', fix: expect.stringContaining('/etc/docker/certs.d/reg:5000/ca.crt') });
    expect(registryUnreachable('connect ECONNREFUSED 127.0.0.1:7', '127.0.0.1:7', 'ECONNREFUSED')?.kind).toBe(
      'refused',
    );
  });

  it('leaves refusals, missing tags and broken streams to their own errors', () => {
    for (const text of [
      'unauthorized: authentication required',
      'manifest for x:1 not found: manifest unknown',
      'Head "http://127.0.0.1:5055/v2/x/manifests/1": no basic auth credentials',
      'unexpected EOF',
      'denied: requested access to the resource is denied',
      'Get "https://r.example/v2/x/manifests/1": Forbidden: the registry said so',
    ])
      expect(registryUnreachable(text, 'h')).toBeUndefined();
  });

  it('registryHost', () => {
    expect(registryHost('nvcr.io/nvidia/tritonserver:24.09-py3')).toBe('nvcr.io');
    expect(registryHost('127.0.0.1:5055/a/b:1')).toBe('127.0.0.1:5055');
    expect(registryHost('library/ubuntu:22.04')).toBe('docker.io');
  });
});

describe('unreachablePullError: exit 11, the engine reason kept, no credential blamed, the air-gapped ways out', () => {
  const request = { requested: 'nvcr.io/nvidia/tritonserver:24.09-py3', used: 'nvcr.io/nvidia/tritonserver:24.09-py3' };
  const found = registryUnreachable(ENGINE.dns.replace(/nvcr\.invalid/g, 'nvcr.io'), 'nvcr.io')!;

  it('compose: --registry-mirror nvcr.io=HOST/PATH, or docker load + --skip-pull --image', () => {
    const e = unreachablePullError(found, request, ENGINE.dns, 'compose', undefined);
    expect(e).toBeInstanceOf(TslimError);
    expect(e.exitCode).toBe(11);
    expect(e.message).toBe(
      `cannot reach registry nvcr.io to pull nvcr.io/nvidia/tritonserver:24.09-py3: the name nvcr.io does not resolve; the engine said: ${ENGINE.dns}`,
    );
    expect(e.message).not.toMatch(/credential/);
    expect(e.hint).toContain('--registry-mirror nvcr.io=HOST/PATH');
    expect(e.hint).toContain('docker load -i FILE) and pass --skip-pull --image full,REF --image min,REF');
    expect(e.details).toMatchObject({ registry: 'nvcr.io', reason: 'dns' });
  });

  it('inspect --pull and the verify TensorRT builder name their own way out', () => {
    expect(unreachablePullError(found, request, ENGINE.dns, 'inspect', undefined).hint).toContain(
      'load the image (docker load -i FILE) and inspect it without --pull',
    );
    expect(unreachablePullError(found, request, ENGINE.dns, 'trt-builder', undefined).hint).toContain(
      'load it (docker load -i FILE) and pass --trt-builder REF',
    );
  });

  it('names the mirror it went through', () => {
    const via = { ...request, used: '127.0.0.1:1/nvidia/tritonserver:24.09-py3' };
    const e = unreachablePullError(
      registryUnreachable(ENGINE.refused, '127.0.0.1:1')!,
      via,
      ENGINE.refused,
      'compose',
      undefined,
    );
    expect(e.message).toMatch(
      /^cannot reach registry 127\.0\.0\.1:1 to pull nvcr\.io\/\S+ \(through 127\.0\.0\.1:1\/\S+\)/,
    );
  });
});

describe('classifyPushError: an engine push that cannot reach the registry', () => {
  it('is REGISTRY_FAILED with the cause, not REGISTRY_AUTH', () => {
    const e = classifyPushError(new Error(ENGINE.proxy), 'nvcr.invalid', undefined) as TslimError;
    expect(e.code).toBe('REGISTRY_FAILED');
    expect(e.message).toContain("the engine's HTTP proxy did not let it through");
    expect(e.message).not.toMatch(/credentials/);
  });
});

describe('nextSteps: the end of a successful compose on a terminal', () => {
  const base = {
    tag: 'tritonserver',
    full: 'nvcr.io/nvidia/tritonserver:24.09-py3',
    gpu: true,
    dockerfile: '/w/Dockerfile.compose',
    buildLog: '/w/tslim-build-1.log',
    verified: false,
    pushed: false,
    reported: false,
  };

  it('says where the files went and what to run next, with the image name', () => {
    expect(nextSteps(base)).toEqual([
      'Dockerfile: /w/Dockerfile.compose',
      'build log:  /w/tslim-build-1.log',
      'next:',
      '  tslim verify tritonserver --gpus all',
      '  tslim push tritonserver REGISTRY/PROJECT/tritonserver',
      '  tslim report nvcr.io/nvidia/tritonserver:24.09-py3 tritonserver',
    ]);
  });

  it('leaves out what the run did already, and quotes what a shell would split', () => {
    expect(nextSteps({ ...base, verified: true, pushed: true, reported: true, gpu: false })).toEqual([
      'Dockerfile: /w/Dockerfile.compose',
      'build log:  /w/tslim-build-1.log',
    ]);
    expect(
      nextSteps({ ...base, verified: false, pushed: true, reported: true, gpu: false, dockerfile: '/a b/D' }),
    ).toEqual([
      'Dockerfile: /a b/D',
      'build log:  /w/tslim-build-1.log',
      'next:',
      '  tslim verify tritonserver --gpus none',
    ]);
  });
});
