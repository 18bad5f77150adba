"""Inference semantics. Every answer is checked against the model config as Triton checks it, then:
- the sample shape (INPUT0, INPUT1 -> OUTPUT0, OUTPUT1): the sum and the difference, exactly, as
  tslim's sample models compute them;
- ensembles: their steps run in order through input_map/output_map;
- any other model: a deterministic function of the inputs AND of the backend library's bytes
  (loader.fingerprint), so two images whose backend builds differ answer differently."""
from . import loader
from .pbtxt import first
from .state import STATE
from .tensors import FLOAT, INTEGER, config_type, count, kserve_type, narrow

RANGES = {"INT8": (-2 ** 7, 2 ** 7), "INT16": (-2 ** 15, 2 ** 15), "INT32": (-2 ** 31, 2 ** 31), "INT64": (-2 ** 63, 2 ** 63),
          "UINT8": (0, 2 ** 8), "UINT16": (0, 2 ** 16), "UINT32": (0, 2 ** 32), "UINT64": (0, 2 ** 64)}


class InferError(ValueError):
    pass


def check_inputs(model, tensors):
    """Triton's request checks: names, datatypes, shapes, element counts, batch size."""
    config_inputs = {first(t, "name"): t for t in model.config.get("input", [])}
    for name in tensors:
        if name not in config_inputs:
            raise InferError("unexpected inference input '%s' for model '%s'" % (name, model.name))
    required = [n for n, t in config_inputs.items() if not first(t, "optional", False)]
    if len([n for n in required if n in tensors]) != len(required):
        raise InferError("expected %d inputs but got %d inputs for model '%s'" % (len(required), len(tensors), model.name))
    batch = None
    for name, t in tensors.items():
        cfg = config_inputs[name]
        want_type = first(cfg, "data_type", "TYPE_FP32")
        if config_type(t["datatype"]) != want_type:
            raise InferError("unexpected datatype %s for inference input '%s', expecting %s for model '%s'"
                             % (config_type(t["datatype"]), name, want_type, model.name))
        dims = list(cfg.get("dims", []))
        expect = ([-1] + dims) if model.max_batch() > 0 else dims
        shape = list(t["shape"])
        if len(shape) != len(expect) or any(e != -1 and e != s for e, s in zip(expect, shape)) or any(s < 0 for s in shape):
            raise InferError("unexpected shape for input '%s' for model '%s'. Expected %s, got %s" % (name, model.name, expect, shape))
        if count(shape) != len(t["values"]):
            raise InferError("input '%s' has %d elements, its shape %s needs %d" % (name, len(t["values"]), shape, count(shape)))
        if model.max_batch() > 0:
            if shape[0] > model.max_batch():
                raise InferError("inference request batch-size must be <= %d for '%s'" % (model.max_batch(), model.name))
            if batch is not None and shape[0] != batch:
                raise InferError("inputs of model '%s' have different batch sizes" % model.name)
            batch = shape[0]
    return batch or 1


def output_shape(model, index, out_cfg, tensors, batch):
    dims = list(out_cfg.get("dims", []))
    shapes = [t["shape"][1:] if model.max_batch() > 0 else t["shape"] for t in tensors.values()]
    source = shapes[index] if index < len(shapes) else (shapes[0] if shapes else [])
    dims = [(source[i] if i < len(source) else 1) if d == -1 else d for i, d in enumerate(dims)]
    return ([batch] + dims) if model.max_batch() > 0 else dims


def as_number(v):
    if isinstance(v, (bytes, bytearray)):
        return float(len(v))
    return float(v)


def cast(datatype, y):
    if datatype == "BOOL":
        return y > 0
    if datatype in INTEGER:
        lo, hi = RANGES[datatype]
        return lo + (int(round(y)) - lo) % (hi - lo)
    return y


def generic(model, tensors, batch):
    scale = loader.fingerprint(model.library)
    inputs = list(tensors.values())
    outputs = []
    for j, out_cfg in enumerate(model.config.get("output", [])):
        datatype = kserve_type(first(out_cfg, "data_type", "TYPE_FP32"))
        shape = output_shape(model, j, out_cfg, tensors, batch)
        n = count(shape)
        sums = [sum(as_number(t["values"][k % len(t["values"])]) for t in inputs if t["values"]) for k in range(n)]
        if datatype == "BYTES":
            texts = next((t["values"] for t in inputs if t["datatype"] == "BYTES" and t["values"]), None)
            tag = b"%06x" % (int(scale * 1e6) & 0xFFFFFF)
            values = [tag + b":" + (texts[k % len(texts)] if texts else b"%g" % sums[k]) for k in range(n)]
        else:
            values = [cast(datatype, s * scale + 0.5 * j) for s in sums]
            if datatype in FLOAT:
                values = narrow(datatype, [float(v) for v in values])
        outputs.append({"name": first(out_cfg, "name"), "datatype": datatype, "shape": shape, "_values": values})
    return outputs


def add_sub(model, tensors):
    a, b = tensors["INPUT0"], tensors["INPUT1"]
    if len(a["values"]) != len(b["values"]):
        raise InferError("unexpected shape for input 'INPUT1' for model '%s'. Expected %s, got %s" % (model.name, a["shape"], b["shape"]))
    dt = a["datatype"]
    conv = int if dt in INTEGER else float
    values = {"OUTPUT0": narrow(dt, [conv(x + y) for x, y in zip(a["values"], b["values"])]),
              "OUTPUT1": narrow(dt, [conv(x - y) for x, y in zip(a["values"], b["values"])])}
    return [{"name": n, "datatype": dt, "shape": list(a["shape"]), "_values": values[n]} for n in ("OUTPUT0", "OUTPUT1")]


def identity(model, tensors):
    """The identity backend: OUTPUT<i> is a copy of INPUT<i> (its datatype, shape and values)."""
    outputs = []
    for i, out_cfg in enumerate(model.config.get("output", [])):
        name = first(out_cfg, "name")
        suffix = name[len("OUTPUT"):] if name.startswith("OUTPUT") else None
        source = tensors.get("INPUT" + suffix) if suffix is not None else None
        if source is None:
            inputs = list(tensors.values())
            source = inputs[i] if i < len(inputs) else None
        if source is not None:
            outputs.append({"name": name, "datatype": source["datatype"], "shape": list(source["shape"]), "_values": list(source["values"])})
    return outputs


def ensemble(model, tensors):
    pool = dict(tensors)
    for step in model.steps():
        step_model = STATE.models.get(first(step, "model_name"))
        if not step_model or step_model.state != "READY":
            raise InferError("in ensemble '%s', step model '%s' is not available" % (model.name, first(step, "model_name")))
        step_inputs = {}
        for m in step.get("input_map", []):
            source = first(m, "value")
            if source not in pool:
                raise InferError("in ensemble '%s', tensor '%s' is not produced before step '%s'" % (model.name, source, step_model.name))
            step_inputs[first(m, "key")] = pool[source]
        produced, _ = run(step_model, step_inputs)
        for m in step.get("output_map", []):
            out = next((o for o in produced if o["name"] == first(m, "key")), None)
            if out is not None:
                pool[first(m, "value")] = {"datatype": out["datatype"], "shape": out["shape"], "values": out["_values"]}
    outputs = []
    for out_cfg in model.config.get("output", []):
        name = first(out_cfg, "name")
        if name not in pool:
            raise InferError("in ensemble '%s', output '%s' is produced by no step" % (model.name, name))
        t = pool[name]
        outputs.append({"name": name, "datatype": t["datatype"], "shape": t["shape"], "_values": t["values"]})
    return outputs


def run(model, tensors):
    """(outputs, batch) for one request; raises InferError with Triton's wording."""
    batch = check_inputs(model, tensors)
    if first(model.config, "platform") == "ensemble":
        return ensemble(model, tensors), batch
    for dep in model.dependencies():
        target = STATE.models.get(dep)
        if not target or target.state != "READY":
            raise InferError("Failed to process the request(s) for model instance '%s_0', message: Request for unknown model: '%s' is not found" % (model.name, dep))
    if model.backend == "identity":
        return identity(model, tensors), batch
    names = {first(o, "name") for o in model.config.get("output", [])}
    if {"INPUT0", "INPUT1"} <= set(tensors) and {"OUTPUT0", "OUTPUT1"} <= names:
        return add_sub(model, tensors), batch
    return generic(model, tensors, batch), batch
