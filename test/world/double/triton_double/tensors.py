"""KServe v2 tensors: datatypes, JSON data and the binary tensor data extension (both directions)."""
import json
import struct

# datatype -> struct format of one element (BYTES and BF16 are handled apart)
FORMATS = {"BOOL": "?", "UINT8": "B", "UINT16": "H", "UINT32": "I", "UINT64": "Q", "INT8": "b", "INT16": "h",
           "INT32": "i", "INT64": "q", "FP16": "e", "FP32": "f", "FP64": "d"}
INTEGER = {"UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"}
FLOAT = {"FP16", "BF16", "FP32", "FP64"}
DATATYPES = set(FORMATS) | {"BF16", "BYTES"}
# Triton sends FP16/BF16 only as binary data (no JSON number maps to them)
BINARY_ONLY = {"FP16", "BF16"}


class TensorError(ValueError):
    """A request Triton's HTTP front end refuses before the core sees it; `status` is its HTTP code
    (500 where Triton's error code is INTERNAL, as for a 'data' field that does not fit its shape)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def element_size(datatype):
    return 2 if datatype == "BF16" else struct.calcsize(FORMATS[datatype]) if datatype in FORMATS else 0


def narrow(datatype, values):
    """Floats as the datatype holds them (FP32/FP16/BF16 values are not Python doubles): Triton parses
    JSON numbers into the tensor's own type and computes in it."""
    if datatype in ("FP32", "FP16"):
        fmt = "<%d%s" % (len(values), FORMATS[datatype])
        try:
            return list(struct.unpack(fmt, struct.pack(fmt, *[float(v) for v in values])))
        except (struct.error, TypeError, ValueError, OverflowError):
            raise TensorError("unable to parse the JSON data of a %s tensor" % datatype)
    if datatype == "BF16":
        return decode_binary("BF16", encode_binary("BF16", values))
    return values


def config_type(datatype):
    """KServe datatype -> config data_type (BYTES is TYPE_STRING there)."""
    return "TYPE_STRING" if datatype == "BYTES" else "TYPE_" + datatype


def kserve_type(data_type):
    return data_type.replace("TYPE_", "").replace("STRING", "BYTES")


def count(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def flatten(data):
    if isinstance(data, list):
        out = []
        for d in data:
            out.extend(flatten(d))
        return out
    return [data]


def decode_binary(datatype, raw):
    if datatype == "BYTES":
        out, pos = [], 0
        while pos < len(raw):
            if pos + 4 > len(raw):
                raise TensorError("unexpected end of BYTES tensor data")
            (n,) = struct.unpack_from("<I", raw, pos)
            out.append(raw[pos + 4:pos + 4 + n])
            pos += 4 + n
        return out
    if datatype == "BF16":
        return [struct.unpack("<f", b"\x00\x00" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
    size = struct.calcsize(FORMATS[datatype])
    if len(raw) % size:
        raise TensorError("binary data of %d bytes is not a whole number of %s elements" % (len(raw), datatype))
    return list(struct.unpack("<%d%s" % (len(raw) // size, FORMATS[datatype]), raw))


def encode_binary(datatype, values):
    if datatype == "BYTES":
        return b"".join(struct.pack("<I", len(v)) + v for v in values)
    if datatype == "BF16":
        return b"".join(struct.pack("<f", float(v))[2:] for v in values)
    return struct.pack("<%d%s" % (len(values), FORMATS[datatype]), *values)


def read_request(body, header_length):
    """(request JSON, {input name: flat values}) from a JSON or binary-extension body."""
    if header_length is None:
        raw_json, rest = body, b""
    else:
        raw_json, rest = body[:header_length], body[header_length:]
    try:
        request = json.loads(raw_json) if raw_json.strip() else {}
    except ValueError:
        raise TensorError("failed to parse the request JSON buffer")
    values, pos = {}, 0
    for tensor in request.get("inputs", []):
        name, datatype = tensor.get("name"), tensor.get("datatype")
        if datatype not in DATATYPES:
            raise TensorError("invalid datatype '%s' of input '%s'" % (datatype, name))
        size = (tensor.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            if pos + size > len(rest):
                raise TensorError("unexpected size for input '%s', expecting %d bytes" % (name, size))
            values[name] = decode_binary(datatype, rest[pos:pos + size])
            pos += size
        else:
            if datatype in BINARY_ONLY:
                raise TensorError("receiving %s data via JSON is not supported. Please use the binary data format for input %s" % (datatype, name))
            data = flatten(tensor.get("data", []))
            if datatype != "BYTES" and len(data) != count(tensor.get("shape", [])):
                raise TensorError("Unable to parse 'data': Shape does not match true shape of 'data' field", 500)
            values[name] = [s.encode() if isinstance(s, str) else s for s in data] if datatype == "BYTES" else narrow(datatype, data)
    return request, values


def write_response(response, binary_outputs):
    """(body bytes, header length or None). Outputs in binary_outputs carry binary data, others JSON."""
    chunks = []
    for out in response["outputs"]:
        values = out.pop("_values")
        if out["name"] in binary_outputs:
            raw = encode_binary(out["datatype"], values)
            out["parameters"] = {"binary_data_size": len(raw)}
            chunks.append(raw)
        else:
            out["data"] = [v.decode("utf-8", "replace") for v in values] if out["datatype"] == "BYTES" else values
    head = json.dumps(response).encode()
    if not chunks:
        return head, None
    return head + b"".join(chunks), len(head)
