#!/usr/bin/env python3
"""Writes test/fixtures/user-models/onnx-python/onnx_fp16/1/model.onnx: a real ONNX model, encoded
by hand (the test world has no PyPI, so no `onnx` package), that ONNX Runtime loads.

  audio   FLOAT16 [B, T]  --Cast(to=FLOAT)-->  features FLOAT [B, T]
  lengths INT64   [B, 2]  --Identity-------->  frames   INT64 [B, 2]

B and T are symbolic (-1 in Triton's terms), as the model's config.pbtxt says (max_batch_size 4,
audio dims [-1], lengths dims [2]). IR version 8, opset 13. Field numbers: onnx/onnx.proto.
usage: make_user_onnx.py OUT.onnx
"""
import sys


def varint(n: int) -> bytes:
    out = b''
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(num: int, value) -> bytes:
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint((num << 3) | 2) + varint(len(data)) + data


FLOAT, INT64, FLOAT16 = 1, 7, 10


def tensor_type(elem: int, dims: list) -> bytes:
    shape = b''.join(field(1, field(2, d) if isinstance(d, str) else field(1, d)) for d in dims)
    return field(1, field(1, elem) + field(2, shape))


def value_info(name: str, elem: int, dims: list) -> bytes:
    return field(1, name) + field(2, tensor_type(elem, dims))


def node(op: str, inputs: list, outputs: list, name: str, attrs: bytes = b'') -> bytes:
    return b''.join(field(1, i) for i in inputs) + b''.join(field(2, o) for o in outputs) + field(3, name) + field(4, op) + attrs


cast_to_float = field(5, field(1, 'to') + field(3, FLOAT) + field(20, 2))  # AttributeProto INT
graph = (
    field(1, node('Cast', ['audio'], ['features'], 'cast', cast_to_float))
    + field(1, node('Identity', ['lengths'], ['frames'], 'frames'))
    + field(2, 'tslim_onnx_fp16')
    + field(11, value_info('audio', FLOAT16, ['B', 'T']))
    + field(11, value_info('lengths', INT64, ['B', 2]))
    + field(12, value_info('features', FLOAT, ['B', 'T']))
    + field(12, value_info('frames', INT64, ['B', 2]))
)
model = field(1, 8) + field(2, 'tslim') + field(7, graph) + field(8, field(1, '') + field(2, 13))
with open(sys.argv[1], 'wb') as f:
    f.write(model)
