"""The case-study networks written in plain torch.nn and in Keras, summarised by
snippets.summary: equal to the Network specs layer by layer, their totals equal to the
frameworks' own counts and FlopCounterMode, and to the figures their sources publish."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from snippets import networks  # noqa: E402
from snippets.summary import summary  # noqa: E402
from snippets.zoo import keras_models, torch_models  # noqa: E402

pytestmark = pytest.mark.parity

WEIGHTED = ("Conv ", "DWConv ", "SepConv ", "ConvT ", "Dense")


def numbers(row):
    """What must agree; a global pool's ``(1, 1, C)`` (torch, keepdims) equals the spec's ``(C,)``."""
    shape = tuple(n for n in row.output_shape[:-1] if n != 1) + row.output_shape[-1:]
    return (shape, row.params, row.non_trainable, row.macs, row.field)


def spec_for(name: str) -> networks.Network | None:
    factory = getattr(networks, name, None)
    return factory() if factory is not None else None


TORCH_NETWORKS = ["vgg16", "resnet50", "mobilenet_v1", "mobilenet_v2", "resnext50_32x4d", "convnext_tiny"]


@pytest.fixture(scope="module", params=TORCH_NETWORKS)
def torch_case(request):
    module = getattr(torch_models, request.param)().eval()
    return request.param, module, summary(module, (224, 224, 3))


def test_torch_rows_equal_the_spec_rows_of_the_same_name(torch_case):
    name, _, result = torch_case
    spec = spec_for(name)
    if spec is None:
        pytest.fail(f"snippets.networks has no {name}() spec to compare with")
    by_name = {row.name: row for row in result.rows}
    spec_rows = [row for row in summary(spec).rows if row.kind != "Flatten"]
    missing = [row.name for row in spec_rows if row.name not in by_name]
    assert not missing, f"{name}: torch rows missing for spec rows {missing[:5]}"
    for row in spec_rows:
        assert numbers(by_name[row.name]) == numbers(row), row.name
    assert result.params == summary(spec).params
    assert result.non_trainable == summary(spec).non_trainable


def test_torch_totals_equal_torchs_count_and_flop_counter(torch_case):
    _, module, result = torch_case
    assert result.params == sum(p.numel() for p in module.parameters())
    assert result.unknown == 0
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(torch.zeros(1, 3, 224, 224))
    assert result.macs == counter.get_total_flops() // 2  # it counts 2 FLOPs per multiply-accumulate


KERAS_SPECS = {  # keras.applications (untrained) or the Keras zoo, and the spec of the same layout
    "VGG16": networks.vgg16,
    "MobileNet": networks.mobilenet_v1,
    "ResNet50": lambda: networks.resnet50(stride_in="1x1", use_bias=True),
    "MobileNetV2": lambda: networks.mobilenet_v2(padding="keras"),
    "ConvNeXtTiny": networks.convnext_tiny,
}
# ConvNeXtTiny's preprocessing Normalization layer is no part of the spec
KERAS_OPTIONS = {"ConvNeXtTiny": {"include_preprocessing": False}}


def keras_model(name: str):
    """keras.applications' model of that name, else the Keras zoo's (ResNeXt has none in Keras)."""
    if name == "resnext50_32x4d":
        return keras_models.resnext50_32x4d()
    build = getattr(keras.applications, name)
    return build(weights=None, input_shape=(224, 224, 3), **KERAS_OPTIONS.get(name, {}))


KERAS_SPECS["resnext50_32x4d"] = networks.resnext50_32x4d


@pytest.mark.parametrize("name", sorted(KERAS_SPECS))
def test_keras_models_equal_the_specs(name):
    model = keras_model(name)
    result = summary(model)
    spec = summary(KERAS_SPECS[name]())
    assert result.total_params == model.count_params() == spec.total_params
    assert result.macs == spec.macs
    assert result.unknown == 0
    ours = sorted(numbers(row) for row in result.rows if row.kind.startswith(WEIGHTED))
    theirs = sorted(numbers(row) for row in spec.rows if row.kind.startswith(WEIGHTED))
    assert ours == theirs
    assert result.rows[-1].field == spec.rows[-1].field


def test_keras_and_torchvision_mobilenet_v2_fields_differ_by_the_padding_before():
    """Keras pads a stride-2 3x3 layer 0 before and 1 after, torchvision 1 and 1: the last
    field starts one input step of every stride-2 layer later (1 + 2 + 4 + 8 + 16)."""
    torchvision = summary(networks.mobilenet_v2()).rows[-1].field
    keras_layout = summary(networks.mobilenet_v2(padding="keras")).rows[-1].field
    strides = [1]
    for _, _, _, stride in networks.MOBILENET_V2_STAGES:
        if stride == 2:
            strides.append(strides[-1] * 2)
    assert [f.size for f in torchvision] == [f.size for f in keras_layout]
    assert [t.padding - k.padding for t, k in zip(torchvision, keras_layout, strict=True)] == [
        sum(strides)
    ] * 2
