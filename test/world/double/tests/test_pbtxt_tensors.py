import struct
import unittest

from triton_double import pbtxt, tensors


class PbtxtTest(unittest.TestCase):
    def test_nested_messages_lists_and_maps(self):
        cfg = pbtxt.parse('''name: "ens" platform: "ensemble"  # comment
        max_batch_size: 8
        input [ { name: "RAW" data_type: TYPE_STRING dims: [ -1 ] } ]
        ensemble_scheduling { step [ { model_name: "tok" model_version: -1
          input_map { key: "TEXT" value: "RAW" } output_map { key: "IDS" value: "ids" } } ] }''')
        self.assertEqual(pbtxt.first(cfg, "max_batch_size"), 8)
        self.assertEqual(cfg["input"][0]["dims"], [-1])
        step = cfg["ensemble_scheduling"][0]["step"][0]
        self.assertEqual(pbtxt.first(step, "model_version"), -1)
        self.assertEqual(step["input_map"], [{"key": ["TEXT"], "value": ["RAW"]}])

    def test_unterminated_message_is_an_error(self):
        with self.assertRaises(pbtxt.PbtxtError):
            pbtxt.parse('input [ { name: "x" ')


class TensorsTest(unittest.TestCase):
    def test_binary_round_trips(self):
        for dt, values in [("FP16", [0.5, -2.0]), ("INT64", [1, -(2 ** 40)]), ("BOOL", [True, False]),
                           ("BYTES", [b"a", b"", b"xyz"]), ("BF16", [1.0, -0.5])]:
            raw = tensors.encode_binary(dt, values)
            self.assertEqual(tensors.decode_binary(dt, raw), values, dt)
        self.assertEqual(tensors.encode_binary("BYTES", [b"ab"]), struct.pack("<I", 2) + b"ab")

    def test_request_with_binary_inputs_and_json_inputs(self):
        head = b'{"inputs":[{"name":"A","datatype":"FP16","shape":[2],"parameters":{"binary_data_size":4}},' \
               b'{"name":"B","datatype":"INT32","shape":[2],"data":[[1],[2]]}]}'
        request, values = tensors.read_request(head + struct.pack("<2e", 1.5, 2.5), len(head))
        self.assertEqual(values, {"A": [1.5, 2.5], "B": [1, 2]})
        self.assertEqual(len(request["inputs"]), 2)

    def test_fp16_in_json_is_refused_like_triton(self):
        with self.assertRaisesRegex(tensors.TensorError, "receiving FP16 data via JSON is not supported. Please use the binary data format for input A"):
            tensors.read_request(b'{"inputs":[{"name":"A","datatype":"FP16","shape":[1],"data":[1]}]}', None)

    def test_short_binary_data_is_refused(self):
        head = b'{"inputs":[{"name":"A","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}}]}'
        with self.assertRaisesRegex(tensors.TensorError, "expecting 8 bytes"):
            tensors.read_request(head + b"\0\0\0\0", len(head))

    def test_response_mixes_binary_and_json_outputs(self):
        body, n = tensors.write_response({"outputs": [
            {"name": "X", "datatype": "FP32", "shape": [1], "_values": [2.0]},
            {"name": "Y", "datatype": "BYTES", "shape": [1], "_values": [b"hi"]}]}, {"X"})
        self.assertIn(b'"binary_data_size": 4', body[:n])
        self.assertIn(b'"data": ["hi"]', body[:n])
        self.assertEqual(body[n:], struct.pack("<f", 2.0))


if __name__ == "__main__":
    unittest.main()
