/** world.json: what `npm run world` built and started (contract: docs/test-world.md). */
export interface WorldRelease {
  full: string;
  min: string;
  triton: string;
  /** Bytes under /opt/tritonserver/<kind>/<name>: sum of regular file sizes, recursively. */
  payload: {
    backends: Record<string, number>;
    repoagents: Record<string, number>;
    caches: Record<string, number>;
  };
}

export interface World {
  scale: number;
  base: string;
  releases: Record<string, WorldRelease>;
  registry: {
    address: string;
    repository: string;
    /** false when the world was brought up without pushing (`--skip-push`); absent otherwise. */
    pushed?: false;
    users: { username: string; password: string }[];
    /** Absolute path. */
    credentialsFile: string;
    /** Absolute DOCKER_CONFIG directory whose config.json has auths for the registry. */
    dockerConfig: string;
  };
  /** Value for --registry-mirror. */
  mirror: string;
  apt: { url: string; cudaRepo: string };
  pypi: { url: string; trustedHost: string };
  /**
   * The real Triton 24.09 pair built from NVIDIA's sources (test/world/real/Dockerfile), CPU only:
   * python, onnxruntime and identity backends. `pypi` serves a real numpy (no stand-ins).
   */
  real?: { full: string; min: string; pypi: { url: string; trustedHost: string } };
  pids: Record<string, number>;
  /** The token-auth registry and the Harbor double (docs/test-world.md "Token auth and Harbor"). */
  tokenRegistry?: HarborWorld;
}

export interface HarborAccount {
  username: string;
  password: string;
  /** Project -> actions the token service grants (public projects add pull for everyone). */
  permissions: Record<string, string[]>;
}

export interface HarborWorld {
  /** distribution 2.8 with `auth: token`, plain HTTP on loopback. */
  address: string;
  /** The Harbor double: /service/token, /api/v2.0/*, /v2/* forwarded to `address`. */
  harbor: string;
  /** nginx-like ingress in front of `harbor`, request bodies over `ingressMaxBodyBytes` get 413. */
  ingress: string;
  realm: string;
  service: string;
  issuer: string;
  tokenLifetimeSeconds: number;
  ingressMaxBodyBytes: number;
  /** POST token-lifetime {seconds}, ingress {maxBodyBytes}, delay-manifest-puts {count, ms}, reset; GET stats, settings. */
  control: string;
  projects: { name: string; public: boolean }[];
  users: HarborAccount[];
  /** Absolute path, mode 600, the same accounts. */
  credentialsFile: string;
}
