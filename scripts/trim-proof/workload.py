"""The GPU-machine proof's workload: a TorchScript sample, a cuDNN convolution and an NVRTC-compiled
kernel on the GPU, each checked against the CPU; then which CUDA libraries the process mapped, and
from where. Prints one JSON line. Run with `python3 -S` and PYTHONPATH set to one site dir only."""
import json
import os
import sys
import traceback

result = {"site": os.environ.get("PYTHONPATH"), "checks": {}}


def check(name, fn):
    try:
        result["checks"][name] = {"ok": True, "detail": fn()}
    except Exception as e:  # report every failure, as the loader words it
        result["checks"][name] = {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e)[:600])}


def imported():
    import torch
    return {"torch": torch.__version__, "file": torch.__file__, "cuda": torch.cuda.is_available()}


def torchscript():
    import torch
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(64, 128)
            self.b = torch.nn.Linear(128, 10)
        def forward(self, x):
            return self.b(torch.relu(self.a(x)))
    torch.manual_seed(0)
    path = "/tmp/proof-model.pt"
    torch.jit.script(Net().eval()).save(path)
    m = torch.jit.load(path, map_location="cuda")
    x = torch.randn(32, 64)
    gpu = m(x.cuda()).cpu()
    cpu = torch.jit.load(path, map_location="cpu")(x)
    diff = float((gpu - cpu).abs().max())
    assert diff < 1e-2, diff
    return {"maxAbsDiff": diff}


def cudnn_conv():
    import torch
    assert torch.backends.cudnn.is_available(), "cuDNN not available"
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
                              torch.nn.Conv2d(16, 8, 3)).eval()
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        cpu = net(x)
    torch.backends.cudnn.benchmark = True
    with torch.no_grad():
        gpu = net.cuda()(x.cuda()).cpu()
    diff = float((gpu - cpu).abs().max())
    assert diff < 1e-2, diff
    return {"cudnn": torch.backends.cudnn.version(), "maxAbsDiff": diff}


def nvrtc_kernel():
    import torch
    fn = torch.cuda.jiterator._create_jit_fn("template <typename T> T fma3(T x, T y) { return x * y + T(3); }")
    a = torch.randn(1000, device="cuda")
    b = torch.randn(1000, device="cuda")
    diff = float((fn(a, b) - (a * b + 3)).abs().max())
    assert diff < 1e-4, diff
    return {"maxAbsDiff": diff}


check("import", imported)
if result["checks"]["import"]["ok"]:
    check("torchscript_sample", torchscript)
    check("cudnn_conv", cudnn_conv)
    check("nvrtc_jiterator", nvrtc_kernel)
maps = set()
with open("/proc/self/maps") as f:
    for line in f:
        p = line.split()[-1] if len(line.split()) >= 6 else ""
        if ".so" in p:
            maps.add(p)
cuda_like = sorted(p for p in maps if any(k in os.path.basename(p) for k in ("cublas", "cudnn", "cudart", "nccl", "nvrtc", "cufft", "curand",
                                                             "cusparse", "cusolver", "nvJitLink", "cupti", "libcuda", "torch")))
result["mapped"] = cuda_like
site = os.environ.get("PYTHONPATH", "")
result["outside"] = [p for p in cuda_like if not p.startswith(site) and "libcuda.so" not in p and "libnvidia" not in p]
print(json.dumps(result))
