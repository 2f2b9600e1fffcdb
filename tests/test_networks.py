"""The network specs of ``snippets.networks`` against the same networks built in plain torch.nn.

* Shapes, parameters and MACs: every row of a summary is compared with the torch module of
  the same name (forward hooks on the ``meta`` device: shapes without arithmetic), and the
  totals with the whole model. The torch models are written here by hand, layer by layer,
  after torchvision's and Keras' code; they share nothing with the specs.
* Receptive fields are measured, not recomputed: with ReLU and BatchNorm replaced by the
  identity, max-pooling by average-pooling and every weight set to ``1 / fan_in`` (positive,
  so no sum cancels to a false zero, in float64 so nothing underflows), the network is
  linear with positive coefficients, and an input pixel has a nonzero gradient with respect
  to one output position exactly when it lies in that position's receptive field. Channel
  widths are divided (the field does not depend on them) to keep this fast.
* Published totals (papers, framework documentation, ``keras.applications``) are compared
  with ours.
"""

from __future__ import annotations

import math
import os
import re
from collections import OrderedDict
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.multiprocessing.reductions import StorageWeakRef  # noqa: E402
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402
from torch.utils._pytree import tree_flatten  # noqa: E402

from snippets import networks  # noqa: E402
from snippets.networks import PUBLISHED, summary  # noqa: E402
from tools.docblocks import find_examples  # noqa: E402

# --- the reference networks in plain torch.nn --------------------------------------------------


class Parts:
    """Module factories: the real ones, or the linear stand-ins used to measure fields."""

    def __init__(self, linear: bool = False, div: int = 1, pad_layers: bool = True):
        # pad_layers=False: MobileNet's strided convs pad symmetrically (padding=1) instead of
        # through a ZeroPad2d copy; the shapes are the same, the padded copies are gone
        self.linear, self.div, self.pad_layers = linear, div, pad_layers

    def c(self, channels: int) -> int:
        return max(1, channels // self.div)

    def act(self) -> nn.Module:
        return nn.Identity() if self.linear else nn.ReLU(inplace=True)

    def norm(self, channels: int) -> nn.Module:
        return nn.Identity() if self.linear else nn.BatchNorm2d(channels)

    def max_pool(self, kernel: int, stride: int, padding: int = 0) -> nn.Module:
        pool = nn.AvgPool2d if self.linear else nn.MaxPool2d
        return pool(kernel, stride, padding)


def torch_vgg16(parts: Parts, classes: int = 1000, size: int = 224) -> nn.Module:
    c = parts.c
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = 3
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for i in range(1, convs + 1):
            layers[f"block{block}_conv{i}"] = nn.Conv2d(c_in, c(filters), 3, padding=1)
            layers[f"block{block}_relu{i}"] = parts.act()
            c_in = c(filters)
        layers[f"block{block}_pool"] = parts.max_pool(2, 2)
    layers["flatten"] = nn.Flatten()
    layers["fc1"] = nn.Linear(c_in * (size // 32) ** 2, c(4096))
    layers["fc1_relu"] = parts.act()
    layers["fc2"] = nn.Linear(c(4096), c(4096))
    layers["fc2_relu"] = parts.act()
    layers["predictions"] = nn.Linear(c(4096), classes)
    return nn.Sequential(layers)


class Bottleneck(nn.Module):
    """torchvision.models.resnet.Bottleneck; ``stride_in="1x1"`` moves the stride to conv1 (the paper)."""

    def __init__(self, parts: Parts, c_in: int, width: int, stride: int, downsample: bool, stride_in: str):
        super().__init__()
        s1, s3 = (stride, 1) if stride_in == "1x1" else (1, stride)
        self.conv1 = nn.Conv2d(c_in, width, 1, s1, bias=False)
        self.bn1 = parts.norm(width)
        self.conv2 = nn.Conv2d(width, width, 3, s3, padding=1, bias=False)
        self.bn2 = parts.norm(width)
        self.conv3 = nn.Conv2d(width, 4 * width, 1, bias=False)
        self.bn3 = parts.norm(4 * width)
        self.relu = parts.act()
        self.downsample = None
        if downsample:
            self.downsample = nn.Sequential(
                nn.Conv2d(c_in, 4 * width, 1, stride, bias=False), parts.norm(4 * width)
            )

    def forward(self, x):
        # torchvision's code, statement by statement: the main path, then the shortcut, added
        # in place (each statement drops the previous tensor, so the memory test sees when)
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)
        out = self.conv3(out)
        out = self.bn3(out)
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class ResNet50(nn.Module):
    """torchvision.models.resnet50, written out."""

    def __init__(self, parts: Parts, classes: int = 1000, stride_in: str = "3x3"):
        super().__init__()
        c = parts.c
        self.conv1 = nn.Conv2d(3, c(64), 7, 2, padding=3, bias=False)
        self.bn1 = parts.norm(c(64))
        self.relu = parts.act()
        self.maxpool = parts.max_pool(3, 2, 1)
        c_in = c(64)
        for stage, (width, blocks, stride) in enumerate(
            [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1
        ):
            units = []
            for index in range(blocks):
                first = index == 0
                units.append(Bottleneck(parts, c_in, c(width), stride if first else 1, first, stride_in))
                c_in = 4 * c(width)
            setattr(self, f"layer{stage}", nn.Sequential(*units))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, classes)

    def forward(self, x):
        # block by block: calling a stage's nn.Sequential would keep the stage's input alive
        # (its argument) until the stage ends, which the memory test does not model
        for layer in (self.conv1, self.bn1, self.relu, self.maxpool):
            x = layer(x)
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            for block in stage:
                x = block(x)
        x = self.avgpool(x)
        return self.fc(torch.flatten(x, 1))


def torch_mobilenet_v1(parts: Parts, classes: int = 1000) -> nn.Module:
    """keras.applications.MobileNet (alpha 1): 'same' at stride 2 is ZeroPadding (0, 1) + 'valid'."""
    c = parts.c
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    pad = parts.pad_layers
    if pad:
        layers["conv1_pad"] = nn.ZeroPad2d((0, 1, 0, 1))
    layers["conv1"] = nn.Conv2d(3, c(32), 3, 2, padding=0 if pad else 1, bias=False)
    layers["conv1_bn"] = parts.norm(c(32))
    layers["conv1_relu"] = parts.act()
    c_in = c(32)
    plan = (
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    )
    for block, (filters, stride) in enumerate(plan, 1):
        if stride == 2 and pad:
            layers[f"conv_pad_{block}"] = nn.ZeroPad2d((0, 1, 0, 1))
        layers[f"conv_dw_{block}"] = nn.Conv2d(
            c_in, c_in, 3, stride, padding=1 if stride == 1 or not pad else 0, groups=c_in, bias=False
        )
        layers[f"conv_dw_{block}_bn"] = parts.norm(c_in)
        layers[f"conv_dw_{block}_relu"] = parts.act()
        layers[f"conv_pw_{block}"] = nn.Conv2d(c_in, c(filters), 1, bias=False)
        layers[f"conv_pw_{block}_bn"] = parts.norm(c(filters))
        layers[f"conv_pw_{block}_relu"] = parts.act()
        c_in = c(filters)
    layers["global_average_pooling2d"] = nn.AdaptiveAvgPool2d(1)
    layers["conv_preds"] = nn.Conv2d(c_in, classes, 1)
    layers["reshape_2"] = nn.Flatten()
    return nn.Sequential(layers)


def torch_context_module(parts: Parts, channels: int = 21) -> nn.Module:
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for i, d in enumerate([1, 1, 2, 4, 8, 16, 1], 1):
        layers[f"ctx_conv{i}"] = nn.Conv2d(parts.c(channels), parts.c(channels), 3, padding=d, dilation=d)
        layers[f"ctx_relu{i}"] = parts.act()
    layers["ctx_final"] = nn.Conv2d(parts.c(channels), parts.c(channels), 1)
    return nn.Sequential(layers)


def torch_encoder_decoder(parts: Parts, classes: int = 2, channels: int = 3) -> nn.Module:
    c = parts.c
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = channels

    def stage(filters, tag):
        nonlocal c_in
        for i in (1, 2):
            layers[f"{tag}_conv{i}"] = nn.Conv2d(c_in, c(filters), 3, padding=1, bias=False)
            layers[f"{tag}_bn{i}"] = parts.norm(c(filters))
            layers[f"{tag}_relu{i}"] = parts.act()
            c_in = c(filters)

    stage(32, "enc1")
    layers["enc1_pool"] = parts.max_pool(2, 2)
    stage(64, "enc2")
    layers["enc2_pool"] = parts.max_pool(2, 2)
    stage(128, "middle")
    layers["up1"] = nn.ConvTranspose2d(c_in, c(64), 2, 2)
    c_in = c(64)
    stage(64, "dec1")
    layers["up2"] = nn.ConvTranspose2d(c_in, c(32), 2, 2)
    c_in = c(32)
    stage(32, "dec2")
    layers["head"] = nn.Conv2d(c_in, classes, 1)
    return nn.Sequential(layers)


CASES = {
    "vgg16": (networks.vgg16(), lambda parts: torch_vgg16(parts)),
    "resnet50": (networks.resnet50(), lambda parts: ResNet50(parts)),
    "resnet50-v1": (networks.resnet50(stride_in="1x1"), lambda parts: ResNet50(parts, stride_in="1x1")),
    "mobilenet_v1": (networks.mobilenet_v1(), lambda parts: torch_mobilenet_v1(parts)),
    "context_module": (networks.context_module(), lambda parts: torch_context_module(parts)),
    "encoder_decoder": (networks.encoder_decoder(), lambda parts: torch_encoder_decoder(parts)),
}


# --- shapes, parameters, MACs ----------------------------------------------------------------


def hwc(shape: torch.Size) -> tuple[int, ...]:
    """A torch output shape (batch first, NCHW) in the specs' channels-last form."""
    return (shape[2], shape[3], shape[1]) if len(shape) == 4 else tuple(shape[1:])


def torch_macs(module: nn.Module, x: torch.Tensor, out: torch.Tensor) -> int:
    """Multiply-accumulates of one module, from the shapes torch saw (batch of 1)."""
    if isinstance(module, nn.ConvTranspose2d):
        kh, kw = module.kernel_size
        return x[0].numel() * module.out_channels // module.groups * kh * kw
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return out[0].numel() * module.in_channels // module.groups * kh * kw
    if isinstance(module, nn.Linear):
        return module.in_features * module.out_features
    return 0


def run_on_meta(model: nn.Module, input_shape) -> dict[str, tuple]:
    """name -> (output shape HWC, trainable params, buffers, MACs) of every named module."""
    seen = {}
    hooks = [
        module.register_forward_hook(
            lambda m, args, out, name=name: seen.__setitem__(
                name, (hwc(out.shape), torch_macs(m, args[0], out))
            )
        )
        for name, module in model.named_modules()
        if name
    ]
    h, w, c = input_shape
    model.eval()(torch.zeros(1, c, h, w, device="meta"))
    for hook in hooks:
        hook.remove()
    found = {}
    for name, module in model.named_modules():
        if name in seen:
            params = sum(p.numel() for p in module.parameters())
            stats = sum(
                b.numel() for n, b in module.named_buffers() if n.rsplit(".", 1)[-1].startswith("running_")
            )
            macs = sum(seen[n][1] for n, _ in module.named_modules(prefix=name) if n in seen)
            found[name] = (seen[name][0], params, stats, macs)
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_every_layer_matches_torch(case: str) -> None:
    network, build = CASES[case]
    with torch.device("meta"):
        model = build(Parts())
    result = summary(network)
    found = run_on_meta(model, network.input_shape)
    for row in result.rows:
        assert row.name in found, f"{case}: no torch module named {row.name}"
        shape, params, stats, macs = found[row.name]
        if len(row.output_shape) == 1:  # flat: torch may keep (C, 1, 1)
            assert math.prod(shape) == row.output_shape[0], row.name
        else:
            assert shape == row.output_shape, row.name
        assert (params, stats, macs) == (row.params, row.non_trainable, row.macs), row.name
    # every torch module with weights is described by a row, so the totals agree too
    weighted = {n for n, m in model.named_modules() if any(True for _ in m.parameters(recurse=False))}
    rows = {row.name for row in result.rows}
    assert {n for n in weighted if not any(n == r or n.startswith(r + ".") for r in rows)} == set()
    assert result.params == sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for n, b in model.named_buffers() if n.rsplit(".", 1)[-1].startswith("running_"))
    assert result.non_trainable == stats
    leaves = {n for n, m in model.named_modules() if not any(True for _ in m.children())}
    assert result.macs == sum(found[n][3] for n in found if n in leaves)


# --- receptive fields, measured ----------------------------------------------------------------

RESNET_ENDS = ("conv1", "maxpool", "layer1.2", "layer2.3", "layer3.5", "layer4.2", "avgpool", "fc")
MOBILENET_ENDS = (
    "conv1",
    *(f"conv_pw_{i}" for i in (1, 3, 5, 11, 13)),
    "global_average_pooling2d",
    "conv_preds",
)
# network -> divisor of the channel widths; whether the input size is fixed (VGG16's fc1
# expects 7x7 maps) or may grow until the fields fit; the rows measured (None: every row)
RF_CASES = {
    "vgg16": (16, True, None),
    "resnet50": (64, False, RESNET_ENDS),
    "resnet50-v1": (64, False, RESNET_ENDS),
    "mobilenet_v1": (32, False, MOBILENET_ENDS),
    "context_module": (21, False, None),
    "encoder_decoder": (128, False, None),
}


def spatial(row: networks.Row) -> bool:
    return len(row.output_shape) == 3 and row.output_shape[0] > 1


def large_enough(network: networks.Network) -> tuple[int, int, int]:
    """The smallest square input (the network's own size plus multiples of 32) on which the
    central output of every spatial layer has its whole receptive field inside the image, so
    the measured extent is the field itself, not the field clipped by the border. Layers pooled
    or flattened to one value see the whole image: their field is compared clipped."""
    h, w, c = network.input_shape
    size = max(h, w)
    while not all(interval(row, size)[2] for row in summary(network, (size, size, c)).rows if spatial(row)):
        size += 32
    return (size, size, c)


def interval(row: networks.Row, size: int) -> tuple[int, int, bool]:
    """Rows of the input the central output of ``row`` sees, by the summary's field
    (start ``i S - P``, length ``r``), clipped to the image; and whether it fitted unclipped."""
    field = row.field[0]
    center = row.output_shape[0] // 2 if len(row.output_shape) == 3 else 0
    start = center * field.stride - field.padding
    end = start + field.size - 1
    return max(start, 0), min(end, size - 1), start >= 0 and end <= size - 1


def positive_linear(model: nn.Module) -> nn.Module:
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                module.weight.fill_(1.0 / module.weight[0].numel())
                if module.bias is not None:
                    module.bias.zero_()
    return model.double().eval()


@pytest.mark.parametrize("case", list(RF_CASES))
def test_receptive_fields_by_gradient(case: str) -> None:
    network, build = CASES[case]
    div, fixed, measured = RF_CASES[case]
    model = positive_linear(build(Parts(linear=True, div=div)))
    shape = network.input_shape if fixed else large_enough(network)
    rows = [row for row in summary(network, shape).rows if row.depth == 0]
    if measured is not None:
        assert {row.name for row in rows} >= set(measured)
        rows = [row for row in rows if row.name in measured]
    assert all(interval(row, shape[0])[2] for row in rows if spatial(row)), "input too small"
    outputs = {}
    modules = dict(model.named_modules())
    for row in rows:
        modules[row.name].register_forward_hook(
            lambda m, a, out, name=row.name: outputs.__setitem__(name, out)
        )
    h, w, _ = shape
    c = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels  # widths divided too
    x = torch.ones(1, c, h, w, dtype=torch.float64, requires_grad=True)
    model(x)
    after_transposed, period = False, 1
    layers = {layer.name: layer for layer in network.layers}
    for row in rows:
        out = outputs[row.name]
        after_transposed |= row.kind.startswith("ConvT")
        if row.kind.startswith("ConvT"):
            period *= layers[row.name].stride
        centers = (
            [out.shape[2] // 2 + i for i in range(period)] if out.dim() == 4 and after_transposed else None
        )
        extents = []
        for center in centers or [out.shape[2] // 2 if out.dim() == 4 else None]:
            target = out[0].sum() if center is None else out[0, :, center, out.shape[3] // 2].sum()
            (grad,) = torch.autograd.grad(target, x, retain_graph=True)
            seen = grad[0].abs().sum(0) != 0
            rows_seen = seen.any(1).nonzero().flatten()
            extents.append((int(rows_seen[0]), int(rows_seen[-1])))
        if after_transposed:  # the field is the largest over one period of output phases
            assert max(e[1] - e[0] + 1 for e in extents) == row.field[0].size, row.name
        else:
            start, end, _ = interval(row, h)
            assert extents[0] == (start, end), (row.name, extents[0], (start, end), row.field[0])


def test_resnet_fields_of_both_layouts() -> None:
    """The original layout (stride in the 1x1) sees more: the following 3x3 works at the coarser stride."""
    ends = ["maxpool", "layer1.2", "layer2.3", "layer3.5", "layer4.2"]
    fields = {
        layout: {
            r.name: r.field[0].size
            for r in summary(networks.resnet50(stride_in=layout)).rows
            if r.name in ends
        }
        for layout in ("3x3", "1x1")
    }
    v15, v1 = (list(fields[layout].values()) for layout in ("3x3", "1x1"))
    assert v15[:2] == v1[:2]  # conv2_x has stride 1: no difference
    assert all(a < b for a, b in zip(v15[2:], v1[2:], strict=True))
    assert (v15[-1], v1[-1]) == (427, 483)


# --- activation memory, measured ---------------------------------------------------------------


def weight_storages(model: nn.Module) -> set[int]:
    return {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}


class LiveStorages(TorchDispatchMode):
    """After every aten operation, the bytes of the tensor storages still referenced (weights
    and buffers left out); ``peak`` is the largest. A storage is alive while any tensor or
    view of it is: this sees what PyTorch frees, not what the allocator caches, and not the
    scratch space an operation allocates and frees inside itself (im2col buffers)."""

    def __init__(self, model: nn.Module, x: torch.Tensor):
        super().__init__()
        self.weights = weight_storages(model)
        self.alive: dict[int, tuple[StorageWeakRef, int]] = {}
        self.track(x)
        self.peak = self.total()

    def track(self, tensor: torch.Tensor) -> None:
        storage = tensor.untyped_storage()
        key = storage.data_ptr()
        if key in self.weights or storage.nbytes() == 0:
            return
        known = self.alive.get(key)
        if known is None or known[0].expired():
            self.alive[key] = (StorageWeakRef(storage), storage.nbytes())

    def total(self) -> int:
        return sum(size for ref, size in self.alive.values() if not ref.expired())

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in tree_flatten(out)[0]:
            if isinstance(tensor, torch.Tensor):
                self.track(tensor)
        self.peak = max(self.peak, self.total())
        return out


def measured_inference_peak(model: nn.Module, x: torch.Tensor) -> int:
    """The most activation memory alive at once in ``model.eval()(x)`` under ``no_grad``."""
    tracker = LiveStorages(model, x)
    with torch.no_grad(), tracker:
        model.eval()(x)
    return tracker.peak


def measured_saved_bytes(model: nn.Module, x: torch.Tensor) -> int:
    """Bytes of the distinct storages autograd saves for backward in ``model.train()(x)``
    (weights and buffers left out), seen by ``torch.autograd.graph.saved_tensors_hooks``."""
    weights, saved = weight_storages(model), {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in weights:
            saved[storage.data_ptr()] = (storage.nbytes(), tensor)  # held: addresses stay unique
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model.train()(x)
    return sum(size for size, _ in saved.values())


@pytest.mark.parametrize("case", list(CASES))
def test_activation_memory_as_torch_measures_it(case: str) -> None:
    """Both figures of ``summary`` equal what the torch twin holds (MobileNet padded by its
    convolutions, not by ZeroPad2d copies: the shapes, and so the model, are the same)."""
    network, build = CASES[case]
    model = build(Parts(pad_layers=False))
    h, w, c = network.input_shape
    x = torch.rand(1, c, h, w)
    ours = summary(network)
    assert measured_inference_peak(model, x) == ours.inference_peak_bytes
    assert measured_saved_bytes(model, x) == ours.training_bytes


def test_mobilenet_zero_padding_copies() -> None:
    """Keras' MobileNet (and the torch twin as Keras builds it) pads the input of each strided
    layer into a new tensor one row and column larger, ``4 (H + 1)(W + 1) C`` bytes, which
    the strided convolution then keeps for backward instead of its unpadded input (which the
    ReLU before it keeps anyway, except for the image)."""
    network = networks.mobilenet_v1()
    result = summary(network)
    h, w, c = network.input_shape
    x = torch.rand(1, c, h, w)
    build = CASES["mobilenet_v1"][1]
    extra = measured_saved_bytes(build(Parts()), x) - measured_saved_bytes(build(Parts(pad_layers=False)), x)
    inputs = [result.input_shape, *(row.output_shape for row in result.top)]
    strided = [inputs[i] for i, layer in enumerate(network.layers) if getattr(layer, "stride", 1) == 2]
    assert len(strided) == 5
    # the first copy replaces the image itself, which nothing else keeps
    assert extra == sum(4 * (h + 1) * (w + 1) * c for h, w, c in strided) - 4 * h * w * c


# --- published totals ---------------------------------------------------------------------------


def test_published_totals() -> None:
    vgg = summary(networks.vgg16())
    assert vgg.params == PUBLISHED["vgg16.params"].value
    assert round(vgg.params, -6) == PUBLISHED["vgg16.params.paper"].value
    assert round(vgg.macs, -7) == PUBLISHED["vgg16.macs"].value
    resnet = summary(networks.resnet50())
    assert resnet.params == PUBLISHED["resnet50.params"].value
    assert round(resnet.macs, -7) == PUBLISHED["resnet50.macs"].value
    original = summary(networks.resnet50(stride_in="1x1"))
    # the paper prints 3.8 x 10^9: our 3.86 x 10^9 truncated to two digits, not rounded
    assert math.floor(original.macs / 1e8) * 10**8 == PUBLISHED["resnet50.macs.paper"].value
    keras_layout = summary(networks.resnet50(stride_in="1x1", use_bias=True))
    assert keras_layout.total_params == PUBLISHED["resnet50.keras.total"].value
    mobile = summary(networks.mobilenet_v1())
    assert mobile.params == PUBLISHED["mobilenet.trainable"].value
    assert mobile.total_params == PUBLISHED["mobilenet.total"].value
    without_bn = mobile.params - mobile.non_trainable  # BN's gamma and beta are as many as its statistics
    assert round(without_bn, -5) == PUBLISHED["mobilenet.params.paper"].value
    assert round(mobile.macs, -6) == PUBLISHED["mobilenet.macs.paper"].value
    mobile_v2 = summary(networks.mobilenet_v2())
    assert mobile_v2.params == PUBLISHED["mobilenet_v2.params"].value
    assert round(mobile_v2.macs, -7) == PUBLISHED["mobilenet_v2.macs"].value
    assert round(mobile_v2.macs, -7) == PUBLISHED["mobilenet_v2.macs.paper"].value
    # 3.4M is neither count rounded (3.50M, 3.47M without BN's gamma and beta): the weights truncated
    weights_only = mobile_v2.params - mobile_v2.non_trainable
    assert round(mobile_v2.params, -5) != PUBLISHED["mobilenet_v2.params.paper"].value
    assert math.floor(weights_only / 1e5) * 10**5 == PUBLISHED["mobilenet_v2.params.paper"].value
    resnext = summary(networks.resnext50_32x4d())
    assert resnext.params == PUBLISHED["resnext50.params"].value
    assert round(resnext.macs, -7) == PUBLISHED["resnext50.macs"].value
    assert round(resnext.params, -5) == PUBLISHED["resnext50.params.paper"].value
    assert round(resnext.macs, -8) == PUBLISHED["resnext50.macs.paper"].value
    convnext = summary(networks.convnext_tiny())
    assert convnext.params == PUBLISHED["convnext_tiny.params"].value
    assert round(convnext.macs, -7) == PUBLISHED["convnext_tiny.macs"].value
    assert round(convnext.params, -6) == PUBLISHED["convnext_tiny.params.paper"].value
    assert round(convnext.macs, -8) == PUBLISHED["convnext_tiny.macs.paper"].value
    context = summary(networks.context_module())
    assert [r.field[0].size for r in context.rows] == [3, 5, 9, 17, 33, 65, 67, 67]
    assert context.rows[-1].field[0].size == PUBLISHED["context.field"].value


def test_keras_applications_agree() -> None:
    """keras.applications builds MobileNet and ResNet50 (weights=None: nothing downloaded)."""
    import keras

    mobile = keras.applications.MobileNet(weights=None)
    layers = {layer.name: layer for layer in mobile.layers}
    result = summary(networks.mobilenet_v1())
    for row in result.rows:
        if row.name in layers:
            layer = layers[row.name]
            assert tuple(layer.output.shape[1:]) == row.output_shape, row.name
            assert layer.count_params() == row.params + row.non_trainable, row.name
    matched = {layer.name for layer in mobile.layers if layer.count_params()} - {r.name for r in result.rows}
    assert matched == set()
    assert mobile.count_params() == result.total_params
    resnet = keras.applications.ResNet50(weights=None)
    assert resnet.count_params() == summary(networks.resnet50(stride_in="1x1", use_bias=True)).total_params


def test_summary_refuses_bad_specs() -> None:
    bad = networks.Network("bad", (8, 8, 3), (networks.Dense(4),))
    with pytest.raises(ValueError, match="Dense needs a flat input"):
        summary(bad)
    mismatch = networks.Residual((networks.Conv(4, 1),), name="block")
    with pytest.raises(ValueError, match="block: the main path gives"):
        summary(networks.Network("bad", (8, 8, 3), (mismatch,)))
    with pytest.raises(TypeError, match="layer must be one of the layer specs"):
        summary(networks.Network("bad", (8, 8, 3), ("conv",)))


# --- units of the published counts ----------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs"
# a plain count (4 or more digits, or digits with thousands separators) labelled with a
# giga unit: "15,470,000,000 GFLOPS" says 1.547e19 operations
COUNT_WITH_GIGA_UNIT = re.compile(r"\b(?:\d{1,3}(?:,\d{3})+|\d{4,})(?:\.\d+)?\s*G(?:FLOPS?|FLOPs?|MACs?)\b")


def output_blocks() -> list[tuple[str, int, str]]:
    """(page, line, text) of every output block of every page under docs/."""
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        for example in find_examples(page.read_text("utf8")):
            if example.output is not None:
                blocks.append((str(page.relative_to(DOCS)), example.output.line, example.output.body))
    return blocks


def test_no_output_labels_a_count_with_a_giga_unit() -> None:
    found = [
        f"{page}:{line}: {match[0]!r}"
        for page, line, body in output_blocks()
        for match in COUNT_WITH_GIGA_UNIT.finditer(body)
    ]
    assert found == []
    # and the published labels themselves say what is counted, not a scaled unit
    assert [key for key, p in PUBLISHED.items() if "FLOP" in p.what.split("(")[0]] == []


def test_published_macs_are_shown_as_giga_macs() -> None:
    pages = {page: body for page, _, body in output_blocks()}
    vgg = "".join(body for page, _, body in output_blocks() if page == "case-studies/vgg16.md")
    resnet = "".join(body for page, _, body in output_blocks() if page == "case-studies/resnet50.md")
    assert pages
    assert "15.47 GMACs (torchvision's 'GFLOPS')" in vgg
    assert "4.09 GMACs (torchvision's 'GFLOPS')" in resnet
    assert PUBLISHED["vgg16.macs"].text == "15.47 GMACs (torchvision's 'GFLOPS')"


# --- the modern networks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [networks.vgg16, networks.resnet50, networks.mobilenet_v2, networks.convnext_tiny]
)
def test_where_weights_go_adds_up_to_the_totals(make) -> None:
    result = summary(make())
    groups = networks.where_weights_go(result)
    assert sum(params for params, _ in groups.values()) == result.params
    assert sum(macs for _, macs in groups.values()) == result.macs
    assert list(groups)[-1] == "other"
    macs = [m for group, (_, m) in groups.items() if group != "other"]
    assert macs == sorted(macs, reverse=True)


def test_weight_groups_of_the_summary_types() -> None:
    group = networks.weight_group
    assert [
        group(k) for k in ("Conv 1x1", "Conv 1x1 s2", "Conv 3x3", "DWConv 7x7", "Dense", "BatchNorm")
    ] == [
        "pointwise 1x1",
        "pointwise 1x1",
        "spatial conv",
        "depthwise",
        "dense",
        None,
    ]


def test_layer_norm_and_layer_scale_count_channels_at_any_rank() -> None:
    for shape in ((50, 8), (7, 7, 8), (3, 4, 5, 8)):
        assert networks.layer_numbers(networks.LayerNorm(), shape) == (shape, 16, 0, 0)
        assert networks.layer_numbers(networks.LayerScale(), shape) == (shape, 8, 0, 0)


def test_modern_network_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"padding must be 'torchvision' or 'keras', got 'tf'"):
        networks.mobilenet_v2(padding="tf")
    with pytest.raises(ValueError, match=r"kernel_size must be an odd number >= 1, got 4"):
        networks.convnext_tiny(kernel_size=4)
    with pytest.raises(ValueError, match=r"depths must be four block counts >= 1"):
        networks.convnext_tiny(depths=(3, 3, 9))


def test_a_grouped_bottleneck_is_cheaper_in_its_3x3_than_resnets() -> None:
    """ResNeXt's 3x3 at twice the width with 32 groups holds an eighth of ResNet-50's 3x3."""
    ours = {row.name: row for row in summary(networks.resnext50_32x4d()).rows}
    theirs = {row.name: row for row in summary(networks.resnet50()).rows}
    for stage in range(1, 5):
        name = f"layer{stage}.1.conv2"
        assert ours[name].output_shape[-1] == 2 * theirs[name].output_shape[-1]
        assert 8 * ours[name].params == theirs[name].params
