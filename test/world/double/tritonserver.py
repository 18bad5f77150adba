#!/usr/bin/env python3
"""tslim test-world double of NVIDIA Triton's `tritonserver` (stdlib only; not NVIDIA code).

Speaks enough of Triton's command line, logs and KServe v2 HTTP protocol for tslim's verify step:
a model loads only when its backend library exists under <root>/backends. Contract:
docs/test-world.md ("The Triton protocol double"). Root: TRITON_DOUBLE_ROOT, default /opt/tritonserver.
"""
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.environ.get("TRITON_DOUBLE_ROOT", "/opt/tritonserver")
MIB = 1024 * 1024
PY_SHM_PER_INSTANCE = 65 * MIB
EXTENSIONS = ["classification", "sequence", "model_repository", "model_repository(unload_dependents)",
              "schedule_policy", "model_configuration", "system_shared_memory", "cuda_shared_memory",
              "binary_tensor_data", "parameters", "statistics", "trace", "logging"]

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


def log(level, where, message):
    now = datetime.now()
    STATE.log_stream.write("%s%s %d %s] %s\n" % (level, now.strftime("%m%d %H:%M:%S.%f"), os.getpid(), where, message))
    STATE.log_stream.flush()


def usage_exit(message):
    sys.stderr.write("%s\nUsage: tritonserver [options]\n" % message)
    sys.exit(1)


def parse_args(argv):
    opts = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("--"):
            usage_exit("Unexpected argument: %s" % arg)
        name, eq, value = arg[2:].partition("=")
        known = name in VALUE_OPTIONS or name.startswith(VALUE_PREFIXES)
        if not known:
            usage_exit("Unrecognized option '--%s'" % name)
        if not eq:
            if name in OPTIONAL_VALUE and (i + 1 >= len(argv) or argv[i + 1].startswith("--")):
                value = "true"
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                usage_exit("option '--%s' requires an argument" % name)
        opts.append((name, value))
        i += 1
    return opts


def as_bool(name, value):
    v = value.lower()
    if v in ("true", "1", "on", "yes"):
        return True
    if v in ("false", "0", "off", "no"):
        return False
    usage_exit("invalid value for --%s: '%s', expected boolean" % (name, value))


class Options:
    def __init__(self, pairs):
        self.pairs = pairs
        d = {}
        for k, v in pairs:
            d.setdefault(k, []).append(v)
        self.all = d
        last = lambda k, default=None: d[k][-1] if k in d else default
        self.repos = d.get("model-repository", []) + d.get("model-store", [])
        self.mode = last("model-control-mode", "none").lower()
        if self.mode not in ("none", "poll", "explicit"):
            usage_exit("invalid value for --model-control-mode: '%s'" % self.mode)
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
                usage_exit("failed to parse '%s' as <integer>:<integer>" % spec)
        self.as_json = {k: (v if len(v) > 1 else v[0]) for k, v in d.items()}


# ---- protobuf text format (config.pbtxt), just enough for model configs -------------------------
TOKEN = re.compile(r'\s*(?:#[^\n]*\n?|("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|([{}\[\]:,<>;])|([^\s{}\[\]:,<>;#"\']+))')


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            out.append(("str", m.group(1)[1:-1]))
        elif m.group(2):
            out.append(("sym", m.group(2)))
        elif m.group(3):
            out.append(("word", m.group(3)))
    return out


def parse_pbtxt(text):
    toks = tokenize(text)
    pos = [0]

    def scalar(tok):
        kind, v = tok
        if kind == "str":
            return v
        if re.fullmatch(r"-?\d+", v):
            return int(v)
        if re.fullmatch(r"-?\d*\.\d+(e-?\d+)?f?", v):
            return float(v.rstrip("f"))
        return {"true": True, "false": False}.get(v, v)

    def value():
        kind, v = toks[pos[0]]
        if kind == "sym" and v in "{<":
            pos[0] += 1
            return message("}" if v == "{" else ">")
        if kind == "sym" and v == "[":
            pos[0] += 1
            items = []
            while toks[pos[0]] != ("sym", "]"):
                if toks[pos[0]] == ("sym", ","):
                    pos[0] += 1
                    continue
                items.append(value())
            pos[0] += 1
            return items
        pos[0] += 1
        return scalar((kind, v))

    def message(end):
        msg = {}
        while pos[0] < len(toks) and toks[pos[0]] != ("sym", end):
            kind, key = toks[pos[0]]
            pos[0] += 1
            if kind == "sym":
                continue
            if toks[pos[0]] == ("sym", ":"):
                pos[0] += 1
            v = value()
            items = v if isinstance(v, list) else [v]
            msg.setdefault(key, []).extend(items)
        pos[0] += 1
        return msg

    return message(None)


def first(msg, key, default=None):
    v = msg.get(key)
    return v[0] if v else default


# ---- models ---------------------------------------------------------------------------------------
PLATFORM_BACKEND = {"onnxruntime_onnx": "onnxruntime", "pytorch_libtorch": "pytorch", "tensorrt_plan": "tensorrt",
                    "tensorflow_savedmodel": "tensorflow", "tensorflow_graphdef": "tensorflow"}
FILE_BACKEND = {"model.onnx": "onnxruntime", "model.pt": "pytorch", "model.plan": "tensorrt",
                "model.savedmodel": "tensorflow", "model.graphdef": "tensorflow", "model.py": "python"}


class ModelError(Exception):
    pass


def gpu_count():
    fake = os.environ.get("TRITON_DOUBLE_FAKE_GPUS")
    if fake:
        return int(fake)
    return len([d for d in os.listdir("/dev") if re.fullmatch(r"nvidia\d+", d)]) if os.path.isdir("/dev") else 0


def shm_bytes():
    if os.environ.get("TRITON_DOUBLE_SHM_BYTES"):  # tests on a host with a big /dev/shm
        return int(os.environ["TRITON_DOUBLE_SHM_BYTES"])
    try:
        st = os.statvfs("/dev/shm")
        return st.f_blocks * st.f_frsize
    except OSError:
        return 0


def tensor_json(t):
    return {"name": first(t, "name"), "data_type": first(t, "data_type", "TYPE_FP32"), "dims": t.get("dims", [])}


class Model:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.state, self.reason, self.version = None, "", None
        self.config = {}
        self.backend = None
        self.shm_instances = 0

    def config_json(self):
        c = self.config
        out = {"name": self.name, "platform": first(c, "platform", ""), "backend": self.backend or "",
               "max_batch_size": first(c, "max_batch_size", 0),
               "input": [tensor_json(t) for t in c.get("input", [])],
               "output": [tensor_json(t) for t in c.get("output", [])],
               "instance_group": [{"name": "%s_%d" % (self.name, i), "kind": first(g, "kind", "KIND_GPU" if gpu_count() else "KIND_CPU"),
                                   "count": first(g, "count", 1), "gpus": g.get("gpus", [])}
                                  for i, g in enumerate(c.get("instance_group", [{}]))]}
        return out

    def load(self, registry):
        """Sets READY or UNAVAILABLE with Triton's reason text."""
        self.state, self.reason, self.shm_instances = "LOADING", "", 0
        try:
            self._check(registry)
            self.state = "READY"
            log("I", "model_lifecycle.cc:839", "successfully loaded '%s' version %s" % (self.name, self.version))
        except ModelError as e:
            self.state, self.reason = "UNAVAILABLE", str(e)
            log("E", "model_lifecycle.cc:641", "failed to load '%s' version %s: %s" % (self.name, self.version or 1, e))

    def _check(self, registry):
        cfg_path = os.path.join(self.path, "config.pbtxt")
        versions = sorted(int(v) for v in os.listdir(self.path) if v.isdigit() and os.path.isdir(os.path.join(self.path, v)))
        self.config = parse_pbtxt(open(cfg_path).read()) if os.path.exists(cfg_path) else {}
        if not versions:
            raise ModelError("Invalid argument: at least one version must be available under the version policy of model '%s'" % self.name)
        self.version = versions[-1]
        platform = first(self.config, "platform", "")
        self.backend = first(self.config, "backend") or PLATFORM_BACKEND.get(platform)
        if platform.startswith("tensorflow"):
            self.backend = "tensorflow"
        if platform == "ensemble":
            self.backend = ""
            for step in first(self.config, "ensemble_scheduling", {}).get("step", []):
                dep = registry.get(first(step, "model_name"))
                if not dep or dep.state != "READY":
                    raise ModelError("Invalid argument: in ensemble %s, ensemble step model '%s' is not available" % (self.name, first(step, "model_name")))
            return
        if not self.backend:
            vdir = os.path.join(self.path, str(self.version))
            found = [FILE_BACKEND[f] for f in sorted(os.listdir(vdir)) if f in FILE_BACKEND]
            if not found:
                raise ModelError("Invalid argument: unexpected platform type '%s' for %s" % (platform, self.name))
            self.backend = found[0]
        lib = os.path.join(STATE.opts.backend_dir, self.backend, "libtriton_%s.so" % self.backend)
        if not os.path.isfile(lib):
            raise ModelError("unable to find backend library for backend '%s', try specifying runtime on the model configuration." % self.backend)
        groups = self.config.get("instance_group", [{}])
        gpus = gpu_count()
        for i, g in enumerate(groups):
            if first(g, "kind") == "KIND_GPU":
                for gid in g.get("gpus", [0]):
                    if gid >= gpus:
                        raise ModelError("Invalid argument: instance group %s_%d of model %s specifies invalid or unsupported gpu id %d. "
                                         "GPUs with at least the minimum required CUDA compute compatibility of 6.0 are: %s"
                                         % (self.name, i, self.name, gid, "no GPUs are available" if gpus == 0 else " ".join(map(str, range(gpus)))))
        if self.backend == "python":
            stub = os.path.join(STATE.opts.backend_dir, "python", "triton_python_backend_stub")
            if not os.path.isfile(stub):
                raise ModelError("Internal: unable to find the python backend stub at %s" % stub)
            if not shutil.which("python3"):
                raise ModelError("Internal: Failed to start the stub process: python3 not found")
            instances = sum(first(g, "count", 1) for g in groups)
            used = sum(m.shm_instances for m in registry.values() if m is not self and m.state == "READY")
            need = (used + instances) * PY_SHM_PER_INSTANCE
            if need > shm_bytes():
                raise ModelError("Internal: Failed to increase the shared memory pool size for key 'triton_python_backend_shm_region_%d' to %d bytes. "
                                 "If you are running Triton inside docker, use '--shm-size' flag to control the shared memory region size. "
                                 "Each Python backend model instance requires at least 65 MB of shared memory. Error: No space left on device"
                                 % (used + 1, need))
            self.shm_instances = instances

    def metadata(self):
        def t(x):
            dims = list(x.get("dims", []))
            if first(self.config, "max_batch_size", 0) > 0:
                dims = [-1] + dims
            return {"name": first(x, "name"), "datatype": first(x, "data_type", "TYPE_FP32").replace("TYPE_", "").replace("STRING", "BYTES"), "shape": dims}
        return {"name": self.name, "versions": [str(self.version)], "platform": first(self.config, "platform", self.backend or ""),
                "inputs": [t(x) for x in self.config.get("input", [])], "outputs": [t(x) for x in self.config.get("output", [])]}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.models = {}
        self.opts = None
        self.argv = []
        self.log_stream = sys.stderr
        self.success = {}
        self.failure = {}
        self.gpu_used = 0
        self.requests = 0

    def scan(self):
        found = {}
        for repo in self.opts.repos:
            if not os.path.isdir(repo):
                continue
            for name in sorted(os.listdir(repo)):
                if os.path.isdir(os.path.join(repo, name)) and not name.startswith("."):
                    found[name] = self.models.get(name) or Model(name, os.path.join(repo, name))
        self.models = found

    def load(self, names):
        # Ensembles last so their steps are loaded first.
        for name in sorted(names, key=lambda n: first(parse_cfg(self.models[n]), "platform", "") == "ensemble"):
            self.models[name].load(self.models)


def parse_cfg(model):
    p = os.path.join(model.path, "config.pbtxt")
    try:
        return parse_pbtxt(open(p).read()) if os.path.exists(p) else {}
    except Exception:
        return {}


STATE = State()
DTYPES_INT = {"INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}


def flatten(data):
    if isinstance(data, list):
        out = []
        for d in data:
            out.extend(flatten(d))
        return out
    return [data]


def infer(model, body):
    inputs = body.get("inputs", [])
    by_name = {i.get("name"): i for i in inputs}
    outs = [first(o, "name") for o in model.config.get("output", [])] or [i.get("name") for i in inputs]
    results = []
    if {"INPUT0", "INPUT1"} <= set(by_name) and {"OUTPUT0", "OUTPUT1"} <= set(outs):
        a, b = by_name["INPUT0"], by_name["INPUT1"]
        da, db = flatten(a.get("data", [])), flatten(b.get("data", []))
        if len(da) != len(db):
            raise ValueError("unexpected shape for input 'INPUT1' for model '%s'. Expected %s, got %s" % (model.name, a.get("shape"), b.get("shape")))
        dt = a.get("datatype", "FP32")
        cast = int if dt in DTYPES_INT else float
        values = {"OUTPUT0": [cast(x + y) for x, y in zip(da, db)], "OUTPUT1": [cast(x - y) for x, y in zip(da, db)]}
        for name in outs:
            if name in values:
                results.append({"name": name, "datatype": dt, "shape": a.get("shape", [len(da)]), "data": values[name]})
    else:
        for i, name in enumerate(outs):
            if i < len(inputs):
                src = inputs[i]
                results.append({"name": name, "datatype": src.get("datatype"), "shape": src.get("shape"), "data": flatten(src.get("data", []))})
    wanted = [o.get("name") for o in body.get("outputs", [])]
    if wanted:
        results = [r for r in results if r["name"] in wanted]
    batch = 1
    if inputs and first(model.config, "max_batch_size", 0) > 0 and inputs[0].get("shape"):
        batch = int(inputs[0]["shape"][0])
    return {"model_name": model.name, "model_version": str(model.version), "outputs": results}, batch


def account(batch):
    with STATE.lock:
        STATE.requests += 1
        if os.environ.get("TRITON_DOUBLE_LEAK") == "1":
            STATE.gpu_used += batch * MIB
        elif STATE.requests <= 3:
            STATE.gpu_used += 64 * MIB  # warm-up allocations, then flat


def metrics_text():
    lines = ["# HELP nv_inference_request_success Number of successful inference requests, all batch sizes",
             "# TYPE nv_inference_request_success counter"]
    for name, m in sorted(STATE.models.items()):
        if m.state == "READY":
            lines.append('nv_inference_request_success{model="%s",version="%s"} %d' % (name, m.version, STATE.success.get(name, 0)))
    lines += ["# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes",
              "# TYPE nv_inference_request_failure counter"]
    for name, m in sorted(STATE.models.items()):
        if m.state == "READY":
            lines.append('nv_inference_request_failure{model="%s",version="%s"} %d' % (name, m.version, STATE.failure.get(name, 0)))
    lines += ["# HELP nv_gpu_memory_total_bytes GPU total memory, in bytes", "# TYPE nv_gpu_memory_total_bytes gauge",
              'nv_gpu_memory_total_bytes{gpu_uuid="GPU-double-0"} %d' % (16 * 1024 * MIB),
              "# HELP nv_gpu_memory_used_bytes GPU used memory, in bytes", "# TYPE nv_gpu_memory_used_bytes gauge",
              'nv_gpu_memory_used_bytes{gpu_uuid="GPU-double-0"} %d' % (256 * MIB + STATE.gpu_used)]
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tritonserver-double"

    def log_message(self, *args):
        if STATE.opts.log_verbose:
            log("I", "http_server.cc:4522", "HTTP request: " + (args[0] % args[1:]))

    def send(self, code, body=None, ctype="application/json"):
        data = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw.strip() else {}

    def model(self, name):
        m = STATE.models.get(name)
        if not m or m.state is None:
            self.send(400, {"error": "Request for unknown model: '%s' is not found" % name})
            return None
        if m.state != "READY":
            self.send(400, {"error": "Request for unknown model: '%s' has no available versions" % name})
            return None
        return m

    def do_GET(self):
        if self.server.kind == "metrics":
            return self.send(200, metrics_text(), "text/plain; charset=utf-8") if self.path.startswith("/metrics") else self.send(404, "")
        p = self.path.split("?")[0].rstrip("/")
        if p == "/v2/health/live":
            return self.send(200)
        if p == "/v2/health/ready":
            ready = all(m.state == "READY" for m in STATE.models.values() if m.state) if STATE.opts.strict_readiness else True
            return self.send(200 if ready else 400)
        if p == "/v2":
            return self.send(200, {"name": "triton", "version": STATE.version, "extensions": EXTENSIONS})
        if p == "/v2/double/args":
            return self.send(200, {"argv": STATE.argv, "options": STATE.opts.as_json})
        m = re.fullmatch(r"/v2/models/([^/]+)(?:/versions/\d+)?(/ready|/config|/stats)?", p)
        if m:
            name, what = m.group(1), m.group(2)
            if what == "/ready":
                model = STATE.models.get(name)
                return self.send(200 if model and model.state == "READY" else 400)
            model = self.model(name)
            if not model:
                return None
            if what == "/config":
                return self.send(200, model.config_json())
            if what == "/stats":
                return self.send(200, {"model_stats": [{"name": name, "version": str(model.version),
                                                        "inference_count": STATE.success.get(name, 0)}]})
            return self.send(200, model.metadata())
        self.send(404, {"error": "Not Found"})

    def do_POST(self):
        p = self.path.split("?")[0].rstrip("/")
        try:
            body = self.body()
        except ValueError:
            return self.send(400, {"error": "failed to parse the request JSON buffer"})
        if p == "/v2/repository/index":
            with STATE.lock:
                STATE.scan()
                out = []
                for name, m in sorted(STATE.models.items()):
                    entry = {"name": name}
                    if m.state:
                        entry.update({"version": str(m.version or 1), "state": m.state, "reason": m.reason})
                    if not body.get("ready") or m.state == "READY":
                        out.append(entry)
            return self.send(200, out)
        m = re.fullmatch(r"/v2/repository/models/([^/]+)/(load|unload)", p)
        if m:
            name, action = m.groups()
            if STATE.opts.mode != "explicit":
                return self.send(503, {"error": "explicit model load / unload is not allowed if polling is enabled"})
            with STATE.lock:
                STATE.scan()
                model = STATE.models.get(name)
                if not model:
                    return self.send(400, {"error": "failed to load '%s', failed to poll from model repository" % name})
                if action == "unload":
                    model.state, model.reason, model.shm_instances = "UNAVAILABLE", "unloaded", 0
                    log("I", "model_lifecycle.cc:623", "successfully unloaded '%s' version %s" % (name, model.version))
                    return self.send(200, {})
                model.load(STATE.models)
                if model.state != "READY":
                    return self.send(400, {"error": "load failed for model '%s': version %s is at UNAVAILABLE state: %s;\n" % (name, model.version or 1, model.reason)})
            return self.send(200, {})
        m = re.fullmatch(r"/v2/models/([^/]+)(?:/versions/\d+)?/infer", p)
        if m:
            model = self.model(m.group(1))
            if not model:
                return None
            try:
                result, batch = infer(model, body)
            except (ValueError, TypeError) as e:
                STATE.failure[model.name] = STATE.failure.get(model.name, 0) + 1
                return self.send(400, {"error": str(e)})
            STATE.success[model.name] = STATE.success.get(model.name, 0) + 1
            account(batch)
            return self.send(200, result)
        self.send(404, {"error": "Not Found"})


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    fmt = lambda r: "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |"
    return "\n".join([sep, fmt(headers), sep] + [fmt(r) for r in rows] + [sep])


def serve(kind, address, port):
    try:
        server = ThreadingHTTPServer((address, port), Handler)
    except OSError as e:
        label = {"http": "HTTP", "metrics": "Metrics"}[kind]
        sys.stderr.write("error: creating server: Internal - failed to start %s service: Unavailable - Socket '%s:%d' already in use (%s)\n" % (label, address, port, e.strerror))
        os._exit(1)
    server.daemon_threads = True
    server.kind = kind
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv):
    opts = Options(parse_args(argv))
    STATE.opts, STATE.argv = opts, ["tritonserver"] + argv
    if opts.log_file:
        STATE.log_stream = open(opts.log_file, "a")
    version_file = os.path.join(ROOT, "TRITON_VERSION")
    STATE.version = open(version_file).read().strip() if os.path.exists(version_file) else os.environ.get("TRITON_SERVER_VERSION", "0.0.0")
    if not opts.repos:
        sys.stderr.write("error: creating server: Invalid argument - --model-repository must be specified\n")
        return 1
    for repo in opts.repos:
        if not os.path.isdir(repo):
            sys.stderr.write("error: creating server: Internal - failed to stat file %s\n" % repo)
            return 1
    log("I", "server.cc:674", "\n" + table(["Option", "Value"], [
        ["server_id", "triton"], ["server_version", STATE.version], ["server_extensions", " ".join(EXTENSIONS)],
        *[["model_repository_path[%d]" % i, r] for i, r in enumerate(opts.repos)],
        ["model_control_mode", "MODE_" + opts.mode.upper()], ["strict_model_config", "0"], ["rate_limit", "OFF"],
        ["pinned_memory_pool_byte_size", opts.pinned],
        *[["cuda_memory_pool_byte_size{%s}" % s.split(":")[0], s.split(":")[1]] for s in opts.cuda_pool],
        ["min_supported_compute_capability", "6.0"], ["strict_readiness", str(int(opts.strict_readiness))],
        ["exit_timeout", "30"], ["cache_enabled", "0"]]))
    STATE.scan()
    if opts.mode == "explicit":
        wanted = list(STATE.models) if "*" in opts.load else opts.load
        for name in wanted:
            if name not in STATE.models:
                log("E", "model_repository_manager.cc:1379", "Poll failed for model directory '%s': failed to open text file for read %s/%s/config.pbtxt: No such file or directory" % (name, opts.repos[0], name))
                if opts.exit_on_error:
                    sys.stderr.write("error: creating server: Internal - failed to load all models\n")
                    return 1
        wanted = [n for n in wanted if n in STATE.models]
    else:
        wanted = list(STATE.models)
    STATE.load(wanted)
    rows = [[n, str(m.version or 1), m.state if m.state == "READY" else "UNAVAILABLE: " + m.reason] for n, m in sorted(STATE.models.items()) if m.state]
    log("I", "model_lifecycle.cc:473", "\n" + table(["Model", "Version", "Status"], rows))
    if opts.exit_on_error and any(m.state == "UNAVAILABLE" for m in STATE.models.values()):
        log("I", "server.cc:307", "Waiting for in-flight requests to complete.")
        sys.stderr.write("error: creating server: Internal - failed to load all models\n")
        return 1
    if opts.allow_grpc:
        grpc = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        grpc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            grpc.bind((opts.grpc_address, opts.grpc_port))
        except OSError:
            sys.stderr.write("error: creating server: Internal - failed to start GRPC service: Unavailable - Socket '%s:%d' already in use\n" % (opts.grpc_address, opts.grpc_port))
            return 1
        grpc.listen(16)  # a listener only; the double speaks no gRPC
        log("I", "grpc_server.cc:2466", "Started GRPCInferenceService at %s:%d" % (opts.grpc_address, opts.grpc_port))
    if opts.allow_http:
        serve("http", opts.http_address, opts.http_port)
        log("I", "http_server.cc:4636", "Started HTTPService at %s:%d" % (opts.http_address, opts.http_port))
    if opts.allow_metrics:
        serve("metrics", opts.metrics_address, opts.metrics_port)
        log("I", "http_server.cc:320", "Started Metrics Service at %s:%d" % (opts.metrics_address, opts.metrics_port))
    stop = threading.Event()

    def on_signal(signum, _frame):
        log("I", "main.cc:315", "Signal (%d) received." % signum)
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(1):
        pass
    log("I", "server.cc:307", "Waiting for in-flight requests to complete.")
    log("I", "server.cc:338", "All models are stopped, unloading models")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
