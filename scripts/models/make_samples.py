#!/usr/bin/env python3
"""Generates tslim's binary sample models and checks them with the real runtimes.

  model.onnx  ONNX (opset 13, IR 8): OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1,
              inputs [batch, 4] FP32; checked with onnxruntime (CPU provider).
  model.pt    TorchScript (torch.jit.script) of the same module; checked on a CUDA GPU, with
              optimized execution on and off (Triton's DISABLE_OPTIMIZED_EXECUTION).
  model.py    (written by hand in samples/) checked against a small stand-in for
              triton_python_backend_utils, since the real one exists only inside Triton.

Writes model.onnx, model.pt and record.json (versions, GPU, outputs, max abs error) to --out.
Usage: python3 scripts/models/make_samples.py --out DIR [--require-cuda]
"""
import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "samples")
BATCHES = (1, 7, 16, 32)


def load_cases():
    with open(os.path.join(SAMPLES, "cases.json")) as f:
        return json.load(f)


def case_arrays(cases):
    a = np.array(cases["inputs"]["INPUT0"]["data"], dtype=np.float32).reshape(cases["inputs"]["INPUT0"]["shape"])
    b = np.array(cases["inputs"]["INPUT1"]["data"], dtype=np.float32).reshape(cases["inputs"]["INPUT1"]["shape"])
    e0 = np.array(cases["outputs"]["OUTPUT0"]["data"], dtype=np.float64)
    e1 = np.array(cases["outputs"]["OUTPUT1"]["data"], dtype=np.float64)
    return a, b, e0, e1


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def max_err(got, want):
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64).ravel() - np.asarray(want, dtype=np.float64).ravel())))


def check_fn(name, run, cases, record):
    """Runs `run(a, b) -> (o0, o1)` on the known case and on random batches; asserts the results."""
    a, b, e0, e1 = case_arrays(cases)
    tol = cases["tolerance"]["abs"]
    o0, o1 = run(a, b)
    result = {
        "case_output": {"OUTPUT0": [float(x) for x in np.ravel(o0)], "OUTPUT1": [float(x) for x in np.ravel(o1)]},
        "case_max_abs_error_vs_expected": max(max_err(o0, e0), max_err(o1, e1)),
        "batches": {},
    }
    assert result["case_max_abs_error_vs_expected"] <= tol, f"{name}: case error {result['case_max_abs_error_vs_expected']} > {tol}"
    rng = np.random.default_rng(7)
    for n in BATCHES:
        x = rng.standard_normal((n, 4)).astype(np.float32)
        y = rng.standard_normal((n, 4)).astype(np.float32)
        r0, r1 = run(x, y)
        assert np.asarray(r0).shape == (n, 4) and np.asarray(r1).shape == (n, 4), f"{name}: shape for batch {n}"
        err = max(max_err(r0, x + y), max_err(r1, x - y))
        assert err == 0.0, f"{name}: batch {n} differs from numpy float32 add/sub by {err}"
        result["batches"][str(n)] = {"max_abs_error_vs_numpy_fp32": err}
    record["checks"][name] = result
    print(f"ok {name}: case error {result['case_max_abs_error_vs_expected']:.3g}, batches {list(BATCHES)} exact")


def make_onnx(out, cases, record):
    import onnx
    from onnx import TensorProto, helper

    def io(name):
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 4])

    graph = helper.make_graph(
        [helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]), helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"])],
        "tslim_add_sub",
        [io("INPUT0"), io("INPUT1")],
        [io("OUTPUT0"), io("OUTPUT1")],
    )
    # IR 8 / opset 13: old enough for the onnxruntime of every Triton release tslim knows (ORT >= 1.10).
    model = helper.make_model(graph, producer_name="tslim-make-samples", opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(out, "model.onnx")
    onnx.save(model, path)

    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])

    def run(a, b):
        return session.run(["OUTPUT0", "OUTPUT1"], {"INPUT0": a, "INPUT1": b})

    record["files"]["model.onnx"] = {"sha256": sha256(path), "bytes": os.path.getsize(path), "opset": 13, "ir_version": 8}
    check_fn("onnx/onnxruntime-cpu", run, cases, record)


def make_torchscript(out, cases, record, require_cuda):
    from typing import Tuple

    import torch

    class AddSub(torch.nn.Module):
        # Argument names are the Triton input names: pytorch_backend maps inputs by forward()'s names.
        def forward(self, INPUT0: torch.Tensor, INPUT1: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
            return INPUT0 + INPUT1, INPUT0 - INPUT1

    module = torch.jit.script(AddSub().eval())
    path = os.path.join(out, "model.pt")
    module.save(path)
    record["files"]["model.pt"] = {"sha256": sha256(path), "bytes": os.path.getsize(path), "method": "torch.jit.script"}

    cuda = torch.cuda.is_available()
    if require_cuda:
        assert cuda, "torch.cuda.is_available() is False: the TorchScript check must run on a CUDA GPU"
    device = "cuda" if cuda else "cpu"
    loaded = torch.jit.load(path, map_location=device)
    record["torchscript_device"] = device
    if cuda:
        record["gpu"] = {
            "name": torch.cuda.get_device_name(0),
            "capability": list(torch.cuda.get_device_capability(0)),
            "count": torch.cuda.device_count(),
        }

    def runner(optimized):
        def run(a, b):
            with torch.no_grad(), torch.jit.optimized_execution(optimized):
                x = torch.from_numpy(a).to(device)
                y = torch.from_numpy(b).to(device)
                o0, o1 = loaded(x, y)
                assert o0.device.type == device
                return o0.cpu().numpy(), o1.cpu().numpy()

        return run

    check_fn(f"torchscript/{device}/optimized", runner(True), cases, record)
    check_fn(f"torchscript/{device}/DISABLE_OPTIMIZED_EXECUTION", runner(False), cases, record)


def fake_pb_utils():
    """The few calls model.py makes on triton_python_backend_utils, backed by numpy."""
    pb = types.ModuleType("triton_python_backend_utils")

    class Tensor:
        def __init__(self, name, array):
            self._name, self._array = name, array

        def name(self):
            return self._name

        def as_numpy(self):
            return self._array

    class InferenceResponse:
        def __init__(self, output_tensors, error=None):
            self.output_tensors, self.error = output_tensors, error

    def get_input_tensor_by_name(request, name):
        return next((t for t in request if t.name() == name), None)

    pb.Tensor = Tensor
    pb.InferenceResponse = InferenceResponse
    pb.get_input_tensor_by_name = get_input_tensor_by_name
    pb.triton_string_to_numpy = lambda s: {"TYPE_FP32": np.float32}[s]
    return pb


def check_python_model(cases, record):
    sys.modules["triton_python_backend_utils"] = fake_pb_utils()
    path = os.path.join(SAMPLES, "models", "python", "1", "model.py")
    spec = importlib.util.spec_from_file_location("tslim_sample_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.TritonPythonModel()
    config = {"output": [{"name": "OUTPUT0", "data_type": "TYPE_FP32"}, {"name": "OUTPUT1", "data_type": "TYPE_FP32"}]}
    model.initialize({"model_config": json.dumps(config)})
    pb = sys.modules["triton_python_backend_utils"]

    def run(a, b):
        (response,) = model.execute([[pb.Tensor("INPUT0", a), pb.Tensor("INPUT1", b)]])
        outs = {t.name(): t.as_numpy() for t in response.output_tensors}
        assert outs["OUTPUT0"].dtype == np.float32
        return outs["OUTPUT0"], outs["OUTPUT1"]

    record["files"]["model.py"] = {"sha256": sha256(path), "bytes": os.path.getsize(path)}
    check_fn("python-model.py/stand-in-pb_utils", run, cases, record)


def versions():
    v = {"python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform()}
    for name in ("onnx", "onnxruntime", "torch"):
        try:
            v[name] = __import__(name).__version__
        except ImportError:
            v[name] = None
    try:
        import torch

        v["torch_cuda"] = torch.version.cuda
    except ImportError:
        pass
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"], capture_output=True, text=True, timeout=30
        )
        v["nvidia_smi"] = smi.stdout.strip() or smi.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        v["nvidia_smi"] = f"unavailable: {e}"
    return v


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--require-cuda", action="store_true")
    parser.add_argument("--python-only", action="store_true", help="check model.py only (no onnx/torch needed)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = load_cases()
    record = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "versions": versions(),
        "files": {},
        "checks": {},
    }
    failed = None
    try:
        check_python_model(cases, record)
        if not args.python_only:
            make_onnx(args.out, cases, record)
            make_torchscript(args.out, cases, record, args.require_cuda)
    except Exception as e:  # record the failure, then fail the run
        failed = f"{type(e).__name__}: {e}"
        record["error"] = failed
    with open(os.path.join(args.out, "record.json"), "w") as f:
        json.dump(record, f, indent=2)
    print(json.dumps(record, indent=2))
    if failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
