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
  pids: Record<string, number>;
}
