#!/usr/bin/python3
"""Runs the ONNX checker over the files Graft's export tests write.

    GRAFT_EXPORT_DUMP_DIR=/tmp/graft-exports mvn -o -q -B -pl onnx-bridge -am test \
        -Dtest=LayerExportersTest -Dsurefire.failIfNoSpecifiedTests=false
    /usr/bin/python3 tools/onnx-export/check_exports.py /tmp/graft-exports

Use Debian's python3-onnx (/usr/bin/python3, onnx 1.12), not the first python3 on PATH. Each file gets
onnx.checker.check_model(full_check=True) and strict shape inference, and the inferred shape of the
output must equal the declared one. onnx 1.12 knows opsets up to 17; newer files are listed as skipped.
Exits non-zero if any file fails.
"""
import glob
import os
import sys

import onnx
from onnx import shape_inference


def dims(value_info):
    return [d.dim_param if d.dim_param else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def main(directory):
    max_opset = onnx.defs.onnx_opset_version()
    checked, skipped, failed = 0, 0, []
    for path in sorted(glob.glob(os.path.join(directory, "*.onnx"))):
        model = onnx.load(path)
        opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        name = os.path.basename(path)
        if opset > max_opset:
            skipped += 1
            print(f"skipped {name}: opset {opset} > {max_opset} (onnx {onnx.__version__})")
            continue
        try:
            onnx.checker.check_model(model, full_check=True)
            inferred = shape_inference.infer_shapes(model, strict_mode=True)
            declared = dims(model.graph.output[0])
            got = dims(inferred.graph.output[0])
            if got != declared:
                raise ValueError(f"inferred output shape {got} != declared {declared}")
            checked += 1
        except Exception as e:  # noqa: BLE001 - report every kind of failure with its file
            failed.append(name)
            print(f"FAILED {name}: {str(e).splitlines()[0]}")
    print(f"{checked} passed, {len(failed)} failed, {skipped} skipped (onnx {onnx.__version__})")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
