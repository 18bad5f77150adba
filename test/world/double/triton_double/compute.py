"""Inference semantics. Every answer is checked against the model config as Triton checks it, then:
- the identity backend: OUTPUT<i> is INPUT<i>, as NVIDIA's identity backend answers;
- the sample shape (INPUT0, INPUT1 -> OUTPUT0, OUTPUT1): the sum and the difference, in the tensor's
  own precision (float32 for FP32), as tslim's sample models compute them;
- ensembles: their steps run in order through input_map/output_map;
- any other model: a deterministic function of the inputs AND of the backend library's bytes
  (loader.fingerprint), so two images whose backend builds differ answer differently."""
from . import loader
from .pbtxt import first
from .state import STATE
from .tensors import FLOAT, INTEGER, count, element_size, kserve_type, narrow

RANGES = {"INT8": (-2 ** 7, 2 ** 7), "INT16": (-2 ** 15, 2 ** 15), "INT32": (-2 ** 31, 2 ** 31), "INT64": (-2 ** 63, 2 ** 63),
          "UINT8": (0, 2 ** 8), "UINT16": (0, 2 ** 16), "UINT32": (0, 2 ** 32), "UINT64": (0, 2 ** 64)}


class InferError(ValueError):
    pass


def dims_text(dims):
    """triton::common::DimsListToString: [-1,4]."""
    return "[" + ",".join(str(int(d)) for d in dims) + "]"


def request_order(tensors):
    """The order Triton's core walks a request's inputs (a libstdc++ unordered_map): the reverse of
    the order they came in, as long as no two names share a hash bucket."""
    return list(reversed(list(tensors)))


def check_inputs(model, tensors, request_id="", requested=()):
    """Triton's request checks (core InferenceRequest::Normalize), in its order and words: requested
    outputs, the number of inputs, input names, batch size, then per input its datatype, shape and
    size. Returns the batch size (1 for a model without batching)."""
    log = "[request id: %s] " % (request_id or "<id_unknown>")
    config_inputs = {first(t, "name"): t for t in model.config.get("input", [])}
    outputs = {first(t, "name") for t in model.config.get("output", [])}
    for name in requested:
        if name not in outputs:
            raise InferError("unexpected inference output '%s' for model '%s'" % (name, model.name))
    required = [n for n, t in config_inputs.items() if not first(t, "optional", False)]
    if len(tensors) > len(config_inputs) or len(tensors) < len(required):
        missing = "[" + ",".join("'%s'" % n for n in required if n not in tensors) + "]" if any(n not in tensors for n in required) else "]"
        given = "[" + ",".join("'%s'" % n for n in request_order(tensors)) + "]"
        if len(required) == len(config_inputs):
            head = "expected %d inputs but got %d inputs" % (len(config_inputs), len(tensors))
        else:
            head = "expected number of inputs between %d and %d but got %d inputs" % (len(required), len(config_inputs), len(tensors))
        raise InferError("%s%s for model '%s'. Got input(s) %s, but missing required input(s) %s. Please provide all required input(s)."
                         % (log, head, model.name, given, missing))
    batched = model.max_batch() > 0
    batch = 0
    for name in request_order(tensors):
        if name not in config_inputs:
            raise InferError("unexpected inference input '%s' for model '%s'" % (name, model.name))
        shape = list(tensors[name]["shape"])
        if batched:
            if not shape:
                raise InferError("%sinput '%s' has no shape but model requires batch dimension for '%s'" % (log, name, model.name))
            if batch == 0:
                batch = shape[0]
            elif shape[0] != batch:
                raise InferError("%sinput '%s' batch size does not match other inputs for '%s'" % (log, name, model.name))
    if batch > model.max_batch():
        raise InferError("%sinference request batch-size must be <= %d for '%s'" % (log, model.max_batch(), model.name))
    for name in request_order(tensors):
        t, cfg = tensors[name], config_inputs[name]
        want = kserve_type(first(cfg, "data_type", "TYPE_FP32"))
        if t["datatype"] != want:
            raise InferError("%sinference input '%s' data-type is '%s', but model '%s' expects '%s'" % (log, name, t["datatype"], model.name, want))
        dims = list(cfg.get("dims", []))
        shape = list(t["shape"])
        given = shape[1:] if batched else shape
        matches = len(dims) == len(given)
        if matches:
            for d, g in zip(dims, given):
                if g == -1:
                    raise InferError("%sAll input dimensions should be specified for input '%s' for model '%s', got %s" % (log, name, model.name, dims_text(shape)))
                if d != -1 and d != g:
                    matches = False
                    break
        if not matches:
            note = NOTE_BATCH if batched else ""
            raise InferError("%sunexpected shape for input '%s' for model '%s'. Expected %s, got %s. %s"
                             % (log, name, model.name, dims_text(([-1] if batched else []) + dims), dims_text(shape), note))
        n = count(shape)
        if t["datatype"] == "BYTES":
            if len(t["values"]) < n:
                raise InferError("%sexpected %d string elements for inference input '%s' for model '%s', got %d" % (log, n, name, model.name, len(t["values"])))
            if len(t["values"]) > n:
                raise InferError("%sunexpected number of string elements %d for inference input '%s' for model '%s', expecting %d" % (log, len(t["values"]), name, model.name, n))
        elif len(t["values"]) != n:
            width = element_size(t["datatype"])
            raise InferError("%sinput byte size mismatch for input '%s' for model '%s'. Expected %d, got %d" % (log, name, model.name, n * width, len(t["values"]) * width))
    return batch or 1


NOTE_BATCH = ("NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. "
              "If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. "
              "See the model configuration docs for more info on max_batch_size.")


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


def run(model, tensors, request_id="", requested=()):
    """(outputs, batch) for one request; raises InferError with Triton's wording."""
    batch = check_inputs(model, tensors, request_id, requested)
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
