import unittest

from triton_double import compute, loader
from triton_double.repository import load_order, scan
from triton_double.state import STATE

from .helpers import Repo, tensor

ONNX = '''platform: "onnxruntime_onnx" max_batch_size: 4
input [ { name: "x" data_type: TYPE_FP16 dims: [ -1 ] }, { name: "ids" data_type: TYPE_INT64 dims: [ 2 ] } ]
output [ { name: "y" data_type: TYPE_FP32 dims: [ -1 ] }, { name: "n" data_type: TYPE_INT64 dims: [ 2 ] } ]'''
TEXT = '''platform: "onnxruntime_onnx" max_batch_size: 0
input [ { name: "T" data_type: TYPE_STRING dims: [ 2 ] } ] output [ { name: "U" data_type: TYPE_STRING dims: [ 2 ] } ]'''


class ComputeTest(unittest.TestCase):
    def setUp(self):
        self.r = Repo(backends=("onnxruntime", "identity", "python"))
        with open(self.r.root + "/backends/python/triton_python_backend_stub", "w"):
            pass

    def tearDown(self):
        self.r.close()

    def run_onnx(self):
        models = self.r.loaded("onnx")
        self.assertEqual(models["onnx"].state, "READY", models["onnx"].reason)
        outs, batch = compute.run(models["onnx"], {"x": tensor("FP16", [1, 3], [1.0, 2.0, 3.0]),
                                                    "ids": tensor("INT64", [1, 2], [5, 7])})
        return outs, batch

    def test_generic_answer_depends_on_inputs_and_library_bytes(self):
        self.r.model("onnx", ONNX, {"model.onnx": "weights"})
        outs, batch = self.run_onnx()
        self.assertEqual(batch, 1)
        self.assertEqual([o["shape"] for o in outs], [[1, 3], [1, 2]])
        first = [o["_values"] for o in outs]
        self.assertEqual(self.run_onnx()[0][0]["_values"], first[0])  # deterministic
        self.r.library("onnxruntime", b"v2: another build")
        self.assertNotEqual(self.run_onnx()[0][0]["_values"], first[0])

    def test_checks_datatype_shape_and_batch_like_triton(self):
        self.r.model("onnx", ONNX, {"model.onnx": "w"})
        m = self.r.loaded("onnx")["onnx"]
        with self.assertRaisesRegex(compute.InferError, r"^\[request id: <id_unknown>\] inference input 'x' data-type is 'FP32', but model 'onnx' expects 'FP16'$"):
            compute.run(m, {"x": tensor("FP32", [1, 1], [1.0]), "ids": tensor("INT64", [1, 2], [1, 2])})
        with self.assertRaisesRegex(compute.InferError, r"unexpected shape for input 'ids' for model 'onnx'\. Expected \[-1,2\], got \[1,3\]\. NOTE: "):
            compute.run(m, {"x": tensor("FP16", [1, 1], [1.0]), "ids": tensor("INT64", [1, 3], [1, 2, 3])})
        with self.assertRaisesRegex(compute.InferError, "batch-size must be <= 4"):
            compute.run(m, {"x": tensor("FP16", [5, 1], [1.0] * 5), "ids": tensor("INT64", [5, 2], [1] * 10)})
        with self.assertRaisesRegex(compute.InferError, r"expected 2 inputs but got 1 inputs for model 'onnx'\. Got input\(s\) \['x'\], but missing required input\(s\) \['ids'\]"):
            compute.run(m, {"x": tensor("FP16", [1, 1], [1.0])})
        # Triton walks the inputs of a request in reverse (its unordered_map) and words an empty list ']'
        with self.assertRaisesRegex(compute.InferError, r"expected 2 inputs but got 3 inputs .* Got input\(s\) \['z','ids','x'\], but missing required input\(s\) \]\."):
            compute.run(m, {"x": tensor("FP16", [1, 1], [1.0]), "ids": tensor("INT64", [1, 2], [1, 2]), "z": tensor("FP16", [1, 1], [1.0])})
        with self.assertRaisesRegex(compute.InferError, r"^\[request id: r-7\] inference request batch-size"):
            compute.run(m, {"x": tensor("FP16", [5, 1], [1.0] * 5), "ids": tensor("INT64", [5, 2], [1] * 10)}, "r-7")

    def test_bytes_model_tags_its_answer_with_the_library(self):
        self.r.model("text", TEXT)
        m = self.r.loaded("text")["text"]
        outs, _ = compute.run(m, {"T": tensor("BYTES", [2], [b"hello", b"world"])})
        self.assertTrue(outs[0]["_values"][0].endswith(b":hello"))
        self.assertNotEqual(outs[0]["_values"][0][:6], b"hello:")

    def test_ensemble_routes_tensors_through_steps(self):
        self.r.model("text", TEXT)
        self.r.model("ens", '''platform: "ensemble" input [ { name: "IN" data_type: TYPE_STRING dims: [ 2 ] } ]
        output [ { name: "OUT" data_type: TYPE_STRING dims: [ 2 ] } ]
        ensemble_scheduling { step [ { model_name: "text" model_version: -1 input_map { key: "T" value: "IN" }
          output_map { key: "U" value: "OUT" } } ] }''')
        scan()
        self.assertEqual(load_order(["ens"]), ["text", "ens"])
        models = self.r.loaded("ens")
        self.assertEqual(models["text"].state, "READY")
        outs, _ = compute.run(models["ens"], {"IN": tensor("BYTES", [2], [b"a", b"b"])})
        direct, _ = compute.run(models["text"], {"T": tensor("BYTES", [2], [b"a", b"b"])})
        self.assertEqual(outs[0]["_values"], direct[0]["_values"])

    def test_ensemble_with_a_missing_step_is_unavailable_naming_it(self):
        self.r.model("ens", '''platform: "ensemble" ensemble_scheduling { step [ { model_name: "gone" } ] }''')
        m = self.r.loaded("ens")["ens"]
        self.assertEqual(m.state, "UNAVAILABLE")
        self.assertIn("ensemble step model 'gone' is not available", m.reason)

    def test_bls_call_needs_its_target_loaded(self):
        self.r.model("text", TEXT)
        self.r.model("bls", TEXT.replace('platform: "onnxruntime_onnx"', 'backend: "python"'),
                     {"model.py": "r = pb_utils.InferenceRequest(model_name='text', inputs=[])\n"})
        STATE_ENV = {"TRITON_DOUBLE_SHM_BYTES": str(1 << 30)}
        import os
        os.environ.update(STATE_ENV)
        scan()
        self.assertEqual(load_order(["bls"]), ["bls"])  # BLS targets are not auto-loaded
        self.assertEqual(load_order(["bls", "text"]), ["text", "bls"])
        m = self.r.loaded("bls")["bls"]
        self.assertEqual(m.state, "READY", m.reason)
        with self.assertRaisesRegex(compute.InferError, "Request for unknown model: 'text' is not found"):
            compute.run(m, {"T": tensor("BYTES", [2], [b"a", b"b"])})

    def test_missing_backend_library_is_unavailable_with_tritons_reason(self):
        self.r.model("pt", 'platform: "pytorch_libtorch"')
        m = self.r.loaded("pt")["pt"]
        self.assertEqual(m.reason, "Invalid argument: unable to find backend library for backend 'pytorch', try specifying runtime on the model configuration.")

    def test_fingerprint_is_in_range(self):
        f = loader.fingerprint(self.r.root + "/backends/onnxruntime/libtriton_onnxruntime.so")
        self.assertTrue(0.5 <= f < 1.5)
        self.assertIsNotNone(STATE.opts)


if __name__ == "__main__":
    unittest.main()
