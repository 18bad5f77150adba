"""KServe v2 over HTTP: health, server and model metadata, repository control, inference (JSON and
the binary tensor data extension)."""
import json
import re
from http.server import BaseHTTPRequestHandler

import time

from . import compute, repository, statistics
from .metrics import account, metrics_text
from .state import STATE, log
from .tensors import TensorError, encode_binary, read_request, write_response

EXTENSIONS = ["classification", "sequence", "model_repository", "model_repository(unload_dependents)",
              "schedule_policy", "model_configuration", "system_shared_memory", "cuda_shared_memory",
              "binary_tensor_data", "parameters", "statistics", "trace", "logging"]
HEADER_LENGTH = "Inference-Header-Content-Length"
# The identity backend sets these on every response (identity_backend's example response parameters).
IDENTITY_PARAMETERS = {"param0": "an example string parameter", "param1": 42, "param2": False, "param3": 123.123}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tritonserver-double"

    def log_message(self, *args):
        if STATE.opts.log_verbose:
            log("I", "http_server.cc:4522", "HTTP request: " + (args[0] % args[1:]))

    def send(self, code, body=None, ctype="application/json", header_length=None):
        if isinstance(body, bytes):
            data = body
        else:
            data = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream" if header_length is not None else ctype)
        if header_length is not None:
            self.send_header(HEADER_LENGTH, str(header_length))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def raw_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def model(self, name):
        """The READY model, or None after answering with Triton's text and status (404, NOT_FOUND)."""
        m = STATE.models.get(name)
        if not m or m.state is None:
            self.send(404, {"error": "Request for unknown model: '%s' is not found" % name})
            return None
        if m.state != "READY":
            self.send(404, {"error": "Request for unknown model: '%s' has no available versions" % name})
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
        if p == "/v2/models/stats":
            ready = [(n, m) for n, m in sorted(STATE.models.items()) if m.state == "READY"]
            return self.send(200, {"model_stats": [statistics.of(n).as_json(n, m.version) for n, m in ready]})
        m = re.fullmatch(r"/v2/models/([^/]+)(?:/versions/\d+)?(/ready|/config|/stats)?", p)
        if not m:
            return self.send(404, {"error": "Not Found"})
        name, what = m.group(1), m.group(2)
        if what == "/ready":
            model = STATE.models.get(name)
            if model and model.state == "READY":
                return self.send(200)
            return self.send(400, {"error": "Model version not ready"})
        if what == "/stats":
            model = STATE.models.get(name)
            if not model or model.state != "READY":
                return self.send(400, {"error": "requested model '%s' is not available" % name})
            return self.send(200, {"model_stats": [statistics.of(name).as_json(name, model.version)]})
        model = self.model(name)
        if not model:
            return None
        if what == "/config":
            return self.send(200, model.config_json())
        return self.send(200, model.metadata())

    def do_POST(self):
        p = self.path.split("?")[0].rstrip("/")
        raw = self.raw_body()
        m = re.fullmatch(r"/v2/models/([^/]+)(?:/versions/\d+)?/infer", p)
        if m:
            return self.infer(m.group(1), raw)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return self.send(400, {"error": "failed to parse the request JSON buffer"})
        if p == "/v2/repository/index":
            return self.send(200, self.index(body))
        m = re.fullmatch(r"/v2/repository/models/([^/]+)/(load|unload)", p)
        if m:
            return self.control(*m.groups())
        self.send(404, {"error": "Not Found"})

    def index(self, body):
        with STATE.lock:
            repository.scan()
            out = []
            for name, m in sorted(STATE.models.items()):
                entry = {"name": name}
                if m.state:
                    entry.update({"version": str(m.version or 1), "state": m.state})
                    if m.reason:
                        entry["reason"] = m.reason
                if not body.get("ready") or m.state == "READY":
                    out.append(entry)
            return out

    def control(self, name, action):
        if STATE.opts.mode != "explicit":
            return self.send(503, {"error": "explicit model load / unload is not allowed if polling is enabled"})
        with STATE.lock:
            repository.scan()
            model = STATE.models.get(name)
            if action == "unload":
                # Triton answers 200 (no body) for a model it does not know as well
                if model and model.state == "READY":
                    model.state, model.reason, model.shm_instances = "UNAVAILABLE", "unloaded", 0
                    log("I", "model_lifecycle.cc:623", "successfully unloaded '%s' version %s" % (name, model.version))
                return self.send(200)
            if not model:
                return self.send(500, {"error": "failed to load '%s', failed to poll from model repository" % name})
            repository.load([name])
            if model.state != "READY":
                return self.send(400, {"error": "load failed for model '%s': version %s is at UNAVAILABLE state: %s;\n" % (name, model.version or 1, model.reason)})
        return self.send(200)

    def infer(self, name, raw):
        model = self.model(name)
        if not model:
            return None
        header = self.headers.get(HEADER_LENGTH)
        started = time.perf_counter_ns()
        try:
            request, values = read_request(raw, int(header) if header is not None else None)
        except TensorError as e:
            return self.send(e.status, {"error": str(e)})
        wanted = request.get("outputs") or []
        try:
            tensors = {t.get("name"): {"datatype": t.get("datatype"), "shape": t.get("shape", []), "values": values[t.get("name")]}
                       for t in request.get("inputs", [])}
            outputs, batch = compute.run(model, tensors, str(request.get("id") or ""), [w.get("name") for w in wanted])
        except (TensorError, compute.InferError, TypeError, KeyError) as e:
            # refused before it ran: Triton counts no failure for it (statistics and metrics alike)
            return self.send(400, {"error": str(e)})
        if wanted:
            outputs = [o for o in outputs if o["name"] in {w.get("name") for w in wanted}]
        every = bool((request.get("parameters") or {}).get("binary_data_output"))
        binary = {o["name"] for o in outputs if every} | {w.get("name") for w in wanted if (w.get("parameters") or {}).get("binary_data")}
        account(batch)
        response = {"model_name": model.name, "model_version": str(model.version), "outputs": outputs}
        if request.get("id"):
            response["id"] = request["id"]
        if model.backend == "identity":
            response["parameters"] = dict(IDENTITY_PARAMETERS)
            size = sum(len(encode_binary(t["datatype"], t["values"])) for t in tensors.values())
            STATE.byte_counters[model.name] = STATE.byte_counters.get(model.name, 0) + size
        statistics.of(model.name).record(batch if model.max_batch() > 0 else 0, batch, time.perf_counter_ns() - started)
        body, header_length = write_response(response, binary)
        return self.send(200, body, header_length=header_length)
