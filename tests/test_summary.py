"""snippets.summary on real torch modules and Keras models: every number is checked against
what the framework itself reports or does (parameter counts, FlopCounterMode, gradients)."""

import os
import subprocess
import sys
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from snippets.cost import transposed_macs  # noqa: E402
from snippets.graph import graph_spans  # noqa: E402
from snippets.summary import format_summary, read, summary  # noqa: E402

pytestmark = pytest.mark.parity


class Block(nn.Module):
    """A residual block written as readers write them: ``out += x`` inside ``forward``."""

    def __init__(self, channels: int, dilation: int = 2):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.bn = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.bn(self.conv(x))
        out += x
        return self.relu(out)


def small_torch(pool: type = nn.MaxPool2d) -> nn.Module:
    """conv k3 s2 p1, a dilated residual block, a 2x2 pool, ConvTranspose2d k4 s2 p1."""
    model = nn.Sequential()
    model.add_module(
        "stem", nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.ReLU(inplace=True))
    )
    model.add_module("block", Block(32))
    model.add_module("pool", pool(2))
    model.add_module("up", nn.ConvTranspose2d(32, 16, 4, 2, 1))
    return model


def small_keras() -> keras.Model:
    """The same network in Keras: explicit padding where PyTorch's differs from 'same'."""
    layers = keras.layers
    image = keras.Input((16, 16, 3))
    x = layers.ZeroPadding2D(1)(image)
    x = layers.Conv2D(32, 3, strides=2)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    y = layers.BatchNormalization()(layers.Conv2D(32, 3, padding="same", dilation_rate=2)(x))
    x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2DTranspose(16, 4, strides=2, padding="same")(x)
    return keras.Model(image, x)


def layer_rows(result):
    """The rows that hold a layer (not padding, not a block's own row), as comparable tuples."""
    return [
        (row.output_shape, row.params, row.non_trainable, row.macs, row.field)
        for row in result.rows
        if not row.kind.startswith(("ZeroPadding", "Sequential", "Block"))
    ]


def test_a_torch_module_and_its_keras_twin_summarise_alike():
    torch_rows = layer_rows(summary(small_torch(), (16, 16, 3)))
    keras_rows = layer_rows(summary(small_keras()))
    assert torch_rows == keras_rows
    assert len(torch_rows) == 9


def test_parameter_totals_equal_the_frameworks_counts():
    module, model = small_torch(), small_keras()
    from_torch, from_keras = summary(module, (16, 16, 3)), summary(model)
    assert from_torch.params == sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for name, b in module.named_buffers() if "running" in name)
    assert from_torch.non_trainable == buffers
    assert from_keras.total_params == model.count_params()
    assert from_keras.params == sum(w.numpy().size for w in model.trainable_weights)


def flop_counter_macs(module: nn.Module, shape) -> int:
    """MACs as FlopCounterMode counts them: it reports 2 FLOPs per multiply-accumulate."""
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(torch.zeros(1, shape[-1], *shape[:-1]))
    return counter.get_total_flops() // 2


def test_macs_equal_flop_counter_mode_and_the_transposed_arithmetic():
    module = small_torch()
    result = summary(module, (16, 16, 3))
    assert result.macs == flop_counter_macs(module.eval(), (16, 16, 3))
    up = next(row for row in result.rows if row.name == "up")
    assert up.macs == transposed_macs((4, 4, 32), 16, 4, 2, 1)
    # torchinfo 1.8.0 counts the transposed layer per *output* position: 4x as many here
    assert up.macs * 4 == 8 * 8 * 32 * 16 * 16


def measured_span(module: nn.Module, shape, output_index) -> tuple[tuple[int, int], ...]:
    """The input indices whose gradient reaches one output value (float64, positive weights,
    so no contribution cancels), per spatial axis."""
    module = module.double().eval()
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.rand_like(parameter) + 0.5)
    x = torch.rand(1, shape[-1], *shape[:-1], dtype=torch.float64, requires_grad=True)
    out = module(x)
    out[(0, 0, *output_index)].backward()
    reached = x.grad[0].abs().sum(0).nonzero()
    return tuple((int(reached[:, a].min()), int(reached[:, a].max())) for a in range(len(shape) - 1))


@pytest.mark.parametrize("index", [(0, 0), (1, 1), (2, 3), (5, 6), (7, 7)])
def test_receptive_fields_equal_back_propagation_for_every_phase(index):
    shape = (16, 16, 3)
    module = small_torch(pool=nn.AvgPool2d)  # max pooling passes a gradient to one input only
    graph = read(module, shape)
    spans = graph_spans(graph)[-1][0]
    clip = [
        (max(s.lo_at(o), 0), min(s.hi_at(o), n - 1)) for s, o, n in zip(spans, index, shape[:-1], strict=True)
    ]
    assert measured_span(module, shape, index) == tuple(clip)


def wav2vec2_encoder() -> nn.Module:
    """wav2vec 2.0's feature encoder: seven Conv1d of 512 channels, GroupNorm after the first."""
    layers = []
    for index, (kernel, stride) in enumerate(zip((10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2), strict=True)):
        block = [nn.Conv1d(1 if index == 0 else 512, 512, kernel, stride, bias=False)]
        block += [nn.GroupNorm(512, 512)] if index == 0 else []
        layers.append(nn.Sequential(*block, nn.GELU()))
    return nn.Sequential(*layers)


def test_wav2vec2_feature_encoder_gives_the_published_field_and_stride():
    result = summary(wav2vec2_encoder(), (16000, 1))
    last = result.rows[-1]
    assert last.output_shape == (49, 512)
    assert (
        last.field[0].size == 400 and last.field[0].stride == 320
    )  # Baevski et al. 2020: 25 ms, 20 ms at 16 kHz


def test_a_three_d_model_reads_in_every_axis():
    module = nn.Sequential(nn.Conv3d(1, 8, 3, stride=(1, 2, 2), padding=1), nn.ReLU(), nn.MaxPool3d(2))
    result = summary(module, (8, 16, 16, 1))
    assert result.rows[-1].output_shape == (4, 4, 4, 8)
    assert result.params == sum(p.numel() for p in module.parameters())
    assert [f.stride for f in result.rows[-1].field] == [2, 4, 4]


class Branches(nn.Module):
    """Two branches concatenated: the field is the wider branch's."""

    def __init__(self):
        super().__init__()
        self.narrow = nn.Conv2d(3, 4, 3, padding=1)
        self.wide = nn.Conv2d(3, 4, 5, padding=2)

    def forward(self, x):
        return torch.cat([self.narrow(x), self.wide(x)], dim=1)


def test_concatenated_branches_take_the_largest_field():
    result = summary(Branches(), (8, 8, 3))
    cat = result.rows[-1]
    assert cat.kind == "Concat" and cat.output_shape == (8, 8, 8)
    assert cat.field[0].size == 5 and cat.aligned


class Misaligned(nn.Module):
    """Two stride-2 paths whose fields start at different places (padding 0 against 1)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.b = nn.Conv2d(3, 4, 2, stride=2, padding=0)

    def forward(self, x):
        return self.a(x) + self.b(x)


def test_misaligned_paths_are_marked_and_united():
    result = summary(Misaligned(), (8, 8, 3))
    add = result.rows[-1]
    assert not add.aligned
    assert add.field[0].size == 3 and add.field[0].padding == 1  # [-1, 1] united with [0, 1]
    assert "3*" in format_summary(result)


class Unknown(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.mix = nn.Parameter(torch.ones(4, 4))
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        x = torch.einsum("bchw,cd->bdhw", self.conv(x), self.mix)
        return self.head(x)


def test_an_unknown_operation_is_listed_with_its_shape_and_counted():
    result = summary(Unknown(), (8, 8, 3))
    unknown = [row for row in result.rows if not row.known]
    assert [row.kind for row in unknown] == ["Unknown (einsum)"]
    assert unknown[0].output_shape == (6, 6, 4) and unknown[0].params == 16
    assert result.rows[-1].field is None and result.rows[-1].macs == 6 * 6 * 4 * 2
    assert result.params == sum(p.numel() for p in Unknown().parameters())
    assert "Unknown layers:" in format_summary(result)


def test_import_snippets_needs_numpy_only():
    code = "import sys, snippets, snippets.summary; print(sorted({'torch', 'keras'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_prints_the_table_of_a_factory(tmp_path):
    (tmp_path / "mymodels.py").write_text(
        textwrap.dedent(
            """
            from torch import nn

            def tiny():
                return nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
            """
        )
    )
    command = [sys.executable, "-m", "snippets.summary", "mymodels:tiny", "--input", "8,8,3"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        import mymodels

        expected = format_summary(summary(mymodels.tiny(), (8, 8, 3)), depth=1)
    finally:
        sys.path.remove(str(tmp_path))
    assert out.stdout.strip() == expected.strip()
    assert "Trainable params:" in out.stdout and "1,514" in out.stdout


@pytest.mark.parametrize(
    ("model", "shape", "error", "words"),
    [
        (object(), None, TypeError, "model must be"),
        (nn.Conv2d(3, 4, 3), None, ValueError, "input_shape is needed"),
        (nn.Conv2d(3, 4, 3), (8, 8), ValueError, "input_shape"),
        (nn.Conv2d(3, 4, 3), (8, 0, 3), ValueError, "input_shape"),
    ],
)
def test_bad_arguments_are_named(model, shape, error, words):
    with pytest.raises((error, TypeError), match=words):
        summary(model, shape)
