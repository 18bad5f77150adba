"""A user's model repository for the GPU run (issue 24, item 5), made on the GPU machine with its torch
and onnx: TorchScript models on KIND_GPU (FP32 conv net; FP16 with a -1 dim and an INT64 output), ONNX
models on KIND_CPU (FP16 + INT64 with a -1 dim; a softmax), an ensemble from a GPU model to a CPU one,
an identity model, and (with --python) a BYTES python model. check_user_repo.py recomputes every
answer with torch / onnxruntime / numpy from the same inputs.

usage: python3 make_user_repo.py DIR [--python]
"""
import os
import sys
import textwrap

import onnx
import torch
from onnx import TensorProto, helper

out = sys.argv[1]
with_python = "--python" in sys.argv[2:]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip())


class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8, 5)

    def forward(self, x):
        y = torch.relu(self.bn(self.conv(x)))
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(y, 1), 1))


class Fp16VarLen(torch.nn.Module):
    def forward(self, x):
        return x * 2.0 + 1.0, torch.argmax(x, dim=1, keepdim=True)


torch.manual_seed(0)
net = ConvNet().eval()
with torch.no_grad():  # non-trivial batch-norm statistics
    net.bn.running_mean.uniform_(-0.5, 0.5)
    net.bn.running_var.uniform_(0.5, 1.5)
os.makedirs(f"{out}/gpu_convnet/1", exist_ok=True)
torch.jit.script(net).save(f"{out}/gpu_convnet/1/model.pt")
write(f"{out}/gpu_convnet/config.pbtxt", """
    name: "gpu_convnet"
    platform: "pytorch_libtorch"
    max_batch_size: 8
    input [ { name: "INPUT__0" data_type: TYPE_FP32 dims: [ 3, 16, 16 ] } ]
    output [ { name: "OUTPUT__0" data_type: TYPE_FP32 dims: [ 5 ] } ]
    instance_group [ { count: 1 kind: KIND_GPU } ]
""")

os.makedirs(f"{out}/gpu_fp16_varlen/1", exist_ok=True)
torch.jit.script(Fp16VarLen()).save(f"{out}/gpu_fp16_varlen/1/model.pt")
write(f"{out}/gpu_fp16_varlen/config.pbtxt", """
    name: "gpu_fp16_varlen"
    platform: "pytorch_libtorch"
    max_batch_size: 4
    input [ { name: "INPUT__0" data_type: TYPE_FP16 dims: [ -1 ] } ]
    output [
      { name: "OUTPUT__0" data_type: TYPE_FP16 dims: [ -1 ] },
      { name: "OUTPUT__1" data_type: TYPE_INT64 dims: [ 1 ] }
    ]
    instance_group [ { count: 1 kind: KIND_GPU } ]
""")


def save_onnx(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


two = helper.make_tensor("two", TensorProto.FLOAT16, [], [2.0])
one = helper.make_tensor("one", TensorProto.INT64, [], [1])
save_onnx(
    helper.make_graph(
        [helper.make_node("Mul", ["X", "two"], ["Y"]), helper.make_node("Add", ["N", "one"], ["M"])],
        "fp16_int64",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT16, ["batch", "len"]),
            helper.make_tensor_value_info("N", TensorProto.INT64, ["batch", "len"]),
        ],
        [
            helper.make_tensor_value_info("Y", TensorProto.FLOAT16, ["batch", "len"]),
            helper.make_tensor_value_info("M", TensorProto.INT64, ["batch", "len"]),
        ],
        [two, one],
    ),
    f"{out}/cpu_onnx_fp16_int64/1/model.onnx",
)
write(f"{out}/cpu_onnx_fp16_int64/config.pbtxt", """
    name: "cpu_onnx_fp16_int64"
    platform: "onnxruntime_onnx"
    max_batch_size: 4
    input [
      { name: "X" data_type: TYPE_FP16 dims: [ -1 ] },
      { name: "N" data_type: TYPE_INT64 dims: [ -1 ] }
    ]
    output [
      { name: "Y" data_type: TYPE_FP16 dims: [ -1 ] },
      { name: "M" data_type: TYPE_INT64 dims: [ -1 ] }
    ]
    instance_group [ { count: 1 kind: KIND_CPU } ]
""")

save_onnx(
    helper.make_graph(
        [helper.make_node("Softmax", ["LOGITS"], ["PROBS"], axis=1)],
        "softmax",
        [helper.make_tensor_value_info("LOGITS", TensorProto.FLOAT, ["batch", 5])],
        [helper.make_tensor_value_info("PROBS", TensorProto.FLOAT, ["batch", 5])],
    ),
    f"{out}/cpu_onnx_softmax/1/model.onnx",
)
write(f"{out}/cpu_onnx_softmax/config.pbtxt", """
    name: "cpu_onnx_softmax"
    platform: "onnxruntime_onnx"
    max_batch_size: 8
    input [ { name: "LOGITS" data_type: TYPE_FP32 dims: [ 5 ] } ]
    output [ { name: "PROBS" data_type: TYPE_FP32 dims: [ 5 ] } ]
    instance_group [ { count: 1 kind: KIND_CPU } ]
""")

os.makedirs(f"{out}/ensemble_gpu_to_cpu/1", exist_ok=True)
write(f"{out}/ensemble_gpu_to_cpu/config.pbtxt", """
    name: "ensemble_gpu_to_cpu"
    platform: "ensemble"
    max_batch_size: 8
    input [ { name: "IMAGE" data_type: TYPE_FP32 dims: [ 3, 16, 16 ] } ]
    output [ { name: "PROBS" data_type: TYPE_FP32 dims: [ 5 ] } ]
    ensemble_scheduling {
      step [
        {
          model_name: "gpu_convnet"
          model_version: -1
          input_map { key: "INPUT__0" value: "IMAGE" }
          output_map { key: "OUTPUT__0" value: "logits" }
        },
        {
          model_name: "cpu_onnx_softmax"
          model_version: -1
          input_map { key: "LOGITS" value: "logits" }
          output_map { key: "PROBS" value: "PROBS" }
        }
      ]
    }
""")

os.makedirs(f"{out}/identity_fp32/1", exist_ok=True)
write(f"{out}/identity_fp32/config.pbtxt", """
    name: "identity_fp32"
    backend: "identity"
    max_batch_size: 8
    input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
    output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
    instance_group [ { count: 1 kind: KIND_CPU } ]
""")

if with_python:
    write(f"{out}/py_bytes/1/model.py", """
        import numpy as np
        import triton_python_backend_utils as pb_utils


        class TritonPythonModel:
            def execute(self, requests):
                responses = []
                for request in requests:
                    text = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy()
                    upper = np.array([[bytes(t).upper() for t in row] for row in text], dtype=np.object_)
                    length = np.array([[len(bytes(t)) for t in row] for row in text], dtype=np.int32)
                    responses.append(pb_utils.InferenceResponse([
                        pb_utils.Tensor("UPPER", upper), pb_utils.Tensor("LEN", length)]))
                return responses
    """)
    write(f"{out}/py_bytes/config.pbtxt", """
        name: "py_bytes"
        backend: "python"
        max_batch_size: 4
        input [ { name: "TEXT" data_type: TYPE_STRING dims: [ 2 ] } ]
        output [
          { name: "UPPER" data_type: TYPE_STRING dims: [ 2 ] },
          { name: "LEN" data_type: TYPE_INT32 dims: [ 2 ] }
        ]
        instance_group [ { count: 1 kind: KIND_CPU } ]
    """)

print("user repository:", sorted(os.listdir(out)))
