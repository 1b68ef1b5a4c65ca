#!/usr/bin/env python3
"""Per-op table of ONNX backend test results, as docs/onnx.md shows it.

Reads the output of `graft onnx-test DIR --engine native --json` and of the same run with
`--engine ort` (the JSON is the last line of each), and prints a Markdown table: for every op
type the tests use, how many tests use it, how they ended on the native engine, and how many pass
on ONNX Runtime. A test counts under every op type its model uses (each once).

    graft onnx-test /usr/share/libonnx-testdata/data/node --engine native --json > native.txt
    graft onnx-test /usr/share/libonnx-testdata/data/node --engine ort --json > ort.txt
    python3 tools/onnx/per_op_table.py native.txt ort.txt > table.md

Only the standard library is used.
"""
import collections
import json
import sys


def results(path):
    """The per-test results of one onnx-test --json output file."""
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if line.startswith("{")]
    if not lines:
        sys.exit(f"{path}: no JSON line (run graft onnx-test with --json)")
    return json.loads(lines[-1])["results"]


def op_types(result):
    return sorted({op["op_type"] for op in result["ops"]})


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    native = results(argv[1])
    ort = {r["name"]: r["status"] for r in results(argv[2])}
    counts = collections.defaultdict(collections.Counter)
    for r in native:
        for op in op_types(r):
            counts[op]["tests"] += 1
            counts[op][r["status"]] += 1
            if ort.get(r["name"]) == "pass":
                counts[op]["ort"] += 1
    print("| op | node tests | native pass | native fail | native unsupported | native error | ORT pass |")
    print("|---|---|---|---|---|---|---|")
    for op in sorted(counts):
        c = counts[op]
        print(f"| {op} | {c['tests']} | {c['pass']} | {c['fail']} | {c['unsupported']} | {c['error']} | {c['ort']} |")


if __name__ == "__main__":
    main(sys.argv)
