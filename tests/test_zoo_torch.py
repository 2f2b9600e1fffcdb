"""The plain ``torch.nn`` networks of ``snippets.zoo.torch_models`` against published figures and the specs.

* Every factory builds and runs forward on zeros of batch 1, giving the output shape of its
  reference implementation.
* Parameter counts equal the published ones (torchvision's documentation) and the totals of
  the ``snippets.networks`` specs; for VGG16, ResNet-50 and MobileNetV1 every convolution,
  linear and BatchNorm module has the path, parameter count and output shape of the spec's
  row of the same name, and MobileNetV1's padding is Keras' 'same' (``padding_amounts``).
* Layout details the counts cannot see: ResNeXt's groups and widths, MobileNetV2's table of
  blocks and its residual connections, ConvNeXt's stages, layer scale, stochastic depth and
  LayerNorm2d, the wav2vec 2.0 encoder's frame rate and receptive field.
* ``import snippets`` (and ``snippets.zoo``) leaves torch unimported.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
import torch
from torch import nn

from snippets import networks
from snippets.networks import BatchNorm, Conv, ConvTranspose, Network, Pool, Residual, summary
from snippets.receptive import Field, LayerGeometry, receptive_field
from snippets.shapes import conv_output_shape, padding_amounts
from snippets.zoo import torch_models as zoo

# Published parameter counts (trainable parameters; BatchNorm statistics are buffers).
PUBLISHED_PARAMS = {
    "vgg16": 138_357_544,  # torchvision docs, VGG16_Weights.IMAGENET1K_V1, num_params
    "resnet50": 25_557_032,  # torchvision docs, ResNet50_Weights.IMAGENET1K_V1, num_params
    "resnext50_32x4d": 25_028_904,  # torchvision docs, ResNeXt50_32X4D_Weights.IMAGENET1K_V1, num_params
    "mobilenet_v2": 3_504_872,  # torchvision docs, MobileNet_V2_Weights.IMAGENET1K_V1, num_params
    "convnext_tiny": 28_589_128,  # torchvision docs, ConvNeXt_Tiny_Weights.IMAGENET1K_V1, num_params
}
# Inputs (batch 1, channels first) for the forward passes: 224 only where the net needs it
# (VGG16's fc1 reads a 7x7x512 map); the others pool globally and take any multiple of 32.
INPUTS: dict[str, tuple[int, ...]] = {
    "vgg16": (3, 224, 224),
    "resnet50": (3, 64, 64),
    "resnext50_32x4d": (3, 64, 64),
    "mobilenet_v1": (3, 64, 64),
    "mobilenet_v2": (3, 64, 64),
    "convnext_tiny": (3, 64, 64),
}
CLASSIFIERS = list(INPUTS)
SPECS: dict[str, Callable[[], Network]] = {
    "vgg16": networks.vgg16,
    "resnet50": networks.resnet50,
    "mobilenet_v1": networks.mobilenet_v1,
}
_built: dict[str, nn.Module] = {}


def built(name: str) -> nn.Module:
    """The model of factory ``name`` with default arguments, built once for the whole file."""
    if name not in _built:
        torch.manual_seed(0)
        _built[name] = getattr(zoo, name)()
    return _built[name]


def count(module: nn.Module) -> int:
    """Trainable parameters of ``module``: what torchvision's ``num_params`` counts."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def run(model: nn.Module, shape: tuple[int, ...]) -> torch.Tensor:
    """``model`` in eval mode on zeros of batch 1 and ``shape``, without gradients."""
    model.eval()
    with torch.no_grad():
        return model(torch.zeros((1, *shape)))


def channels_last(shape: torch.Size) -> tuple[int, ...]:
    """A ``(1, C, *spatial)`` or ``(1, features)`` shape as the summaries write it."""
    dims = tuple(shape[1:])
    return dims if len(dims) == 1 else (*dims[1:], dims[0])


def test_import_snippets_leaves_torch_out() -> None:
    code = "import sys, snippets, snippets.zoo, snippets.summary; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifier_forward(name: str) -> None:
    out = run(built(name), INPUTS[name])
    assert tuple(out.shape) == (1, 1000)


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v1", "mobilenet_v2", "convnext_tiny"])
def test_classes_sets_the_classifier(name: str) -> None:
    model = getattr(zoo, name)(classes=7)
    assert tuple(run(model, INPUTS[name]).shape) == (1, 7)
    linear = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
    # the classifier is the only layer that changes: 1000 - 7 rows of weights and biases fewer
    assert count(built(name)) - count(model) == (1000 - 7) * (linear.weight[0].numel() + 1)


@pytest.mark.parametrize("classes", [0, -3, 2.5, True])
def test_classes_refused(classes) -> None:
    with pytest.raises(ValueError, match=r"classes must be a positive int, got"):
        zoo.resnet50(classes=classes)


@pytest.mark.parametrize("name", list(PUBLISHED_PARAMS))
def test_published_parameter_counts(name: str) -> None:
    assert count(built(name)) == PUBLISHED_PARAMS[name]


@pytest.mark.parametrize("name", list(SPECS))
def test_parameter_count_equals_the_spec(name: str) -> None:
    assert count(built(name)) == summary(SPECS[name]()).params


# --- layer by layer against the specs ----------------------------------------------------------

_COUNTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm2d)


def layer_outputs(model: nn.Module, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """The channels-last output shape of every convolution, linear and BatchNorm module of
    ``model`` run on zeros of ``shape`` (channels first), by module path."""
    shapes: dict[str, tuple[int, ...]] = {}
    handles = [
        module.register_forward_hook(
            lambda _m, _i, out, path=path: shapes.__setitem__(path, channels_last(out.shape))
        )
        for path, module in model.named_modules()
        if isinstance(module, _COUNTED)
    ]
    try:
        run(model, shape)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def spec_layers(spec: Network) -> dict[str, networks.Row]:
    """The spec's leaf rows of convolutions, dense layers and BatchNorms, by name."""
    kinds = ("Conv", "DWConv", "SepConv", "ConvT", "Dense", "BatchNorm")
    return {row.name: row for row in summary(spec).rows if row.kind.startswith(kinds)}


def spec_of_small_model() -> Network:
    """The summariser page's demo model written as a spec, named as the torch module's paths."""
    main = (Conv(32, 3, padding=2, dilation=2, name="conv"), BatchNorm(name="bn"))
    layers = (
        Conv(32, 3, 2, padding=1, name="stem.conv"),
        BatchNorm(name="stem.bn", activation="relu"),
        Residual(main, name="block", activation="relu"),
        Pool(2, name="pool"),
        ConvTranspose(16, 4, 2, padding=1, name="up"),
    )
    return Network("small model", (16, 16, 3), layers)


LAYERED = {**SPECS, "small_model": spec_of_small_model}


@pytest.mark.parametrize("name", list(LAYERED))
def test_every_layer_matches_the_spec_row_of_its_name(name: str) -> None:
    spec = LAYERED[name]()
    model = built(name)
    height, width, channels = spec.input_shape
    outputs = layer_outputs(model, (channels, height, width))
    rows = spec_layers(spec)
    modules = dict(model.named_modules())
    assert set(outputs) == set(rows)  # the same layers under the same names, none missing
    for path, row in rows.items():
        assert (path, count(modules[path])) == (path, row.params)
        assert (path, outputs[path]) == (path, row.output_shape)


@pytest.mark.parametrize(
    ("name", "activation", "after"),
    [("vgg16", nn.ReLU, (nn.Conv2d, nn.Linear)), ("mobilenet_v1", nn.ReLU6, (nn.BatchNorm2d,))],
)
def test_keras_activations_follow_their_layer(name: str, activation: type, after: tuple) -> None:
    """Keras' names: ``<layer>_relu`` right after each convolution and dense layer (VGG16,
    all but ``predictions``), ``<conv>_relu`` after each BatchNorm ``<conv>_bn``
    (MobileNetV1), and no activation elsewhere."""
    children = list(built(name).named_children())
    follows = [
        (path, type(nxt), nxt_path)
        for (path, module), (nxt_path, nxt) in zip(children, children[1:], strict=False)
        if isinstance(module, after) and path != "predictions"
    ]
    expected = [f"{path.removesuffix('_bn')}_relu" for path, _, _ in follows]
    assert follows == [(path, activation, relu) for (path, _, _), relu in zip(follows, expected, strict=True)]
    expected = set(expected)
    assert {path for path, m in children if isinstance(m, activation)} == expected
    assert len(expected) == sum(isinstance(m, after) for _, m in children) - (name == "vgg16")


def test_small_model_block_adds_then_relu() -> None:
    """``relu(bn(conv(x)) + x)``: with ``bn`` zeroed the block gives ``relu(x)``."""
    block = zoo.SmallModel().block.eval()
    nn.init.zeros_(block.bn.weight)
    x = torch.randn(1, 32, 6, 6)
    with torch.no_grad():
        assert torch.equal(block(x.clone()), torch.relu(x))


def test_small_model_output() -> None:
    out = run(built("small_model"), (3, 16, 16))
    assert channels_last(out.shape) == summary(spec_of_small_model()).output_shape
    assert count(built("small_model")) == summary(spec_of_small_model()).params


def test_mobilenet_v1_pads_as_keras_same() -> None:
    """Every convolution's zeros (a ZeroPad2d before it plus its own padding) equal Keras'
    'same' amounts on its input, so shapes and receptive fields are Keras'."""
    model = built("mobilenet_v1")
    inputs: dict[str, tuple[int, ...]] = {}
    children = list(model.named_children())
    handles = [
        module.register_forward_pre_hook(
            lambda _m, args, path=path: inputs.__setitem__(path, channels_last(args[0].shape))
        )
        for path, module in children
    ]
    try:
        run(model, (3, 224, 224))
    finally:
        for handle in handles:
            handle.remove()
    checked = 0
    for index, (path, conv) in enumerate(children):
        if not isinstance(conv, nn.Conv2d) or conv.kernel_size == (1, 1):
            continue
        previous_path, previous = children[index - 1]
        extra = previous.padding if isinstance(previous, nn.ZeroPad2d) else (0, 0, 0, 0)
        seen = inputs[previous_path] if isinstance(previous, nn.ZeroPad2d) else inputs[path]
        left, right, top, bottom = extra
        ph, pw = conv.padding
        ours = ((top + ph, bottom + ph), (left + pw, right + pw))
        layer = "depthwise" if conv.groups > 1 else "conv"
        keras = padding_amounts(seen, conv.kernel_size, conv.stride, "same", layer=layer)
        assert (path, ours) == (path, keras)
        checked += 1
    assert checked == 14  # conv1 and the 13 depthwise layers


# --- layout details -----------------------------------------------------------------------------


def test_resnext_is_resnet50_with_grouped_3x3() -> None:
    resnet, resnext = dict(built("resnet50").named_modules()), dict(built("resnext50_32x4d").named_modules())
    assert list(resnet) == list(resnext)  # torchvision's paths, one layout
    grouped = {path: m for path, m in resnext.items() if path.endswith("conv2") and "layer" in path}
    assert len(grouped) == 16
    for path, conv in grouped.items():
        planes = resnet[path].out_channels  # ResNet-50's width is planes
        # Xie et al. 2017, Table 1: ResNeXt-50 (32x4d) convolutions of 128, 256, 512, 1024 in 32 groups
        assert (path, conv.groups, conv.out_channels) == (path, 32, 2 * planes)


def test_resnet_bottleneck_adds_then_relu() -> None:
    """``relu(bn3(conv3(...)) + shortcut)``: with bn3 zeroed the block gives ``relu(x)``."""
    block = zoo.Bottleneck(256, 64).eval()
    nn.init.zeros_(block.bn3.weight)
    x = torch.randn(2, 256, 5, 5)
    with torch.no_grad():
        assert torch.equal(block(x.clone()), torch.relu(x))


# Sandler et al. 2018, Table 2: (expansion t, channels c, repeats n, first stride s).
MOBILENET_V2_TABLE = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1)]
MOBILENET_V2_TABLE += [(6, 160, 3, 2), (6, 320, 1, 1)]


def test_mobilenet_v2_layout() -> None:
    model = built("mobilenet_v2")
    features = model.features
    assert len(features) == 19
    stem, head = features[0], features[18]
    assert [type(m) for m in stem] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU6]
    assert (stem[0].out_channels, stem[0].stride) == (32, (2, 2))
    assert (head[0].kernel_size, head[0].out_channels) == ((1, 1), 1280)  # Table 2: conv2d 1x1, 1280
    assert isinstance(model.classifier[0], nn.Dropout) and model.classifier[0].p == 0.2
    torch.manual_seed(0)
    index, channels = 1, 32
    for t, c, n, s in MOBILENET_V2_TABLE:
        for repeat in range(n):
            block = features[index].eval()
            depthwise = block.conv[-3][0]
            stride = s if repeat == 0 else 1
            assert (index, depthwise.groups, depthwise.stride) == (index, channels * t, (stride, stride))
            assert block.conv[-2].out_channels == c
            x = torch.randn(1, channels, 8, 8)
            with torch.no_grad():
                difference = block(x) - block.conv(x)
            added = difference.shape == x.shape and torch.allclose(difference, x)
            assert (index, added) == (index, stride == 1 and channels == c)  # residual when shapes agree
            index, channels = index + 1, c
    assert index == 18


def test_convnext_tiny_layout() -> None:
    model = built("convnext_tiny")
    features = model.features
    # Liu et al. 2022, section 3 (the variants): ConvNeXt-T, C = (96, 192, 384, 768), B = (3, 3, 9, 3)
    assert [len(features[i]) for i in (1, 3, 5, 7)] == [3, 3, 9, 3]
    assert [features[i][0].block[0].in_channels for i in (1, 3, 5, 7)] == [96, 192, 384, 768]
    assert [type(m) for m in features[0]] == [nn.Conv2d, zoo.LayerNorm2d]
    for i in (2, 4, 6):
        norm, conv = features[i]
        assert isinstance(norm, zoo.LayerNorm2d)
        assert (conv.kernel_size, conv.stride, conv.out_channels) == ((2, 2), (2, 2), 2 * conv.in_channels)
    blocks = [m for m in model.modules() if isinstance(m, zoo.CNBlock)]
    for block in blocks:
        dim = block.block[0].in_channels
        assert block.layer_scale.shape == (dim, 1, 1)
        assert torch.all(block.layer_scale == torch.tensor(1e-6))
    # torchvision: stochastic depth rising linearly from 0 to 0.1 over the 18 blocks
    assert blocks[0].stochastic_depth.p == 0.0 and blocks[-1].stochastic_depth.p == pytest.approx(0.1)


def test_cnblock_adds_its_input() -> None:
    """``layer_scale * block(x) + x``: with the layer scale zeroed the block gives ``x``;
    with it at 1, ``block(x) + x``."""
    torch.manual_seed(0)
    block = zoo.CNBlock(8, 0.0, 0.5).eval()
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        assert torch.equal(block(x), x)
        nn.init.ones_(block.layer_scale)
        torch.testing.assert_close(block(x), block.block(x) + x)


def test_layer_norm_2d_normalises_each_position_over_channels() -> None:
    torch.manual_seed(0)
    norm = zoo.LayerNorm2d(6, eps=1e-6)
    nn.init.normal_(norm.weight)
    nn.init.normal_(norm.bias)
    x = torch.randn(2, 6, 3, 4)
    mean = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, unbiased=False, keepdim=True)
    expected = (x - mean) / torch.sqrt(var + 1e-6) * norm.weight[:, None, None] + norm.bias[:, None, None]
    torch.testing.assert_close(norm(x), expected)


def test_stochastic_depth() -> None:
    drop = zoo.StochasticDepth(0.5)
    x = torch.ones(200, 3, 2, 2)
    assert drop.eval()(x) is x
    torch.manual_seed(0)
    out = drop.train()(x)
    per_sample = out.flatten(1)
    kept = per_sample[:, 0]
    assert torch.all(per_sample == kept[:, None])  # one draw per sample ("row" mode)
    assert set(kept.tolist()) == {0.0, 2.0}  # dropped, or kept and divided by 1 - p
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got 1.5"):
        zoo.StochasticDepth(1.5)


def test_wav2vec2_feature_encoder() -> None:
    model = built("wav2vec2_feature_encoder")
    out = run(model, (1, 16000))
    convs = [layer[0] for layer in model.conv_layers]
    # Baevski et al. 2020, section 4.2: "an encoder output frequency of 49 hz": one second at 16 kHz
    assert tuple(out.shape) == (1, 512, 49)
    shape: tuple[int, ...] = (16000, 1)
    for conv in convs:
        shape = conv_output_shape(shape, conv.out_channels, conv.kernel_size, conv.stride)
    assert shape == (49, 512)
    # ibid.: "a stride of about 20ms" (320 samples) and "a receptive field of 400 input samples"
    field = receptive_field([LayerGeometry(conv.kernel_size[0], conv.stride[0]) for conv in convs])
    assert field == Field(400, 320, 0)
    assert all(conv.bias is None for conv in convs)
    assert isinstance(model.conv_layers[0][2], nn.GroupNorm)  # fairseq's paths: conv_layers.0.2 the norm
    assert not any(isinstance(m, nn.GroupNorm) for layer in model.conv_layers[1:] for m in layer)
    assert all(isinstance(layer[-1], nn.GELU) for layer in model.conv_layers)
