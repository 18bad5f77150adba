"""Model repositories: directories, config.pbtxt, Triton's config JSON and KServe metadata, load order."""
import os
import re

from . import loader, pbtxt, statistics
from .pbtxt import first
from .state import STATE, log
from .tensors import kserve_type

PLATFORM_BACKEND = {"onnxruntime_onnx": "onnxruntime", "pytorch_libtorch": "pytorch", "tensorrt_plan": "tensorrt",
                    "tensorflow_savedmodel": "tensorflow", "tensorflow_graphdef": "tensorflow"}
FILE_BACKEND = {"model.onnx": "onnxruntime", "model.pt": "pytorch", "model.plan": "tensorrt",
                "model.savedmodel": "tensorflow", "model.graphdef": "tensorflow", "model.py": "python"}
# BLS: a python model that calls another model names it in pb_utils.InferenceRequest(model_name=...)
BLS_CALL = re.compile(r"model_name\s*=\s*['\"]([A-Za-z0-9_.\-]+)['\"]")


def input_json(t):
    """A config input as Triton prints it (protobuf JSON, every primitive field)."""
    out = {"name": first(t, "name"), "data_type": first(t, "data_type", "TYPE_FP32"), "format": first(t, "format", "FORMAT_NONE"),
           "dims": t.get("dims", []), "is_shape_tensor": first(t, "is_shape_tensor", False),
           "allow_ragged_batch": first(t, "allow_ragged_batch", False), "optional": first(t, "optional", False),
           "is_non_linear_format_io": first(t, "is_non_linear_format_io", False)}
    if t.get("reshape"):
        out["reshape"] = {"shape": first(t, "reshape").get("shape", [])}
    return out


def output_json(t):
    out = {"name": first(t, "name"), "data_type": first(t, "data_type", "TYPE_FP32"), "dims": t.get("dims", []),
           "label_filename": first(t, "label_filename", ""), "is_shape_tensor": first(t, "is_shape_tensor", False),
           "is_non_linear_format_io": first(t, "is_non_linear_format_io", False)}
    if t.get("reshape"):
        out["reshape"] = {"shape": first(t, "reshape").get("shape", [])}
    return out


# core's auto-complete (model_config_utils.cc): the model file a backend reads when the config names none
DEFAULT_FILENAME = {"tensorrt": "model.plan", "onnxruntime": "model.onnx", "openvino": "model.xml", "pytorch": "model.pt",
                    "python": "model.py"}
DEFAULT_PLATFORM = {"tensorrt": "tensorrt_plan", "onnxruntime": "onnxruntime_onnx", "pytorch": "pytorch_libtorch"}


def read_config(path):
    p = os.path.join(path, "config.pbtxt")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return pbtxt.parse(f.read())


class Model:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.state, self.reason, self.version = None, "", None
        self.config = {}
        self.backend = None
        self.library = None
        self.shm_instances = 0

    def max_batch(self):
        return first(self.config, "max_batch_size", 0)

    def groups(self):
        return self.config.get("instance_group", [{}])

    def steps(self):
        return first(self.config, "ensemble_scheduling", {}).get("step", [])

    def dependencies(self):
        """Models this one calls: ensemble steps, and a python model's BLS calls found in its model.py."""
        try:
            cfg = read_config(self.path)
        except pbtxt.PbtxtError:
            return []
        if first(cfg, "platform") == "ensemble":
            return [first(s, "model_name") for s in first(cfg, "ensemble_scheduling", {}).get("step", [])]
        found = []
        for version in sorted(os.listdir(self.path)):
            script = os.path.join(self.path, version, "model.py")
            if version.isdigit() and os.path.isfile(script):
                with open(script) as f:
                    found += [m for m in BLS_CALL.findall(f.read()) if m != self.name and m not in found]
        return found

    def config_json(self):
        """GET /v2/models/M/config: the config after Triton's auto-complete, as protobuf JSON with every
        primitive field (ModelConfigToJson): defaults filled in, int64 fields as numbers."""
        c = self.config
        platform = first(c, "platform", "")
        ensemble = platform == "ensemble"
        backend = self.backend or ""
        if not platform and backend in DEFAULT_PLATFORM:
            platform = DEFAULT_PLATFORM[backend]
        filename = first(c, "default_model_filename", "")
        if not filename and platform.startswith("tensorflow_"):
            filename = "model.savedmodel" if platform == "tensorflow_savedmodel" else "model.graphdef"
        elif not filename:
            filename = DEFAULT_FILENAME.get(backend, "")
        out = {"name": self.name, "platform": platform, "backend": backend, "runtime": first(c, "runtime", ""),
               "version_policy": {"latest": {"num_versions": 1}},
               "max_batch_size": self.max_batch(),
               "input": [input_json(t) for t in c.get("input", [])],
               "output": [output_json(t) for t in c.get("output", [])],
               "batch_input": [], "batch_output": [],
               "optimization": {"priority": "PRIORITY_DEFAULT", "input_pinned_memory": {"enable": True},
                                "output_pinned_memory": {"enable": True}, "gather_kernel_buffer_threshold": 0,
                                "eager_batching": False},
               "instance_group": [] if ensemble else [
                   {"name": "%s_%d" % (self.name, i), "kind": first(g, "kind", "KIND_GPU" if loader.gpu_count() else "KIND_CPU"),
                    "count": first(g, "count", 1), "gpus": g.get("gpus", []), "secondary_devices": [], "profile": [],
                    "passive": False, "host_policy": ""}
                   for i, g in enumerate(self.groups())],
               "default_model_filename": filename, "cc_model_filenames": {}, "metric_tags": {},
               "parameters": {first(p, "key"): {"string_value": str(first(first(p, "value", {}), "string_value", ""))}
                              for p in c.get("parameters", [])},
               "model_warmup": []}
        if self.steps():
            out["ensemble_scheduling"] = {"step": [
                {"model_name": first(s, "model_name"), "model_version": first(s, "model_version", -1),
                 "input_map": {first(m, "key"): first(m, "value") for m in s.get("input_map", [])},
                 "output_map": {first(m, "key"): first(m, "value") for m in s.get("output_map", [])},
                 "model_namespace": ""}
                for s in self.steps()]}
        return out

    def metadata(self):
        def t(x):
            dims = list(x.get("dims", []))
            if self.max_batch() > 0:
                dims = [-1] + dims
            return {"name": first(x, "name"), "datatype": kserve_type(first(x, "data_type", "TYPE_FP32")), "shape": dims}
        return {"name": self.name, "versions": [str(self.version)], "platform": first(self.config, "platform", self.backend or ""),
                "inputs": [t(x) for x in self.config.get("input", [])], "outputs": [t(x) for x in self.config.get("output", [])]}

    def load(self, registry):
        """Sets READY or UNAVAILABLE with Triton's reason text."""
        self.state, self.reason, self.shm_instances = "LOADING", "", 0
        try:
            self._check(registry)
            self.state = "READY"
            statistics.reset(self.name)
            STATE.ever_loaded[self.name] = self.version
            log("I", "model_lifecycle.cc:839", "successfully loaded '%s' version %s" % (self.name, self.version))
        except (loader.ModelError, pbtxt.PbtxtError) as e:
            self.state, self.reason = "UNAVAILABLE", str(e)
            log("E", "model_lifecycle.cc:641", "failed to load '%s' version %s: %s" % (self.name, self.version or 1, e))

    def _check(self, registry):
        versions = sorted(int(v) for v in os.listdir(self.path) if v.isdigit() and os.path.isdir(os.path.join(self.path, v)))
        try:
            self.config = read_config(self.path)
        except pbtxt.PbtxtError as e:
            raise loader.ModelError("Internal: failed to read text proto from %s/config.pbtxt: %s" % (self.path, e))
        if not versions:
            raise loader.ModelError("Invalid argument: at least one version must be available under the version policy of model '%s'" % self.name)
        self.version = versions[-1]
        platform = first(self.config, "platform", "")
        self.backend = first(self.config, "backend") or PLATFORM_BACKEND.get(platform)
        if platform == "ensemble":
            self.backend = ""
            for step in self.steps():
                dep = registry.get(first(step, "model_name"))
                if not dep or dep.state != "READY":
                    raise loader.ModelError("Invalid argument: in ensemble %s, ensemble step model '%s' is not available" % (self.name, first(step, "model_name")))
            return
        if not self.backend:
            vdir = os.path.join(self.path, str(self.version))
            found = [FILE_BACKEND[f] for f in sorted(os.listdir(vdir)) if f in FILE_BACKEND]
            if not found:
                raise loader.ModelError("Invalid argument: unexpected platform type '%s' for %s" % (platform, self.name))
            self.backend = found[0]
        self.library = loader.open_backend(STATE.opts.backend_dir, self.backend)
        loader.check_gpus(self.name, self.groups())
        if self.backend == "python":
            instances = sum(first(g, "count", 1) for g in self.groups())
            used = sum(m.shm_instances for m in registry.values() if m is not self and m.state == "READY")
            loader.check_python(STATE.opts.backend_dir, instances, used)
            self.shm_instances = instances


def scan():
    found = {}
    for repo in STATE.opts.repos:
        if not os.path.isdir(repo):
            continue
        for name in sorted(os.listdir(repo)):
            if os.path.isdir(os.path.join(repo, name)) and not name.startswith("."):
                found[name] = STATE.models.get(name) or Model(name, os.path.join(repo, name))
    STATE.models = found


def load_order(names):
    """Ensemble steps first, as Triton loads an ensemble's composing models with it; BLS targets are
    not loaded for the caller (Triton does not either), only ordered before their callers."""
    order, seen = [], set()

    def visit(name, trail, wanted):
        if name in seen or name not in STATE.models or name in trail:
            return
        model = STATE.models[name]
        is_ensemble = first(_config_or_empty(model), "platform") == "ensemble"
        for dep in model.dependencies():
            visit(dep, trail | {name}, is_ensemble)
        if wanted or name in names:
            seen.add(name)
            order.append(name)

    for n in names:
        visit(n, frozenset(), True)
    return order


def _config_or_empty(model):
    try:
        return read_config(model.path)
    except pbtxt.PbtxtError:
        return {}


def load(names):
    for name in load_order(names):
        model = STATE.models[name]
        if name in names or model.state != "READY":
            model.load(STATE.models)
