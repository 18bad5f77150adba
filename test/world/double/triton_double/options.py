"""Triton's command line, as far as the double needs it: known flags, --flag=value and --flag value."""
import os
import re
import sys

ROOT = os.environ.get("TRITON_DOUBLE_ROOT", "/opt/tritonserver")

# Options that take a value. Triton's getopt table treats (almost) all as required_argument.
VALUE_OPTIONS = {
    "model-repository", "model-store", "model-control-mode", "load-model", "http-port", "grpc-port",
    "metrics-port", "http-address", "grpc-address", "metrics-address", "log-verbose", "log-info",
    "log-warning", "log-error", "log-file", "log-format", "exit-on-error", "strict-readiness",
    "strict-model-config", "disable-auto-complete-config", "pinned-memory-pool-byte-size",
    "cuda-memory-pool-byte-size", "cuda-virtual-address-size", "backend-config", "backend-directory",
    "repoagent-directory", "cache-directory", "cache-config", "repository-poll-secs", "exit-timeout-secs",
    "id", "min-supported-compute-capability", "rate-limit", "rate-limit-resource", "buffer-manager-thread-count",
    "model-load-thread-count", "model-load-retry-count", "model-namespacing", "host-policy", "http-thread-count",
    "http-header-forward-pattern", "http-restricted-api", "grpc-restricted-api", "grpc-infer-allocation-pool-size",
    "grpc-use-ssl", "grpc-use-ssl-mutual", "grpc-server-cert", "grpc-server-key", "grpc-root-cert",
    "grpc-infer-response-compression-level", "grpc-header-forward-pattern", "reuse-http-port", "reuse-grpc-port",
    "metrics-interval-ms", "metrics-config", "response-cache-byte-size", "trace-config", "trace-file",
    "trace-level", "trace-rate", "trace-count", "trace-log-frequency", "sagemaker-port", "sagemaker-safe-port-range",
    "sagemaker-thread-count", "vertex-ai-port", "vertex-ai-thread-count", "vertex-ai-default-model",
    "allow-gpu-metrics", "allow-cpu-metrics",
}
VALUE_PREFIXES = ("allow-", "grpc-keepalive-", "grpc-http2-")
OPTIONAL_VALUE = {"disable-auto-complete-config"}  # a bare flag in Triton


class UsageExit(SystemExit):
    """Exit 1 with Triton's usage text; raised so tests can catch it."""

    def __init__(self, message):
        sys.stderr.write("%s\nUsage: tritonserver [options]\n" % message)
        super().__init__(1)
        self.message = message


def parse_args(argv):
    opts = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--"):
            raise UsageExit("Unexpected argument: %s" % arg)
        name, eq, value = arg[2:].partition("=")
        if not (name in VALUE_OPTIONS or name.startswith(VALUE_PREFIXES)):
            raise UsageExit("Unrecognized option '--%s'" % name)
        if not eq:
            if name in OPTIONAL_VALUE and (i + 1 >= len(argv) or argv[i + 1].startswith("--")):
                value = "true"
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                raise UsageExit("option '--%s' requires an argument" % name)
        opts.append((name, value))
        i += 1
    return opts


def as_bool(name, value):
    v = value.lower()
    if v in ("true", "1", "on", "yes"):
        return True
    if v in ("false", "0", "off", "no"):
        return False
    raise UsageExit("invalid value for --%s: '%s', expected boolean" % (name, value))


class Options:
    def __init__(self, pairs):
        self.pairs = pairs
        d = {}
        for k, v in pairs:
            d.setdefault(k, []).append(v)
        self.all = d

        def last(k, default=None):
            return d[k][-1] if k in d else default

        self.repos = d.get("model-repository", []) + d.get("model-store", [])
        self.mode = last("model-control-mode", "none").lower()
        if self.mode not in ("none", "poll", "explicit"):
            raise UsageExit("invalid value for --model-control-mode: '%s'" % self.mode)
        self.load = d.get("load-model", [])
        self.http_port = int(last("http-port", "8000"))
        self.grpc_port = int(last("grpc-port", "8001"))
        self.metrics_port = int(last("metrics-port", "8002"))
        self.http_address = last("http-address", "0.0.0.0")
        self.grpc_address = last("grpc-address", "0.0.0.0")
        self.metrics_address = last("metrics-address", self.http_address)
        self.exit_on_error = as_bool("exit-on-error", last("exit-on-error", "true"))
        self.strict_readiness = as_bool("strict-readiness", last("strict-readiness", "true"))
        self.allow_http = as_bool("allow-http", last("allow-http", "true"))
        self.allow_grpc = as_bool("allow-grpc", last("allow-grpc", "true"))
        self.allow_metrics = as_bool("allow-metrics", last("allow-metrics", "true"))
        self.backend_dir = last("backend-directory", os.path.join(ROOT, "backends"))
        self.log_file = last("log-file")
        self.log_verbose = int(last("log-verbose", "0"))
        self.pinned = last("pinned-memory-pool-byte-size", "268435456")
        self.cuda_pool = d.get("cuda-memory-pool-byte-size", ["0:67108864"])
        for spec in self.cuda_pool:
            if not re.fullmatch(r"\d+:\d+", spec):
                raise UsageExit("failed to parse '%s' as <integer>:<integer>" % spec)
        self.as_json = {k: (v if len(v) > 1 else v[0]) for k, v in d.items()}
