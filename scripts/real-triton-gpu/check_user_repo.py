"""Recomputes every answer of user-repo.mjs's run from the same inputs, outside Triton: TorchScript with
torch on the GPU, ONNX with onnxruntime on the CPU, the rest with numpy. Prints one line per request
and a closing 'N passed, N failed' line; exit 1 on any mismatch.

usage: python3 check_user_repo.py REPO_DIR user-repo.json
"""
import json
import sys

import numpy as np
import onnxruntime as ort
import torch

repo, result_file = sys.argv[1], sys.argv[2]
result = json.load(open(result_file))
NP = {"FP32": np.float32, "FP16": np.float16, "INT64": np.int64, "INT32": np.int32}


def arr(t):
    if t["datatype"] == "BYTES":
        return np.array([str(v).encode() for v in t["values"]], dtype=np.object_).reshape(t["shape"])
    return np.array(t["values"], dtype=NP[t["datatype"]]).reshape(t["shape"])


def torch_model(name, *inputs):
    m = torch.jit.load(f"{repo}/{name}/1/model.pt", map_location="cuda").eval()
    with torch.no_grad():
        out = m(*[torch.from_numpy(x).cuda() for x in inputs])
    out = out if isinstance(out, tuple) else (out,)
    return [o.cpu().numpy() for o in out]


def onnx_model(name, feeds):
    s = ort.InferenceSession(f"{repo}/{name}/1/model.onnx", providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def expected(model, ins):
    if model == "gpu_convnet":
        return {"OUTPUT__0": torch_model(model, ins["INPUT__0"])[0]}
    if model == "gpu_fp16_varlen":
        a, b = torch_model(model, ins["INPUT__0"])
        return {"OUTPUT__0": a, "OUTPUT__1": b}
    if model == "cpu_onnx_fp16_int64":
        y, m = onnx_model(model, {"X": ins["X"], "N": ins["N"]})
        return {"Y": y, "M": m}
    if model == "cpu_onnx_softmax":
        return {"PROBS": onnx_model(model, {"LOGITS": ins["LOGITS"]})[0]}
    if model == "ensemble_gpu_to_cpu":
        logits = torch_model("gpu_convnet", ins["IMAGE"])[0]
        return {"PROBS": onnx_model("cpu_onnx_softmax", {"LOGITS": logits})[0]}
    if model == "identity_fp32":
        return {"OUTPUT0": ins["INPUT0"]}
    if model == "py_bytes":
        t = ins["TEXT"]
        up = np.array([[bytes(v).upper() for v in row] for row in t], dtype=np.object_)
        return {"UPPER": up, "LEN": np.array([[len(bytes(v)) for v in row] for row in t], dtype=np.int32)}
    raise KeyError(model)


passed = failed = 0
for m in result["models"]:
    if m["state"] != "READY":
        print(f"FAIL {m['name']}: {m['state']} {m.get('reason', '')}")
        failed += 1
        continue
    for q in m["requests"]:
        label = f"{m['name']} batch {q['batch']} ({','.join(m['instanceKinds'])}, {q['ms']} ms)"
        if q.get("error"):
            print(f"FAIL {label}: {q['error']}")
            failed += 1
            continue
        want = expected(m["name"], {t["name"]: arr(t) for t in q["inputs"]})
        got = {t["name"]: t for t in q["outputs"]}
        worst, bad = 0.0, []
        for name, w in want.items():
            g = arr(got[name]) if name in got else None
            if g is None or list(g.shape) != list(w.shape):
                bad.append(f"{name}: shape {None if g is None else list(g.shape)} != {list(w.shape)}")
            elif w.dtype == np.object_:
                if not (g.astype(bytes) == w.astype(bytes)).all():
                    bad.append(f"{name}: bytes differ")
            elif np.issubdtype(w.dtype, np.floating):
                tol = 2e-3 if w.dtype == np.float16 else 1e-4
                d = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64)))) if w.size else 0.0
                worst = max(worst, d)
                if d > tol:
                    bad.append(f"{name}: max abs diff {d:.3g} > {tol}")
            elif not np.array_equal(g, w):
                bad.append(f"{name}: values differ")
        if bad:
            print(f"FAIL {label}: {'; '.join(bad)}")
            failed += 1
        else:
            print(f"ok   {label}: outputs {sorted(want)} match (max abs diff {worst:.3g})")
            passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
