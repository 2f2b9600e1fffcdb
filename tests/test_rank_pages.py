"""The figures of the 1-D and 3-D pages (docs/further/ranks.md, the wav2vec 2.0, WaveNet and
3D U-Net case studies): each published figure, written once below with its source, equals what
``snippets`` computes from the paper's layer list, and appears in what the page's code prints.
The 3D U-Net count is checked a second time on the network built in plain ``torch.nn``."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch import nn

from snippets import (
    LayerGeometry,
    conv,
    conv_output_shape,
    count_conv_params,
    padding_amounts,
    receptive_field,
    receptive_fields,
    transposed_output_shape,
)
from tools import docblocks

# --- published figures -------------------------------------------------------------------------

# Baevski et al., "wav2vec 2.0" (NeurIPS 2020), section 4.2: the feature encoder's output has a
# frequency of 49 Hz, a stride of about 20 ms and a receptive field of 400 input samples, 25 ms
# of 16 kHz audio.
WAV2VEC2_FRAMES_PER_SECOND = 49
WAV2VEC2_FIELD_SAMPLES = 400
WAV2VEC2_STRIDE_SAMPLES = 320
WAV2VEC2_FIELD_MS = 25
WAV2VEC2_STRIDE_MS = 20
# van den Oord et al., "WaveNet" (2016), section 2.1: each 1, 2, ..., 512 block has a
# receptive field of 1024.
WAVENET_BLOCK_FIELD = 1024
# Çiçek et al., "3D U-Net" (MICCAI 2016), section 2: 19,069,955 parameters; input
# 132x132x116 voxels with 3 channels, output 44x44x28 (3 labels).
UNET3D_PARAMS = 19_069_955
UNET3D_INPUT = (132, 132, 116, 3)
UNET3D_OUTPUT = (44, 44, 28, 3)

# --- the layer lists, as the papers describe them ---------------------------------------------

WAV2VEC2_KERNELS = (10, 3, 3, 3, 3, 2, 2)
WAV2VEC2_STRIDES = (5, 2, 2, 2, 2, 2, 2)
SAMPLE_RATE = 16_000
WAVENET_BLOCK = [LayerGeometry(2, dilation=2**i) for i in range(10)]
UNET3D_ENCODER = [(3, 32, 64), (64, 64, 128), (128, 128, 256), (256, 256, 512)]  # in, mid, out
UNET3D_UPS = (512, 256, 128)


def page_output(page: str) -> str:
    """Everything the page's output blocks show."""
    text = (docblocks.DOCS / page).read_text("utf8")
    return "".join(example.output.body for example in docblocks.find_examples(text) if example.output)


# --- wav2vec 2.0 -------------------------------------------------------------------------------


def wav2vec2_field():
    return receptive_field(
        LayerGeometry(k, s) for k, s in zip(WAV2VEC2_KERNELS, WAV2VEC2_STRIDES, strict=True)
    )


def test_wav2vec2_field_and_stride_are_the_papers() -> None:
    field = wav2vec2_field()
    assert (field.size, field.stride) == (WAV2VEC2_FIELD_SAMPLES, WAV2VEC2_STRIDE_SAMPLES)
    assert 1000 * field.size / SAMPLE_RATE == WAV2VEC2_FIELD_MS
    assert 1000 * field.stride / SAMPLE_RATE == WAV2VEC2_STRIDE_MS
    shown = page_output("case-studies/wav2vec2.md")
    assert f"receptive field: {field.size} samples = {WAV2VEC2_FIELD_MS} ms" in shown
    assert f"stride: {field.stride} samples = {WAV2VEC2_STRIDE_MS} ms" in shown


def test_wav2vec2_one_second_gives_the_frames_of_the_whole_stack_formula() -> None:
    shape = (SAMPLE_RATE, 1)
    for kernel, stride in zip(WAV2VEC2_KERNELS, WAV2VEC2_STRIDES, strict=True):
        shape = conv_output_shape(shape, 512, kernel, stride, "valid")
    field = wav2vec2_field()
    assert shape[0] == (SAMPLE_RATE - field.size) // field.stride + 1 == WAV2VEC2_FRAMES_PER_SECOND
    assert f"1 s of audio: 16,000 samples -> {shape[0]} frames" in page_output("case-studies/wav2vec2.md")


def test_wav2vec2_encoder_parameters_match_torch() -> None:
    """fairseq's default mode: Conv1d without bias, one GroupNorm(512, 512) after the first."""
    channels_in = (1,) + (512,) * 6
    layers: list[nn.Module] = []
    for index, (c, k, s) in enumerate(zip(channels_in, WAV2VEC2_KERNELS, WAV2VEC2_STRIDES, strict=True)):
        layers.append(nn.Conv1d(c, 512, k, stride=s, bias=False))
        if index == 0:
            layers.append(nn.GroupNorm(512, 512, affine=True))
        layers.append(nn.GELU())
    encoder = nn.Sequential(*layers)
    ours = sum(
        count_conv_params(c, 512, k, False, rank=1)
        for c, k in zip(channels_in, WAV2VEC2_KERNELS, strict=True)
    )
    assert sum(p.numel() for p in encoder.parameters()) == ours + 2 * 512
    assert tuple(encoder(torch.zeros(1, 1, SAMPLE_RATE)).shape) == (1, 512, 49)
    assert f"with the first block's group norm: {ours + 1024:>9,}" in page_output("case-studies/wav2vec2.md")


# --- WaveNet -------------------------------------------------------------------------------------


def test_wavenet_block_field_is_the_papers() -> None:
    assert receptive_field(WAVENET_BLOCK).size == WAVENET_BLOCK_FIELD
    assert "dilation 512: field 1024" in page_output("case-studies/wavenet.md")


def test_wavenet_three_blocks_add_1023_each() -> None:
    three = receptive_field(WAVENET_BLOCK * 3).size
    assert three == 1 + 3 * (WAVENET_BLOCK_FIELD - 1) < 3 * WAVENET_BLOCK_FIELD
    assert receptive_field([LayerGeometry(2), *WAVENET_BLOCK * 3]).size == three + 1
    shown = page_output("case-studies/wavenet.md")
    assert f"field {three:,} samples" in shown
    assert f"kernel 2: {three + 1:,} samples" in shown


def test_receptive_fields_formula_for_causal_stacks() -> None:
    """r = 1 + sum (k - 1) d at stride 1, against the zeros causal padding puts in front."""
    stack = [LayerGeometry(k, dilation=d) for k, d in [(2, 1), (3, 2), (5, 4), (2, 8)]]
    expected = 1 + sum((layer.kernel_size - 1) * layer.dilation for layer in stack)
    assert receptive_field(stack).size == expected
    fronts = [
        padding_amounts((100, 1), layer.kernel_size, 1, "causal", dilation=layer.dilation) for layer in stack
    ]
    assert sum(front[0][0] for front in fronts) == expected - 1
    assert all(front[0][1] == 0 for front in fronts)


# --- causal padding ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kernel", "rate"), [(2, 1), (3, 2), (5, 3)])
def test_causal_outputs_do_not_see_the_future(kernel: int, rate: int) -> None:
    rng = np.random.default_rng(kernel * 10 + rate)
    x = rng.standard_normal((40, 3))
    weights = rng.standard_normal((kernel, 3, 2))
    assert padding_amounts(x.shape, kernel, 1, "causal", dilation=rate) == ((rate * (kernel - 1), 0),)
    base = conv(x, weights, padding="causal", dilation=rate)
    assert base.shape == (40, 2)
    for t in (0, 17, 38):
        changed = x.copy()
        changed[t + 1 :] += 1.0
        after = conv(changed, weights, padding="causal", dilation=rate)
        assert np.array_equal(base[: t + 1], after[: t + 1])
        assert not np.allclose(base[t + 1 :], after[t + 1 :])  # the test can fail: later outputs move


def test_same_padding_sees_the_future_and_the_page_says_so() -> None:
    rng = np.random.default_rng(0)
    x, weights = rng.standard_normal((32, 4)), rng.standard_normal((3, 4, 8))
    changed = x.copy()
    changed[21:] += 1.0
    before, after = (conv(v, weights, padding="same", dilation=2) for v in (x, changed))
    assert not np.array_equal(before[:21], after[:21])
    shown = page_output("further/ranks.md")
    assert "'causal': output length 32, outputs 0..20 unchanged: True" in shown
    assert "'same': output length 32, outputs 0..20 unchanged: False" in shown


def test_causal_padding_is_refused_outside_1d() -> None:
    with pytest.raises(ValueError, match="'causal' exists only in 1-D"):
        padding_amounts((8, 8, 3), 3, 1, "causal")


# --- R(2+1)D -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [64, 128, 256, 512])
def test_r2plus1d_matches_the_full_kernel_for_equal_channels(channels: int) -> None:
    t, d = 3, 3
    m = (t * d * d * channels * channels) // (d * d * channels + t * channels)
    full = count_conv_params(channels, channels, 3, False, rank=3)
    split = count_conv_params(channels, m, (1, 3, 3), False) + count_conv_params(
        m, channels, (3, 1, 1), False
    )
    assert full == split
    assert f"{full:>12,} {split:>10,}" in page_output("further/ranks.md")


# --- 3D U-Net ------------------------------------------------------------------------------------


def unet3d_shape(shapes: list | None = None) -> tuple[int, ...]:
    """The output of 132x132x116x3 through valid 3x3x3 convs, 2x2x2 pools and up-convs; each
    layer's output (pools, up-convs and concatenations included) is appended to ``shapes``."""
    shapes = [] if shapes is None else shapes
    shape, skips = UNET3D_INPUT, []
    for level, (_, mid, out) in enumerate(UNET3D_ENCODER):
        for filters in (mid, out):
            shape = conv_output_shape(shape, filters, 3, 1, "valid")
            shapes.append(shape)
        if level < 3:
            skips.append(shape)
            assert all(n % 2 == 0 for n in shape[:-1])  # max pooling drops nothing
            shape = conv_output_shape(shape, shape[-1], 2, 2, "valid")
            shapes.append(shape)
    for c in UNET3D_UPS:
        shape = transposed_output_shape(shape, c, 2, 2, "valid")
        shapes.append(shape)
        skip = skips.pop()
        assert all(s >= n and (s - n) % 2 == 0 for s, n in zip(skip[:-1], shape[:-1], strict=True))
        shape = (*shape[:-1], c + skip[-1])
        shapes.append(shape)
        for _ in range(2):
            shape = conv_output_shape(shape, c // 2, 3, 1, "valid")
            shapes.append(shape)
    shapes.append(conv_output_shape(shape, 3, 1, 1, "valid"))
    return shapes[-1]


def unet3d_params(conv_bias: bool = True, up_bias: bool = False, bn: bool = False) -> int:
    convs = [(a, b) for a, mid, out in UNET3D_ENCODER for a, b in ((a, mid), (mid, out))]
    convs += [(a, b) for c in UNET3D_UPS for a, b in ((c + c // 2, c // 2), (c // 2, c // 2))]
    total = sum(count_conv_params(a, b, 3, conv_bias, rank=3) for a, b in convs)
    total += sum(count_conv_params(c, c, 2, up_bias, rank=3) for c in UNET3D_UPS)
    total += count_conv_params(64, 3, 1, conv_bias, rank=3)
    return total + (2 * sum(b for _, b in convs) if bn else 0)


def test_unet3d_output_shape_is_the_papers() -> None:
    assert unet3d_shape() == UNET3D_OUTPUT
    final = re.escape(f"{UNET3D_OUTPUT}")
    assert re.search(rf"^final +conv 1x1x1 +{final}", page_output("case-studies/unet3d.md"), re.MULTILINE)


def test_unet3d_count_is_the_papers_in_exactly_one_convention() -> None:
    combos = [(c, u, b) for c in (True, False) for u in (True, False) for b in (True, False)]
    matching = [combo for combo in combos if unet3d_params(*combo) == UNET3D_PARAMS]
    assert matching == [(True, False, False)]
    shown = page_output("case-studies/unet3d.md")
    assert f"BN False: {UNET3D_PARAMS:>10,}  <- the paper's figure" in shown
    assert shown.count("<- the paper's figure") == 1
    assert f"everything counted - paper = {unet3d_params(True, True, True) - UNET3D_PARAMS:,}" in shown


class _DoubleConv(nn.Sequential):
    def __init__(self, c_in: int, c_mid: int, c_out: int, affine: bool) -> None:
        super().__init__(
            nn.Conv3d(c_in, c_mid, 3),
            nn.BatchNorm3d(c_mid, affine=affine),
            nn.ReLU(),
            nn.Conv3d(c_mid, c_out, 3),
            nn.BatchNorm3d(c_out, affine=affine),
            nn.ReLU(),
        )


class TorchUNet3D(nn.Module):
    """Written here from the paper, independently of the page's block."""

    def __init__(self, up_bias: bool, affine: bool) -> None:
        super().__init__()
        self.down = nn.ModuleList(_DoubleConv(*widths, affine) for widths in UNET3D_ENCODER)
        self.up = nn.ModuleList(nn.ConvTranspose3d(c, c, 2, stride=2, bias=up_bias) for c in UNET3D_UPS)
        self.dec = nn.ModuleList(_DoubleConv(c + c // 2, c // 2, c // 2, affine) for c in UNET3D_UPS)
        self.final = nn.Conv3d(64, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for index, block in enumerate(self.down):
            x = block(x)
            if index < 3:
                skips.append(x)
                x = nn.functional.max_pool3d(x, 2)
        for up, block in zip(self.up, self.dec, strict=True):
            x = up(x)
            skip = skips.pop()
            offsets = [(s - n) // 2 for s, n in zip(skip.shape[2:], x.shape[2:], strict=True)]
            window = tuple(slice(o, o + n) for o, n in zip(offsets, x.shape[2:], strict=True))
            x = block(torch.cat([skip[(..., *window)], x], dim=1))
        return self.final(x)


@pytest.mark.parametrize(("up_bias", "affine"), [(False, False), (True, True)])
def test_unet3d_count_and_shape_match_torch(up_bias: bool, affine: bool) -> None:
    with torch.device("meta"):
        net = TorchUNet3D(up_bias, affine)
        d, h, w, c = UNET3D_INPUT
        out = net(torch.empty(1, c, d, h, w))
    assert (*out.shape[2:], out.shape[1]) == UNET3D_OUTPUT
    numel = sum(p.numel() for p in net.parameters())
    assert numel == unet3d_params(True, up_bias, affine)
    if not up_bias and not affine:
        assert numel == UNET3D_PARAMS


def test_unet3d_table_shows_every_shape_of_the_walk() -> None:
    """Each shape the walk through the network passes, in order, is a row of the page's table."""
    shapes: list[tuple[int, ...]] = []
    unet3d_shape(shapes)
    assert len(shapes) == 24 and shapes[-1] == UNET3D_OUTPUT
    rows = [
        line
        for line in page_output("case-studies/unet3d.md").splitlines()
        if line.startswith(("enc", "dec", "final"))
    ]
    assert [re.findall(r"\(([\d, ]+)\)", row)[-1] for row in rows] == [str(shape)[1:-1] for shape in shapes]


# --- the chapter ---------------------------------------------------------------------------------


def test_chapter_wavenet_and_tcn_fields() -> None:
    shown = page_output("further/ranks.md")
    fields = [field.size for field in receptive_fields(WAVENET_BLOCK)]
    assert f"WaveNet block, k=2, d=1..512: {fields}" in shown
    tcn = [LayerGeometry(3, dilation=2**level) for level in range(4) for _ in range(2)]
    assert receptive_field(tcn).size == 1 + 2 * 2 * (1 + 2 + 4 + 8)
    assert f"  1 + sum (k-1) d = {receptive_field(tcn).size}" in shown
