"""What the double does because the real Triton 24.09 does it (docs/double-conformance.md)."""
import unittest

from triton_double import compute, metrics, statistics, tensors
from triton_double.state import STATE

from .helpers import Repo, tensor

IDENTITY = '''backend: "identity" max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ] output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]'''
ONNX = '''backend: "onnxruntime" max_batch_size: 0
input [ { name: "x" data_type: TYPE_FP32 dims: [ 2 ] } ] output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]
parameters: { key: "k" value: { string_value: "v" } }'''


class ConformanceTest(unittest.TestCase):
    def setUp(self):
        self.r = Repo(backends=("identity", "onnxruntime"))
        STATE.stats, STATE.ever_loaded = {}, {}

    def tearDown(self):
        self.r.close()

    def test_identity_echoes_in_float32(self):
        self.r.model("ident", IDENTITY)
        m = self.r.loaded("ident")["ident"]
        outs, batch = compute.run(m, {"INPUT0": tensor("FP32", [1, 2], tensors.narrow("FP32", [0.1, 2.0]))})
        self.assertEqual(batch, 1)
        self.assertEqual(outs[0]["name"], "OUTPUT0")
        self.assertEqual(outs[0]["_values"], [0.10000000149011612, 2.0])

    def test_json_data_that_does_not_fit_its_shape_is_an_internal_error(self):
        with self.assertRaises(tensors.TensorError) as e:
            tensors.read_request(b'{"inputs":[{"name":"A","datatype":"FP32","shape":[1,3],"data":[1,2]}]}', None)
        self.assertEqual(e.exception.status, 500)
        self.assertEqual(str(e.exception), "Unable to parse 'data': Shape does not match true shape of 'data' field")

    def test_shape_error_without_batching_has_no_note(self):
        self.r.model("onnx", ONNX)
        m = self.r.loaded("onnx")["onnx"]
        with self.assertRaises(compute.InferError) as e:
            compute.run(m, {"x": tensor("FP32", [3], [1.0, 2.0, 3.0])}, "id-1")
        self.assertEqual(str(e.exception), "[request id: id-1] unexpected shape for input 'x' for model 'onnx'. Expected [2], got [3]. ")

    def test_config_is_auto_completed_as_triton_prints_it(self):
        self.r.model("onnx", ONNX)
        c = self.r.loaded("onnx")["onnx"].config_json()
        self.assertEqual((c["platform"], c["backend"], c["default_model_filename"]), ("onnxruntime_onnx", "onnxruntime", "model.onnx"))
        self.assertEqual(c["parameters"], {"k": {"string_value": "v"}})
        self.assertEqual(c["input"][0]["format"], "FORMAT_NONE")
        self.assertEqual(c["instance_group"][0]["host_policy"], "")
        self.assertEqual(c["version_policy"], {"latest": {"num_versions": 1}})

    def test_statistics_count_inferences_executions_and_batch_sizes(self):
        self.r.model("ident", IDENTITY)
        self.r.loaded("ident")
        s = statistics.of("ident")
        s.record(2, 2, 1000)
        s.record(1, 1, 1000)
        j = s.as_json("ident", 1)
        self.assertEqual((j["inference_count"], j["execution_count"]), (3, 2))
        self.assertEqual([b["batch_size"] for b in j["batch_stats"]], [1, 2])
        self.assertEqual(j["inference_stats"]["fail"], {"count": 0, "ns": 0})
        self.assertGreater(j["last_inference"], 0)
        self.r.loaded("ident")  # a load starts the statistics afresh
        self.assertEqual(statistics.of("ident").executions, 0)

    def test_metrics_have_tritons_families_and_keep_failure_series_after_unload(self):
        self.r.model("ident", IDENTITY)
        models = self.r.loaded("ident")
        text = metrics.metrics_text()
        for series in ('nv_inference_count{model="ident",version="1"}', 'input_byte_size_counter{model="ident",version="1"}',
                       'nv_inference_request_failure{model="ident",reason="REJECTED",version="1"}', "nv_cpu_memory_total_bytes",
                       "nv_pinned_memory_pool_total_bytes"):
            self.assertIn(series, text)
        models["ident"].state = "UNAVAILABLE"
        text = metrics.metrics_text()
        self.assertNotIn('nv_inference_count{model="ident"', text)
        self.assertIn('nv_inference_request_failure{model="ident",reason="BACKEND",version="1"}', text)


if __name__ == "__main__":
    unittest.main()
