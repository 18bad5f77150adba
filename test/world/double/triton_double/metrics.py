"""Prometheus text on the metrics port; GPU memory that warms up then stays flat (or leaks on request)."""
import os

from .state import MIB, STATE


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
    ready = [(n, m) for n, m in sorted(STATE.models.items()) if m.state == "READY"]
    for name, m in ready:
        lines.append('nv_inference_request_success{model="%s",version="%s"} %d' % (name, m.version, STATE.success.get(name, 0)))
    lines += ["# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes",
              "# TYPE nv_inference_request_failure counter"]
    for name, m in ready:
        lines.append('nv_inference_request_failure{model="%s",version="%s"} %d' % (name, m.version, STATE.failure.get(name, 0)))
    lines += ["# HELP nv_gpu_memory_total_bytes GPU total memory, in bytes", "# TYPE nv_gpu_memory_total_bytes gauge",
              'nv_gpu_memory_total_bytes{gpu_uuid="GPU-double-0"} %d' % (16 * 1024 * MIB),
              "# HELP nv_gpu_memory_used_bytes GPU used memory, in bytes", "# TYPE nv_gpu_memory_used_bytes gauge",
              'nv_gpu_memory_used_bytes{gpu_uuid="GPU-double-0"} %d' % (256 * MIB + STATE.gpu_used)]
    return "\n".join(lines) + "\n"
