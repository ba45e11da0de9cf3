"""dlib's face recognition ResNet (dlib_face_recognition_resnet_model_v1) in numpy.

The dlib-bin wheel is built without BLAS, so `compute_face_descriptor` spends ~72 ms per
face in dlib's own matrix multiply. This module reads the same model file, folds every
`affine` layer into the convolution before it, and runs the forward pass as im2col + one
float32 OpenBLAS matmul per convolution (NHWC): the same 128-d descriptor to within 5e-7
per component (float32 summation order) in ~7 ms instead of ~71 ms on one thread.

The file is dlib's serialization of `anet_type` from dlib's examples/dnn_face_recognition_ex.cpp:

    loss_metric<fc_no_bias<128,avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
        max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,input_rgb_image_sized<150>>>>>>>>>>>>>

Format notes (dlib/serialize.h, dlib/dnn/core.h, dlib/cuda/tensor.h):
- integers: a control byte (bit 7 = negative, low 4 bits = byte count) then the magnitude
  little-endian; floats/doubles: mantissa then exponent, both such integers; bools: '0'/'1';
  strings: length then bytes.
- tensors: version 2, then n, k, nr, nc, then raw little-endian float32 (not varints), so
  parsing is one np.frombuffer per tensor.
- an add_layer writes its version, then its whole subnetwork, then its own layer: the
  versions come outermost first, the layers innermost (input side) first.
- add_prev adds tensors of different shapes, each zero-padded at the end of every
  dimension; in this net the downsampling blocks add a 4x4 pool to a 3x3 convolution
  (alevel1) and a 2x2 pool to a 1x1 one (alevel0).
"""

from __future__ import annotations

import builtins
import contextlib
import math
import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from device.recognition.model_files import model_file

CHIP_SIZE = 150
CHIP_PADDING = 0.25  # what compute_face_descriptor passes to get_face_chip_details


class ModelFormatError(ValueError):
    """The model file is truncated, corrupt, or not dlib's face recognition ResNet v1."""


class ModelTruncatedError(ModelFormatError):
    """The model file ends early (an interrupted download or copy)."""


# ---------------------------------------------------------------------------------------
# The architecture, outermost layer (just under the loss) first.

Spec = tuple[Any, ...]


def _block(filters: int, stride: int) -> list[Spec]:
    # block<N,affine,stride,S> = affine<con<N,3,3,1,1,relu<affine<con<N,3,3,stride,stride,S>>>>>
    return [("affine",), ("con", filters, 3, 1), ("relu",),
            ("affine",), ("con", filters, 3, stride)]


def _ares(filters: int) -> list[Spec]:
    return [("relu",), ("add_prev", 1), *_block(filters, 1), ("tag", 1)]


def _ares_down(filters: int) -> list[Spec]:
    return [("relu",), ("add_prev", 2), ("avg_pool", 2, 2), ("skip", 1), ("tag", 2),
            *_block(filters, 2), ("tag", 1)]


def anet_layers() -> list[Spec]:
    """anet_type below loss_metric, outermost first; the input layer is not listed."""
    return [
        ("fc", 128), ("avg_pool", 0, 1),
        *_ares_down(256),                                              # alevel0
        *_ares(256), *_ares(256), *_ares_down(256),                    # alevel1
        *_ares(128), *_ares(128), *_ares_down(128),                    # alevel2
        *_ares(64), *_ares(64), *_ares(64), *_ares_down(64),           # alevel3
        *_ares(32), *_ares(32), *_ares(32),                            # alevel4
        ("max_pool", 3, 2), ("relu",), ("affine",), ("con", 32, 7, 2),
    ]


# ---------------------------------------------------------------------------------------
# dlib's serialization format.

class _Reader:
    def __init__(self, data: bytes | mmap.mmap, name: str) -> None:
        self.data = memoryview(data)
        self.pos = 0
        self.name = name

    def fail(self, what: str) -> ModelFormatError:
        return ModelFormatError(f"{self.name}: {what} at byte {self.pos}")

    def take(self, count: int) -> memoryview:
        end = self.pos + count
        if count < 0 or end > len(self.data):
            raise ModelTruncatedError(
                f"{self.name}: truncated at byte {len(self.data)} (needed {end}); "
                "not a complete dlib face recognition model")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def int(self, nbytes: int = 8, signed: bool = True) -> int:
        control = self.take(1)[0]
        size = control & (0x0F if signed else 0x8F)
        if size == 0 or size > nbytes:
            self.pos -= 1
            raise self.fail(f"bad integer control byte 0x{control:02x}")
        value = int.from_bytes(self.take(size), "little")
        return -value if signed and control & 0x80 else value

    def uint(self) -> builtins.int:
        return self.int(signed=False)

    def expect_int(self, allowed: tuple[builtins.int, ...], what: str,
                   nbytes: builtins.int = 4) -> builtins.int:
        start = self.pos
        value = self.int(nbytes)
        if value not in allowed:
            self.pos = start
            raise self.fail(f"{what}: unexpected version {value}")
        return value

    def float(self) -> float:
        if self.pos < len(self.data) and self.data[self.pos] & 0x70:
            raise self.fail("old text-format float (not supported)")
        mantissa = self.int(8)
        exponent = self.int(2)
        if exponent < 32000:
            return math.ldexp(mantissa, exponent)
        return {32000: math.inf, 32001: -math.inf}.get(exponent, math.nan)

    def bool(self) -> bool:
        value = bytes(self.take(1))
        if value not in (b"0", b"1"):
            self.pos -= 1
            raise self.fail(f"bad bool {value!r}")
        return value == b"1"

    def string(self, max_len: builtins.int = 256) -> str:
        length = self.uint()
        if length > max_len:
            raise self.fail(f"implausible string length {length}")
        return bytes(self.take(length)).decode("latin-1")

    def expect_string(self, allowed: tuple[str, ...], what: str) -> str:
        start = self.pos
        value = self.string()
        if value not in allowed:
            self.pos = start
            raise self.fail(f"expected {what} ({'/'.join(allowed)}), found {value!r}")
        return value

    def dims(self) -> tuple[builtins.int, builtins.int, builtins.int, builtins.int]:
        dims = (self.int(8), self.int(8), self.int(8), self.int(8))
        if min(dims) < 0 or math.prod(dims) >= 2**31:
            raise self.fail(f"implausible tensor shape {dims}")
        return dims

    def tensor(self) -> np.ndarray:
        self.expect_int((2,), "tensor")
        dims = self.dims()
        data = self.take(4 * math.prod(dims))
        return np.frombuffer(data, dtype="<f4").reshape(dims)

    def alias_tensor(self) -> tuple[builtins.int, builtins.int, builtins.int, builtins.int]:
        self.expect_int((1,), "alias_tensor")
        return self.dims()


@dataclass
class _Layer:
    """One parsed computational layer, in forward (input to output) order."""

    kind: str
    spec: Spec
    arrays: dict[str, np.ndarray]


def _read_con(r: _Reader, spec: Spec) -> dict[str, np.ndarray]:
    _, filters, size, stride = spec
    padding = 0 if stride != 1 else size // 2
    version = r.expect_string(("con_4", "con_5", "con_6"), "con_")
    params = r.tensor()
    found = (r.int(8), r.int(8), r.int(8), r.int(4), r.int(4), r.int(4), r.int(4))
    if found != (filters, size, size, stride, stride, padding, padding):
        raise r.fail(f"con_ (filters, nr, nc, strides, paddings) {found}, expected "
                     f"{(filters, size, size, stride, stride, padding, padding)}")
    shape = r.alias_tensor()
    bias_shape = r.alias_tensor()
    for _ in range(4):
        r.float()  # learning rate and weight decay multipliers
    use_bias = r.bool() if version in ("con_5", "con_6") else True
    if version == "con_6" and r.bool():
        raise r.fail("con_ with a fused relu (not part of this network)")
    if shape[0] != filters or shape[2:] != (size, size):
        raise r.fail(f"con_ filter shape {shape}")
    count = math.prod(shape)
    expected = count + (filters if use_bias else 0)
    if params.size != expected or (use_bias and math.prod(bias_shape) != filters):
        raise r.fail(f"con_ has {params.size} parameters, expected {expected}")
    flat = params.reshape(-1)
    bias = flat[count:] if use_bias else np.zeros(filters, np.float32)
    return {"w": flat[:count].reshape(shape), "b": bias}


def _read_affine(r: _Reader) -> dict[str, np.ndarray]:
    version = r.expect_string(("affine_", "affine_2"), "affine_")
    params = r.tensor().reshape(-1)
    gamma, beta = r.alias_tensor(), r.alias_tensor()
    mode = r.int(4)
    disabled = r.bool() if version == "affine_2" else False
    if disabled:
        return {}
    channels = math.prod(gamma)
    if mode != 0 or gamma != (1, channels, 1, 1) or beta != gamma or params.size != 2 * channels:
        raise r.fail(f"affine_ mode {mode}, gamma {gamma}, beta {beta}, {params.size} params")
    return {"gamma": params[:channels], "beta": params[channels:]}


def _read_pool(r: _Reader, spec: Spec) -> None:
    kind, size, stride = spec
    r.expect_string((f"{kind}_2",), f"{kind}_")
    padding = 0 if stride != 1 else size // 2
    found = (r.int(8), r.int(8), r.int(4), r.int(4), r.int(4), r.int(4))
    if found != (size, size, stride, stride, padding, padding):
        raise r.fail(f"{kind}_ (nr, nc, strides, paddings) {found}")


def _read_fc(r: _Reader, spec: Spec) -> dict[str, np.ndarray]:
    version = r.expect_string(("fc_2", "fc_3"), "fc_")
    outputs, inputs = r.uint(), r.uint()
    params = r.tensor().reshape(-1)
    weights, _biases = r.alias_tensor(), r.alias_tensor()
    bias_mode = r.int(4)
    for _ in range(4):
        r.float()
    if version == "fc_3":
        r.bool()  # use_bias; fc_no_bias has none either way
    if (outputs != spec[1] or bias_mode != 1 or weights != (inputs, outputs, 1, 1)
            or params.size != inputs * outputs):
        raise r.fail(f"fc_ {inputs}->{outputs}, bias mode {bias_mode}, weights {weights}")
    return {"w": params.reshape(inputs, outputs)}


def _read_details(r: _Reader, spec: Spec) -> dict[str, np.ndarray]:
    kind = spec[0]
    if kind == "con":
        return _read_con(r, spec)
    if kind == "affine":
        return _read_affine(r)
    if kind == "relu":
        version = r.expect_string(("relu_", "relu_2"), "relu_")
        if version == "relu_2" and r.bool():
            raise r.fail("disabled relu_ (not part of this network)")
        return {}
    if kind in ("max_pool", "avg_pool"):
        _read_pool(r, spec)
        return {}
    if kind == "add_prev":
        r.expect_string(("add_prev_",), "add_prev_")
        return {}
    if kind == "fc":
        return _read_fc(r, spec)
    raise AssertionError(kind)


def parse_dat(data: bytes | mmap.mmap, name: str = "model") -> tuple[np.ndarray, list[_Layer]]:
    """(input channel means, layers in forward order) from a .dat file's bytes."""
    r = _Reader(data, name)
    try:
        r.expect_int((1,), "add_loss_layer")
        loss = r.expect_string(("loss_metric_", "loss_metric_2"), "loss_metric_")
    except ModelTruncatedError:
        raise
    except ModelFormatError as error:
        raise ModelFormatError(f"{name}: not a dlib face recognition model "
                               "(it does not start with a loss_metric_ layer)") from error
    if loss == "loss_metric_2":
        r.float()
        r.float()  # margin, distance threshold: training only
    specs = anet_layers()
    versions = []
    for depth, spec in enumerate(specs):
        if spec[0] in ("tag", "skip"):
            allowed: tuple[int, ...] = (1,)
        elif depth == len(specs) - 1:
            allowed = (2, 3)  # the add_layer that sits on the input layer
        else:
            allowed = (1, 2)
        versions.append(r.expect_int(allowed, f"{spec[0]} layer wrapper"))
    r.expect_string(("input_rgb_image_sized",), "input_rgb_image_sized")
    mean = np.array([r.float() for _ in range(3)], dtype=np.float32)
    if (r.uint(), r.uint()) != (CHIP_SIZE, CHIP_SIZE):
        raise r.fail(f"input size is not {CHIP_SIZE}x{CHIP_SIZE}")
    layers = []
    for depth in range(len(specs) - 1, -1, -1):
        spec, version = specs[depth], versions[depth]
        if spec[0] in ("tag", "skip"):
            layers.append(_Layer(spec[0], spec, {}))
            continue
        arrays = _read_details(r, spec)
        for _ in range(3):
            r.bool()  # setup called, gradient stale, output disabled
        r.tensor()  # x_grad
        r.tensor()  # cached_output
        if depth == len(specs) - 1:
            r.tensor()  # grad_final
            if version >= 3:
                r.int(4, signed=False)  # sample expansion factor
        elif version == 2:
            r.tensor()  # params_grad
        layers.append(_Layer(spec[0], spec, arrays))
    if r.pos != len(r.data):
        raise r.fail(f"{len(r.data) - r.pos} unexpected trailing bytes")
    return mean, layers


# ---------------------------------------------------------------------------------------
# Folding into a compact program.

def compile_layers(mean: np.ndarray, layers: list[_Layer]) -> tuple[list[list[Any]], dict]:
    """(program, float32 arrays): affine folded into the conv before it, relu fused.

    Conv weights become (k*k*Cin, Cout) matrices matching an NHWC im2col whose columns run
    (dy, dx, channel); the first conv also absorbs dlib's /256 input scaling (exact: a
    power of two).
    """
    program: list[list[Any]] = []
    arrays: dict[str, np.ndarray] = {"mean": mean.astype(np.float32)}
    i = 0
    while i < len(layers):
        layer = layers[i]
        kind = layer.kind
        if kind == "con":
            # One float32 multiply per weight (correctly rounded, so the same as folding in
            # float64 and rounding), written straight into the (k, k, Cin, Cout) layout.
            weight = layer.arrays["w"]  # (Cout, Cin, k, k)
            cout, cin, size, _ = weight.shape
            scale = np.ones(cout, np.float32)
            bias = layer.arrays["b"].astype(np.float64)
            if i + 1 < len(layers) and layers[i + 1].kind == "affine":
                i += 1
                affine = layers[i].arrays
                if affine:
                    scale = affine["gamma"]
                    bias = bias * affine["gamma"] + affine["beta"]
            if not program:
                scale = scale * np.float32(1 / 256)  # exact: a power of two
            folded = np.empty((size, size, cin, cout), np.float32)
            np.multiply(weight.transpose(2, 3, 1, 0), scale, out=folded)
            relu = i + 1 < len(layers) and layers[i + 1].kind == "relu"
            i += relu
            name = f"conv{sum(op[0] == 'conv' for op in program)}"
            stride = layer.spec[3]
            arrays[name + "w"] = folded.reshape(size * size * cin, cout)
            arrays[name + "b"] = bias.astype(np.float32)
            program.append(["conv", name, size, stride, 0 if stride != 1 else size // 2,
                            bool(relu)])
        elif kind == "affine":
            raise ModelFormatError("affine layer not directly after a conv")
        elif kind in ("max_pool", "avg_pool"):
            program.append([kind, layer.spec[1], layer.spec[2]])
        elif kind == "fc":
            name = "fc"
            arrays[name + "w"] = np.array(layer.arrays["w"], np.float32)  # a copy, not a view
            program.append(["fc", name])
        else:  # relu, tag, skip, add_prev
            program.append([kind, *layer.spec[1:]])
        i += 1
    return program, arrays


# ---------------------------------------------------------------------------------------
# The forward pass (NHWC float32).

def _conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, size: int, stride: int,
          padding: int, relu: bool) -> np.ndarray:
    n, h, w, c = x.shape
    if padding:
        padded = np.zeros((n, h + 2 * padding, w + 2 * padding, c), np.float32)
        padded[:, padding:padding + h, padding:padding + w] = x
        x, h, w = padded, h + 2 * padding, w + 2 * padding
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    sn, sh, sw, sc = x.strides
    windows = as_strided(x, (n, ho, wo, size, size, c),
                         (sn, sh * stride, sw * stride, sh, sw, sc), writeable=False)
    cols = windows.reshape(n * ho * wo, size * size * c)  # the im2col copy
    out = cols @ weight
    out += bias
    if relu:
        np.maximum(out, 0, out=out)
    return out.reshape(n, ho, wo, -1)


def _max_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    _, h, w, _ = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    span_h, span_w = (ho - 1) * stride + 1, (wo - 1) * stride + 1
    out = x[:, :span_h:stride, :span_w:stride].copy()
    for dy in range(size):
        for dx in range(size):
            if dy or dx:
                np.maximum(out, x[:, dy:dy + span_h:stride, dx:dx + span_w:stride], out=out)
    return out


def _avg_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Window mean summed in row-major order and divided by its size, as dlib does."""
    _, h, w, _ = x.shape
    if size == 0:  # avg_pool_everything
        size_h, size_w, stride = h, w, 1
    else:
        size_h = size_w = size
    ho, wo = (h - size_h) // stride + 1, (w - size_w) // stride + 1
    span_h, span_w = (ho - 1) * stride + 1, (wo - 1) * stride + 1
    out = x[:, :span_h:stride, :span_w:stride].copy()
    for dy in range(size_h):
        for dx in range(size_w):
            if dy or dx:
                out += x[:, dy:dy + span_h:stride, dx:dx + span_w:stride]
    out /= np.float32(size_h * size_w)
    return out


def _add_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's tt::add(dest, a, b): the larger shape, each input zero-padded at the end."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, np.float32)
    out[tuple(slice(0, d) for d in a.shape)] = a
    out[tuple(slice(0, d) for d in b.shape)] += b
    return out


class FaceNet:
    """dlib's face recognition ResNet v1 on numpy/OpenBLAS.

    Holds only read-only weights and allocates its scratch per call, so one instance may be
    called from several threads at once (numpy releases the GIL in the matmuls).
    """

    def __init__(self, program: list[list[Any]], arrays: dict[str, np.ndarray]) -> None:
        self.program = program
        self.arrays = arrays
        self.mean = arrays["mean"].astype(np.float32)

    def descriptors(self, chips: np.ndarray) -> np.ndarray:
        """(N, 128) float64 descriptors of (N, 150, 150, 3) uint8 RGB face chips."""
        chips = np.asarray(chips)
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"expected (N, {CHIP_SIZE}, {CHIP_SIZE}, 3) RGB chips, "
                             f"got {chips.shape}")
        if chips.dtype != np.uint8:
            raise ValueError(f"expected uint8 chips, got {chips.dtype}")
        if not len(chips):
            return np.zeros((0, 128))
        x = chips.astype(np.float32)
        x -= self.mean  # as dlib: (pixel - mean) in float; the /256 is in the first conv
        tags: dict[int, np.ndarray] = {}
        arrays = self.arrays
        for op in self.program:
            kind = op[0]
            if kind == "conv":
                _, name, size, stride, padding, relu = op
                x = _conv(x, arrays[name + "w"], arrays[name + "b"], size, stride, padding,
                          relu)
            elif kind == "relu":
                shared = any(x is t for t in tags.values())  # never overwrite a tag's tensor
                x = np.maximum(x, 0) if shared else np.maximum(x, 0, out=x)
            elif kind == "max_pool":
                x = _max_pool(x, op[1], op[2])
            elif kind == "avg_pool":
                x = _avg_pool(x, op[1], op[2])
            elif kind == "tag":
                tags[op[1]] = x
            elif kind == "skip":
                x = tags[op[1]]
            elif kind == "add_prev":
                x = _add_padded(x, tags[op[1]])
            elif kind == "fc":
                x = x.reshape(len(x), -1) @ arrays[op[1] + "w"]
            else:
                raise AssertionError(kind)
        return x.astype(np.float64)

    def descriptor(self, chip: np.ndarray) -> np.ndarray:
        """The (128,) float64 descriptor of one 150x150x3 uint8 RGB face chip."""
        return self.descriptors(np.asarray(chip)[None])[0]

    def encode(self, rgb: np.ndarray, shape: Any) -> np.ndarray:
        """What dlib's compute_face_descriptor(rgb, shape, 1) returns, for a dlib
        full_object_detection (5- or 68-point) on an RGB uint8 image."""
        return self.descriptor(face_chip(rgb, shape))


def face_chip(rgb: np.ndarray, shape: Any) -> np.ndarray:
    """The aligned 150x150 chip compute_face_descriptor feeds its network."""
    import dlib

    return dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=CHIP_PADDING)


# ---------------------------------------------------------------------------------------
# Loading.

def convert(model_path: str | os.PathLike[str]) -> tuple[list[list[Any]], dict]:
    """Parse and fold a dlib .dat file: (program, arrays)."""
    path = Path(model_path)
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size == 0:
                raise ModelFormatError(f"{path}: the file is empty")
            # Mapped, not read: the parsed tensors are views of the file until folded, so
            # the 22 MB never sit on the heap.
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as error:
        raise ModelFormatError(f"{path}: cannot read ({error.strerror})") from error
    try:
        mean, layers = parse_dat(mapped, path.name)
        result = compile_layers(mean, layers)
        del mean, layers
    finally:
        with contextlib.suppress(BufferError):  # a view survived an error: GC unmaps it
            mapped.close()
    return result


def load(model_path: str | os.PathLike[str] | None = None) -> FaceNet:
    """The network from a dlib .dat file (default: face_recognition_models' v1 model).

    Parsing and folding take ~30 ms (the tensors are raw float32), so nothing is cached.
    """
    if model_path is None:
        model_path = model_file("dlib_face_recognition_resnet_model_v1.dat")
    return FaceNet(*convert(Path(model_path)))
