# %% [markdown]
# # Lab: convolution parameters
#
# The companion to the chapter *Convolution parameters*. Filters, kernel size, stride and
# padding decide the output shape: along an axis of length $n$, with $p$ zeros before and
# after, kernel $k$ and stride $s$,
#
# $$
# n_{out} = \left\lfloor \frac{n + p_{before} + p_{after} - k}{s} \right\rfloor + 1
# $$
#
# Here `snippets.conv_output_shape` computes it and a real `torch.nn.Conv2d` checks it.
# Change the configurations and run the cells again.

# %%
import torch
import torch.nn.functional as F
from torch import nn

from snippets import conv_output_shape, padding_amounts

# %% [markdown]
# ## The source document's four layers, checked against PyTorch
#
# PyTorch is channels-first (`N, C, H, W`) and its `padding="same"` refuses stride 2, so the
# check pads explicitly with the amounts Keras' `'same'` uses (`padding_amounts`), then runs
# an unpadded convolution.


# %%
def torch_shape(input_shape, filters, kernel, stride, padding):
    """(H, W, C) that torch.nn.Conv2d produces, padded as Keras pads."""
    (top, bottom), (left, right) = padding_amounts(input_shape, kernel, stride, padding)
    height, width, channels = input_shape
    x = F.pad(torch.zeros(1, channels, height, width), (left, right, top, bottom))
    out = nn.Conv2d(channels, filters, kernel, stride=stride)(x)
    return tuple(out.shape[2:]) + (out.shape[1],)


CONFIGS = [(64, 3, 1, "same"), (64, 3, 1, "valid"), (64, 3, 2, "same"), (128, 5, 1, "same")]
input_shape = (224, 224, 3)
for filters, kernel, stride, padding in CONFIGS:
    ours = conv_output_shape(input_shape, filters, kernel, stride, padding)
    theirs = torch_shape(input_shape, filters, kernel, stride, padding)
    print(f"Conv({filters}, {kernel}x{kernel}, stride={stride}, {padding}): {ours}, torch {theirs}")

# %% [markdown]
# ## How each argument moves the output
#
# One argument at a time, from `Conv(64, 3x3, stride=1, 'same')` on the same image: the
# kernel size changes nothing under `'same'` but shrinks a `'valid'` output by $k - 1$; the
# stride divides the size (rounding up under `'same'`, down under `'valid'`); the filters only
# set the channels.

# %%
for kernel in (1, 3, 5, 7):
    same = conv_output_shape(input_shape, 64, kernel, 1, "same")
    valid = conv_output_shape(input_shape, 64, kernel, 1, "valid")
    print(f"kernel {kernel}x{kernel}: same {same}, valid {valid}")
for stride in (1, 2, 3, 4):
    same = conv_output_shape(input_shape, 64, 3, stride, "same")
    valid = conv_output_shape(input_shape, 64, 3, stride, "valid")
    print(f"stride {stride}: same {same}, valid {valid}")
for filters in (16, 64, 256):
    print(f"filters {filters}: {conv_output_shape(input_shape, filters, 3, 1, 'same')}")

# %% [markdown]
# ## Even kernels under 'same'
#
# The source document pads $\lfloor (k-1)/2 \rfloor$ on both sides, which loses a pixel when
# $k$ is even. Keras puts the odd zero at the bottom and right; the output keeps its size.


# %%
def source_formula(n, k, s):
    pad = (k - 1) // 2
    return (n - k + 2 * pad) // s + 1


for kernel in (2, 3, 4, 5, 6):
    ours = conv_output_shape(input_shape, 64, kernel, 1, "same")[0]
    pads = padding_amounts(input_shape, kernel, 1, "same")[0]
    print(f"kernel {kernel}: source {source_formula(224, kernel, 1)}, Keras 'same' {ours} (pads {pads})")

# %% [markdown]
# ## Bad input is refused
#
# A layer whose kernel does not fit raises an error that names the argument instead of
# returning a zero or negative size:

# %%
try:
    conv_output_shape((4, 4, 3), 8, 5, 1, "valid")
except ValueError as error:
    print(f"ValueError: {error}")
