"""Per-model statistics as Triton keeps them (GET /v2/models[/M]/stats; the metrics read them too):
one execution per request (no dynamic batching), batch size 0 for a model without batching, times
in ns from the double's own clock. A model's statistics start afresh when it loads."""
import time

from .state import STATE

DURATIONS = ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss")


class ModelStats:
    def __init__(self):
        self.last_ms = 0
        self.inferences = 0
        self.executions = 0
        self.counts = {k: [0, 0] for k in DURATIONS}
        self.batches = {}

    def record(self, batch_size, inferences, ns):
        """One successful request of `inferences` samples that took `ns`."""
        ns = max(int(ns), 4)
        self.last_ms = int(time.time() * 1000)
        self.inferences += inferences
        self.executions += 1
        for key, share in (("success", ns), ("queue", ns // 4), ("compute_input", ns // 4), ("compute_infer", ns // 4), ("compute_output", ns // 4)):
            self.counts[key][0] += 1
            self.counts[key][1] += share
        b = self.batches.setdefault(batch_size, [0, 0, 0, 0])
        b[0] += 1
        for i in (1, 2, 3):
            b[i] += ns // 4

    def as_json(self, name, version):
        def stat(count, ns):
            return {"count": count, "ns": ns}
        return {"name": name, "version": str(version), "last_inference": self.last_ms,
                "inference_count": self.inferences, "execution_count": self.executions,
                "inference_stats": {k: stat(*self.counts[k]) for k in DURATIONS},
                "response_stats": {},
                "batch_stats": [{"batch_size": size, "compute_input": stat(b[0], b[1]), "compute_infer": stat(b[0], b[2]),
                                 "compute_output": stat(b[0], b[3])} for size, b in sorted(self.batches.items())],
                "memory_usage": []}


def reset(name):
    STATE.stats[name] = ModelStats()


def of(name):
    return STATE.stats.setdefault(name, ModelStats())
