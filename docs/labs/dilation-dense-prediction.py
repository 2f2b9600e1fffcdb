# %% [markdown]
# # Lab: how can dilated convolutions help with dense prediction?
#
# The third reflection question, answered by experiment. Dense prediction (segmentation,
# depth, optical flow) needs an output for every input pixel, and each of those outputs needs
# context from far away. There are two ways to give it that context:
#
# - **keep full resolution** and grow the receptive field with dilation: a stack of 3x3
#   layers with dilations $d_l$ sees $r = 1 + 2 \sum_l d_l$ pixels;
# - **downsample, then upsample**: strided convolutions shrink the map (each halving doubles
#   how fast the field grows), and transposed convolutions bring it back to full size.
#
# This lab compares the two on receptive field, resolution, parameters and MACs, measures
# the receptive field in PyTorch, and draws the one trap of dilation: the gridding effect.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

from snippets import (
    LayerGeometry,
    conv_macs,
    conv_output_shape,
    count_conv_params,
    receptive_fields,
    transposed_macs,
    transposed_output_shape,
)
from snippets.geometry import dilated_coverage, gridding_holes, hdc_max_distance, hdc_rule

# %% [markdown]
# ## Two designs, layer by layer
#
# Both start from a 64x64 map with 64 channels and keep 64 channels, so that only the
# spatial design differs. **A** is four 3x3 layers with dilations 1, 2, 4, 8 at stride 1.
# **B** is three 3x3 layers at stride 2, then three 4x4 transposed layers at stride 2.

# %%
CHANNELS, SHAPE = 64, (64, 64, 64)

print("A: dilated, full resolution")
shape, params, macs = SHAPE, 0, 0
geometry = [LayerGeometry(3, stride=1, dilation=d, padding=d) for d in (1, 2, 4, 8)]
for layer, field in zip(geometry, receptive_fields(geometry), strict=True):
    macs += conv_macs(shape, CHANNELS, 3, 1, "same", dilation=layer.dilation)
    params += count_conv_params(CHANNELS, CHANNELS, 3)
    shape = conv_output_shape(shape, CHANNELS, 3, 1, "same", dilation=layer.dilation)
    print(f"  3x3 dilation {layer.dilation}: {shape}, field {field.size}, effective stride {field.stride}")
dilated = params, macs
print(f"  {params:,} parameters, {macs:,} MACs")

print("B: strided down, transposed up")
shape, params, macs = SHAPE, 0, 0
geometry = [LayerGeometry(3, stride=2, padding=1)] * 3
for field in receptive_fields(geometry):
    macs += conv_macs(shape, CHANNELS, 3, 2, "same")
    params += count_conv_params(CHANNELS, CHANNELS, 3)
    shape = conv_output_shape(shape, CHANNELS, 3, 2, "same")
    print(f"  3x3 stride 2: {shape}, field {field.size}, effective stride {field.stride}")
for _ in range(3):
    macs += transposed_macs(shape, CHANNELS, 4, 2, "same")
    params += count_conv_params(CHANNELS, CHANNELS, 4)  # a transposed layer has as many weights
    shape = transposed_output_shape(shape, CHANNELS, 4, 2, "same")
    print(f"  4x4 transposed stride 2: {shape}")
encoder_decoder = params, macs
print(f"  {params:,} parameters, {macs:,} MACs")
print(
    f"A / B: {dilated[0] / encoder_decoder[0]:.2f}x the parameters, {dilated[1] / encoder_decoder[1]:.2f}x the MACs"
)

# %% [markdown]
# Design A reaches a 31x31 field and never leaves full resolution: its effective stride stays
# 1, so every output pixel has its own, exactly aligned view of the input. Design B is much
# cheaper, since most of its layers work on small maps, but at the bottom every position
# stands for an 8x8 block of input pixels (effective stride 8), and the decoder has to invent
# the detail back from that coarse grid. That is the trade DeepLab makes with its "output
# stride": dilation in place of the last downsampling steps keeps the detail, at the price of
# computing the deep layers on larger maps.
#
# ## The receptive field, measured
#
# The field of design B through its decoder has no simple formula, but it can be measured:
# with every weight set to one, the gradient of the centre output pixel with respect to the
# input is non-zero exactly on the input pixels that output depends on.


# %%
def reach(layers, size=96):
    """How many paths lead from each input pixel to the centre output pixel (all weights 1)."""
    stack = nn.Sequential(*layers).double()
    for layer in stack:
        nn.init.constant_(layer.weight, 1.0)
    image = torch.zeros(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    stack(image)[0, 0, size // 2, size // 2].backward()
    return image.grad[0, 0]


def extent(paths):
    rows, cols = torch.nonzero(paths, as_tuple=True)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


design_a = [nn.Conv2d(1, 1, 3, padding=d, dilation=d, bias=False) for d in (1, 2, 4, 8)]
design_b = [nn.Conv2d(1, 1, 3, stride=2, padding=1, bias=False) for _ in range(3)]
design_b += [nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1, bias=False) for _ in range(3)]
print("A, measured field:", extent(reach(design_a)))
print("B, measured field:", extent(reach(design_b)))

# %% [markdown]
# ## The gridding effect
#
# Dilation has a trap. A 3x3 kernel with dilation 2 reads every other pixel; stacking layers
# that all use dilation 2 never fills the gaps, so the output sees a checkerboard: more than
# two thirds of the pixels inside its field never reach it. Growing dilations such as 1, 2, 4
# fill them, because the first layer covers the holes the next one leaves (Wang et al.,
# "Understanding Convolution for Semantic Segmentation", 2018, call the cure hybrid dilated
# convolution).

# %%
stacks = {"dilation 2, 2, 2": (2, 2, 2), "dilation 1, 2, 4": (1, 2, 4)}
maps = {}
for name, dilations in stacks.items():
    paths = reach([nn.Conv2d(1, 1, 3, padding=d, dilation=d, bias=False) for d in dilations], size=33)
    rows, cols = extent(paths)
    centre = paths[16 - rows // 2 : 16 + rows // 2 + 1, 16 - cols // 2 : 16 + cols // 2 + 1]
    maps[name] = centre
    reached = int((centre > 0).sum())
    print(
        f"{name}: field {rows}x{cols}, {reached} of {rows * cols} pixels reached ({reached / (rows * cols):.0%})"
    )

# %% [markdown]
# Which rates avoid the holes? A common factor $g > 1$ always leaves them (every offset a
# stack reaches is a multiple of $g$), but having no common factor is not enough. Along one
# axis the stack reaches offset $j$ of its field exactly when $j = \sum_l u_l d_l$ with one
# tap $0 \le u_l < 3$ per layer; the field has no holes when every offset is reached.
# Wang et al.'s HDC rule ($r_1 = 1$, and $M_2 \le K$ for $M_n = r_n$,
# $M_i = \max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i)$) is a sufficient
# condition; the exact answer is the coverage itself. Two stacks without a common factor,
# checked against the gradient measurement above:

# %%
for dilations in [(1, 5, 9), (3, 4), (1, 2, 5)]:
    paths = reach([nn.Conv2d(1, 1, 3, padding=d, dilation=d, bias=False) for d in dilations], size=65)
    span = len(dilated_coverage(dilations))
    middle = paths[32, 32 - span // 2 : 32 + span // 2 + 1] > 0
    assert middle.tolist() == dilated_coverage(dilations).tolist()
    print(
        f"rates {dilations}: middle row {''.join('#' if seen else '.' for seen in middle.tolist())}, "
        f"holes at offsets {gridding_holes(dilations)}, M_2 = {hdc_max_distance(dilations)}, "
        f"HDC rule {'holds' if hdc_rule(dilations) else 'fails'}"
    )

# %%
figure, axes = plt.subplots(2, 1, figsize=(4.5, 8.6))  # one above the other: readable on a phone
for axis, (name, centre) in zip(axes, maps.items(), strict=True):
    size = centre.shape[0]
    axis.imshow((centre > 0).numpy(), cmap="Blues", vmin=0, vmax=1.25)
    axis.set_title(f"3x3 layers, {name}")
    axis.set_xticks([i - 0.5 for i in range(size + 1)], labels=[])
    axis.set_yticks([i - 0.5 for i in range(size + 1)], labels=[])
    axis.tick_params(length=0)
    axis.grid(color="0.8", linewidth=0.5)
    axis.plot(size // 2, size // 2, marker="x", color="white", markersize=8)
figure.suptitle("Blue: the input pixels\nthe centre output (x) depends on")
figure.tight_layout()
plt.show()

# %% [markdown]
# ## What the experiment says
#
# - Dilation grows the receptive field exponentially with depth (1, 2, 4, 8 gives 31x31 with
#   four layers) while the map stays at full resolution, so the output is as detailed as the
#   input: no decoder has to recover what downsampling threw away.
# - It costs compute: every layer runs on the full-size map. Downsampling is far cheaper,
#   which is why real segmentation networks mix the two (downsample 8x, then dilate).
# - Choose rates whose coverage has no holes: 1, 2, 4 rather than 2, 2, 2. Rates that share a
#   common factor always leave holes, but rates without one can too (1, 5, 9 and 3, 4 above).
#   Wang et al.'s HDC rule (start at rate 1, $M_2 \le K$) is a safe test; computing the
#   coverage is the exact one.
