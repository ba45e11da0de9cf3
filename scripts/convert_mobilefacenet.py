"""One-time conversion of MobileFaceNet from TFLite to ONNX, so it runs in cv2.dnn.

Not run at install time: its output, device/recognition/weights/mobilefacenet_192.onnx, is
in the repository (tool, versions and both sha256 in weights/SOURCE.md). Run it in a
throwaway venv, never in the project's .venv:

    python3.11 -m venv /tmp/convenv
    /tmp/convenv/bin/pip install tflite2onnx==0.4.1 onnx==1.23.2 ai-edge-litert==2.3.0 \
        opencv-python-headless==5.0.0.93 dlib-bin Pillow numpy
    /tmp/convenv/bin/python scripts/convert_mobilefacenet.py convert
    /tmp/convenv/bin/python scripts/convert_mobilefacenet.py check [--faces N]

`convert` runs tflite2onnx, then makes the batch dimension dynamic (the .tflite file has a
fixed batch of 2, and its final Reshape to [2, 192] is a constant), fuses the PReLU
activations the .tflite file spells out in five operations each (see fuse_prelu), and sorts
the weights by name (tflite2onnx writes them in set order), so two runs give the same bytes.
`check` aligns N real faces from $FACEGATE_DATA (default ../shared/data) with the new
engine and compares the ONNX model in cv2.dnn with the .tflite file in LiteRT: cosine must
be >= 0.9999 on each.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WEIGHTS = REPO / "device" / "recognition" / "weights"
TFLITE = WEIGHTS / "mobilefacenet_192.tflite"
ONNX = WEIGHTS / "mobilefacenet_192.onnx"
FINAL_RESHAPE = "MobileFaceNet/Logits/SpatialSqueeze_shape"  # constant [2, 192] in the file
EMBEDDING_DIM = 192
TFLITE_BATCH = 2  # the .tflite file's fixed batch; XNNPACK refuses to resize it
MIN_COSINE = 0.9999
DEFAULT_FACES = 20
DEFAULT_DATA = REPO.parent / "shared" / "data"


def convert(source: Path = TFLITE, target: Path = ONNX) -> None:
    """tflite2onnx, a dynamic batch, PReLU fused; the graph is checked before saving."""
    import onnx  # type: ignore[import-not-found]
    import tflite2onnx  # type: ignore[import-not-found]
    from onnx import numpy_helper

    tflite2onnx.convert(str(source), str(target))
    model = onnx.load(str(target))
    graph = model.graph
    for value in (graph.input[0], graph.output[0]):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    del graph.value_info[:]  # intermediate shapes carry the old batch of 2
    for index, init in enumerate(graph.initializer):
        if init.name == FINAL_RESHAPE:
            shape = np.array([-1, EMBEDDING_DIM], np.int64)
            graph.initializer[index].CopyFrom(numpy_helper.from_array(shape, init.name))
    print(f"fused {fuse_prelu(graph)} PReLU activations")
    used = {name for node in graph.node for name in node.input}
    initializers = sorted((i for i in graph.initializer if i.name in used), key=lambda i: i.name)
    del graph.initializer[:]  # tflite2onnx writes them in set order: sort, reproducible
    graph.initializer.extend(initializers)
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


def fuse_prelu(graph: Any) -> int:
    """Replace each Relu(x) + c * (x - Abs(x)) (how the .tflite file spells PReLU, c half
    the slope) with one PRelu(x, 2c) node: cv2.dnn then runs 99 nodes instead of 264, and
    an embedding takes about 7 ms instead of 11 on one core."""
    from onnx import helper, numpy_helper

    producer = {out: node for node in graph.node for out in node.output}
    weights = {init.name: init for init in graph.initializer}
    dropped: set[str] = set()  # first output of every node replaced
    for add in graph.node:
        match = _prelu_parts(add, producer)
        if match is None:
            continue
        x, scale_node, parts = match
        slope = 2 * numpy_helper.to_array(weights[scale_node.input[0]]).astype(np.float32)
        name = f"{add.output[0]}/prelu_slope"
        graph.initializer.append(numpy_helper.from_array(slope.reshape(-1, 1, 1), name))
        prelu = helper.make_node("PRelu", [x, name], [add.output[0]], name=f"{add.output[0]}/prelu")
        add.CopyFrom(prelu)
        dropped.update(part.output[0] for part in parts)
    kept = [node for node in graph.node if node.output[0] not in dropped]
    del graph.node[:]
    graph.node.extend(kept)
    return sum(1 for node in kept if node.op_type == "PRelu")


def _prelu_parts(add: Any, producer: dict[str, Any]) -> tuple[str, Any, list[Any]] | None:
    """(x, the Reshape of c, the five nodes) when `add` is Relu(x) + Reshape(c) * Sub(x,
    Abs(x)); None otherwise."""
    if add.op_type != "Add":
        return None
    terms = _inputs_by_op(add, producer, ["Mul", "Relu"])
    factors = _inputs_by_op(terms[0], producer, ["Reshape", "Sub"]) if terms else None
    if terms is None or factors is None:
        return None
    (mul, relu), (reshape, sub) = terms, factors
    x = relu.input[0]
    absolute = producer.get(sub.input[1])
    if absolute is None or absolute.op_type != "Abs" or absolute.input[0] != x \
            or sub.input[0] != x:
        return None
    return x, reshape, [relu, mul, reshape, sub, absolute]


def _inputs_by_op(node: Any, producer: dict[str, Any], ops: list[str]) -> list[Any] | None:
    """The nodes producing `node`'s inputs, sorted by operator, if their operators are
    exactly `ops` (sorted); None otherwise."""
    inputs = [producer[name] for name in node.input if name in producer]
    if len(inputs) != len(node.input):
        return None
    inputs.sort(key=lambda found: found.op_type)
    return inputs if [found.op_type for found in inputs] == ops else None


def aligned_faces(data: Path, count: int) -> list[np.ndarray]:
    """`count` 112x112 RGB faces aligned by the engine: sample photos, then LFW photos."""
    from device.imaging import load_rgb
    from device.recognition.mobileface import YuNetMobileFaceNet, align

    engine = YuNetMobileFaceNet()
    paths = sorted((data / "faces").glob("*/*")) + sorted((data / "lfw-devtrain").glob("*/*"))
    faces: list[np.ndarray] = []
    for path in paths:
        rgb = load_rgb(path)
        found = engine.detect(rgb, max_side=1024)
        if found and found[0].points5 is not None:
            faces.append(align(rgb, found[0].points5))
        if len(faces) == count:
            break
    return faces


def litert_embeddings(faces: list[np.ndarray]) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-not-found]

    interpreter: Any = Interpreter(model_path=str(TFLITE), num_threads=1)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]
    rows = []
    for face in faces:
        x = (face.astype(np.float32) - 127.5) / 128.0
        interpreter.set_tensor(inp, np.stack([x] * TFLITE_BATCH))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(out)[0].astype(np.float64))
    return np.array(rows)


def dnn_embeddings(faces: list[np.ndarray]) -> np.ndarray:
    import cv2

    net = cv2.dnn.readNetFromONNX(str(ONNX))
    rows = []
    for face in faces:
        x = ((face.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
        net.setInput(np.ascontiguousarray(x))
        rows.append(net.forward()[0].astype(np.float64))
    return np.array(rows)


def check(data: Path, count: int) -> bool:
    faces = aligned_faces(data, count)
    a, b = litert_embeddings(faces), dnn_embeddings(faces)
    cosine = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    print(f"{len(faces)} aligned faces: cosine cv2.dnn vs LiteRT min {cosine.min():.9f} "
          f"(1 - min {1 - cosine.min():.1e}), "
          f"mean {cosine.mean():.9f}; max |difference| {np.abs(a - b).max():.2e} "
          f"(embeddings up to {np.abs(a).max():.2f})")
    return len(faces) == count and bool(cosine.min() >= MIN_COSINE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["convert", "check"])
    parser.add_argument("--faces", type=int, default=DEFAULT_FACES)
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("FACEGATE_DATA", DEFAULT_DATA)))
    args = parser.parse_args(argv)
    if args.step == "convert":
        convert()
        return 0
    return 0 if check(args.data, args.faces) else 1


if __name__ == "__main__":
    sys.exit(main())
