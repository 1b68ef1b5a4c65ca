#!/usr/bin/python3
"""Makes the small ONNX files the onnx-bridge tests read. Run from this directory with Debian's
python3-onnx (1.12) and python3-numpy:  /usr/bin/python3 make_test_files.py

Writes
  add_relu.onnx             y = Relu((x + bias) * scale); x float [N, 3] (N symbolic), bias float [3],
                            scale an initializer [1, 2, 3]; opset 13
  unknown_op.onnx           a well-formed protobuf whose node uses an op no runtime knows (NoSuchOp)
  external_ok/model.onnx    y = x + w1 - w2 with w1, w2 float [2, 3] stored in external_ok/weights.bin
  tensors/<type>_{raw,typed}.pb and tensors/<type>_scalar.pb
                            TensorProto files for every element type the converter reads, written both
                            as raw_data and as the typed repeated field; tensors/expected.json holds
                            their values (floats as written after rounding to the type)
Everything is deterministic; rerunning gives the same bytes.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import convert_model_to_external_data

HERE = os.path.dirname(os.path.abspath(__file__))


def add_relu():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    bias = helper.make_tensor_value_info("bias", TensorProto.FLOAT, [3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])
    scale = numpy_helper.from_array(np.array([1, 2, 3], dtype=np.float32), "scale")
    nodes = [
        helper.make_node("Add", ["x", "bias"], ["s"], name="add"),
        helper.make_node("Mul", ["s", "scale"], ["m"], name="mul"),
        helper.make_node("Relu", ["m"], ["y"], name="relu"),
    ]
    g = helper.make_graph(nodes, "add_relu", [x, bias], [y], [scale])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="graft-tests")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(HERE, "add_relu.onnx"))


def unknown_op():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    g = helper.make_graph([helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")], "unknown_op", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="graft-tests")
    m.ir_version = 7
    onnx.save(m, os.path.join(HERE, "unknown_op.onnx"))


def external_ok():
    d = os.path.join(HERE, "external_ok")
    os.makedirs(d, exist_ok=True)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    w1 = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w1")
    w2 = numpy_helper.from_array(np.full((2, 3), 0.5, dtype=np.float32), "w2")
    nodes = [helper.make_node("Add", ["x", "w1"], ["s"]), helper.make_node("Sub", ["s", "w2"], ["y"])]
    g = helper.make_graph(nodes, "external_ok", [x], [y], [w1, w2])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="graft-tests")
    m.ir_version = 7
    convert_model_to_external_data(m, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    path = os.path.join(d, "weights.bin")
    if os.path.exists(path):
        os.remove(path)
    onnx.save(m, os.path.join(d, "model.onnx"))


TYPES = {
    "float": (TensorProto.FLOAT, np.float32, [[1.5, -2.25, 0.0], [3.0e-3, 65504.0, -1.0e-7]]),
    "double": (TensorProto.DOUBLE, np.float64, [[1.5, -2.25, 0.0], [1.0e-300, 1.0e300, -7.125]]),
    "float16": (TensorProto.FLOAT16, np.float16, [[1.5, -2.25, 0.0], [6.1035e-05, 65504.0, -0.333]]),
    "int8": (TensorProto.INT8, np.int8, [[-128, -1, 0], [1, 100, 127]]),
    "int16": (TensorProto.INT16, np.int16, [[-32768, -1, 0], [1, 1000, 32767]]),
    "int32": (TensorProto.INT32, np.int32, [[-2147483648, -1, 0], [1, 100000, 2147483647]]),
    "int64": (TensorProto.INT64, np.int64, [[-9223372036854775808, -1, 0], [1, 10000000000, 9223372036854775807]]),
    "uint8": (TensorProto.UINT8, np.uint8, [[0, 1, 2], [127, 128, 255]]),
    "bool": (TensorProto.BOOL, np.bool_, [[True, False, True], [False, False, True]]),
}


def tensors():
    d = os.path.join(HERE, "tensors")
    os.makedirs(d, exist_ok=True)
    expected = {}
    for name, (code, dt, values) in TYPES.items():
        a = np.array(values, dtype=dt)
        raw = numpy_helper.from_array(a, name + "_raw")
        assert raw.HasField("raw_data")
        # typed form (for float16, make_tensor stores the bit patterns in int32_data itself)
        typed = helper.make_tensor(name + "_typed", code, a.shape, a.flatten().tolist())
        assert not typed.HasField("raw_data")
        if dt == np.float16:
            assert typed.int32_data[0] == int(a.view(np.uint16).flatten()[0])
        scalar = helper.make_tensor(name + "_scalar", code, [], [a.flatten()[1].item()])
        for t in (raw, typed, scalar):
            with open(os.path.join(d, t.name + ".pb"), "wb") as f:
                f.write(t.SerializeToString())
        flat = a.astype(np.float64).flatten().tolist() if a.dtype.kind == "f" else [int(v) for v in a.flatten()]
        expected[name] = {"shape": list(a.shape), "values": flat}
    s = helper.make_tensor("strings", TensorProto.STRING, [2], [b"a", b"bc"])
    with open(os.path.join(d, "strings.pb"), "wb") as f:
        f.write(s.SerializeToString())
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    add_relu()
    unknown_op()
    external_ok()
    tensors()
