"""Prometheus text on the metrics port, with the families and labels Triton 24.09 serves (CPU metrics,
pinned memory, per-model counters and durations, failure counters by reason, the identity backend's
custom counter), plus a GPU the double plays: GPU memory that warms up then stays flat (or leaks on
request). docs/double-conformance.md says why the GPU series are there on a machine without GPUs."""
import os

from . import statistics
from .state import MIB, STATE

FAILURE_REASONS = ("BACKEND", "CANCELED", "OTHER", "REJECTED")
PER_MODEL = [
    ("nv_inference_count", "counter", "Number of inferences performed (does not include cached requests)"),
    ("nv_inference_exec_count", "counter", "Number of model executions performed (does not include cached requests)"),
    ("nv_inference_request_duration_us", "counter", "Cumulative inference request duration in microseconds (includes cached requests)"),
    ("nv_inference_queue_duration_us", "counter", "Cumulative inference queuing duration in microseconds (includes cached requests)"),
    ("nv_inference_compute_input_duration_us", "counter", "Cumulative compute input duration in microseconds (does not include cached requests)"),
    ("nv_inference_compute_infer_duration_us", "counter", "Cumulative compute inference duration in microseconds (does not include cached requests)"),
    ("nv_inference_compute_output_duration_us", "counter", "Cumulative inference compute output duration in microseconds (does not include cached requests)"),
    ("nv_inference_pending_request_count", "gauge", "Instantaneous number of pending requests awaiting execution per-model."),
]


def account(batch):
    with STATE.lock:
        STATE.requests += 1
        if os.environ.get("TRITON_DOUBLE_LEAK") == "1":
            STATE.gpu_used += batch * MIB
        elif STATE.requests <= 3:
            STATE.gpu_used += 64 * MIB  # warm-up allocations, then flat


def meminfo():
    try:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        total = int(fields["MemTotal"].split()[0]) * 1024
        return total, total - int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 0, 0


def family(lines, name, kind, text):
    lines += ["# HELP %s %s" % (name, text), "# TYPE %s %s" % (name, kind)]


def per_model_value(name, s):
    us = {"nv_inference_request_duration_us": "success", "nv_inference_queue_duration_us": "queue",
          "nv_inference_compute_input_duration_us": "compute_input", "nv_inference_compute_infer_duration_us": "compute_infer",
          "nv_inference_compute_output_duration_us": "compute_output"}
    if name == "nv_inference_count":
        return s.inferences
    if name == "nv_inference_exec_count":
        return s.executions
    if name in us:
        return s.counts[us[name]][1] // 1000
    return 0


def metrics_text():
    ready = [(n, m) for n, m in sorted(STATE.models.items()) if m.state == "READY"]
    lines = []
    family(lines, "nv_inference_request_success", "counter", "Number of successful inference requests, all batch sizes")
    for name, m in ready:
        lines.append('nv_inference_request_success{model="%s",version="%s"} %d' % (name, m.version, statistics.of(name).counts["success"][0]))
    family(lines, "nv_inference_request_failure", "counter", "Number of failed inference requests, all batch sizes")
    for name, version in sorted(STATE.ever_loaded.items()):
        for reason in FAILURE_REASONS:
            lines.append('nv_inference_request_failure{model="%s",reason="%s",version="%s"} 0' % (name, reason, version))
    for metric, kind, text in PER_MODEL:
        family(lines, metric, kind, text)
        for name, m in ready:
            lines.append('%s{model="%s",version="%s"} %d' % (metric, name, m.version, per_model_value(metric, statistics.of(name))))
    identity = [(n, m) for n, m in ready if m.backend == "identity"]
    if identity:
        family(lines, "input_byte_size_counter", "counter", "Cumulative input byte size of all requests received by the model")
        for name, m in identity:
            lines.append('input_byte_size_counter{model="%s",version="%s"} %d' % (name, m.version, STATE.byte_counters.get(name, 0)))
    total, used = meminfo()
    pinned = int(STATE.opts.pinned) if STATE.opts else 268435456
    family(lines, "nv_pinned_memory_pool_total_bytes", "gauge", "Pinned memory pool total memory size, in bytes")
    lines.append("nv_pinned_memory_pool_total_bytes %d" % pinned)
    family(lines, "nv_pinned_memory_pool_used_bytes", "gauge", "Pinned memory pool used memory size, in bytes")
    lines.append("nv_pinned_memory_pool_used_bytes 0")
    family(lines, "nv_cpu_utilization", "gauge", "CPU utilization rate [0.0 - 1.0]")
    lines.append("nv_cpu_utilization 0")
    family(lines, "nv_cpu_memory_total_bytes", "gauge", "CPU total memory (RAM), in bytes")
    lines.append("nv_cpu_memory_total_bytes %d" % total)
    family(lines, "nv_cpu_memory_used_bytes", "gauge", "CPU used memory (RAM), in bytes")
    lines.append("nv_cpu_memory_used_bytes %d" % used)
    family(lines, "nv_gpu_memory_total_bytes", "gauge", "GPU total memory, in bytes")
    lines.append('nv_gpu_memory_total_bytes{gpu_uuid="GPU-double-0"} %d' % (16 * 1024 * MIB))
    family(lines, "nv_gpu_memory_used_bytes", "gauge", "GPU used memory, in bytes")
    lines.append('nv_gpu_memory_used_bytes{gpu_uuid="GPU-double-0"} %d' % (256 * MIB + STATE.gpu_used))
    return "\n".join(lines) + "\n"
