# %% [markdown]
# # Lab: dilated convolutions
#
# The companion to the chapter *Dilated (atrous) convolutions*. A $k \times k$ kernel with
# dilation $d$ leaves $d - 1$ pixels between its taps, so it spans
#
# $$
# k_{eff} = k + (k - 1)(d - 1)
# $$
#
# pixels with the same $k^2$ weights. This lab computes the span, checks it against PyTorch,
# and shows that a dilated kernel is a larger kernel with zeros in it.

# %%
import torch
import torch.nn.functional as F
from torch import nn

from snippets import conv_output_shape, count_conv_params, effective_kernel_size

# %% [markdown]
# ## Span and parameters

# %%
for rate in (1, 2, 4, 8):
    span = effective_kernel_size(3, rate)
    params = count_conv_params(64, 64, 3)
    print(f"3x3, dilation {rate}: spans {span}x{span}, {params:,} parameters (64 -> 64 channels)")

# %% [markdown]
# ## Output shapes, checked against PyTorch
#
# Without padding the output shrinks by $k_{eff} - 1$; with padding $d$ on each side (which is
# `'same'` for a 3x3 kernel) it keeps its size.

# %%
x = torch.zeros(1, 3, 32, 32)  # PyTorch is channels-first; shapes below are printed as (H, W, C)


def hwc(tensor):
    return tuple(tensor.shape[2:]) + (tensor.shape[1],)


for rate in (1, 2, 4, 8):
    valid = conv_output_shape((32, 32, 3), 8, 3, 1, "valid", dilation=rate)
    same = conv_output_shape((32, 32, 3), 8, 3, 1, "same", dilation=rate)
    torch_valid = hwc(nn.Conv2d(3, 8, 3, dilation=rate)(x))
    torch_same = hwc(nn.Conv2d(3, 8, 3, dilation=rate, padding=rate)(x))
    print(f"dilation {rate}: valid {valid} torch {torch_valid}; same {same} torch {torch_same}")

# %% [markdown]
# ## A larger kernel with holes
#
# Spread a 3x3 kernel's taps over a 5x5 grid (rows and columns 0, 2, 4), fill the rest with
# zeros, and an ordinary 5x5 convolution gives the same output as the dilated 3x3.

# %%
torch.manual_seed(0)
kernel = torch.randn(1, 1, 3, 3)
image = torch.randn(1, 1, 12, 12)
holes = torch.zeros(1, 1, 5, 5)
holes[:, :, ::2, ::2] = kernel
print(holes[0, 0].ne(0).int())
same = torch.allclose(F.conv2d(image, kernel, dilation=2), F.conv2d(image, holes), atol=1e-6)
print("dilated 3x3 == 5x5 with holes:", same)

# %% [markdown]
# ## Where the taps fall
#
# The input pixels one output of a single dilated layer reads, drawn as text (`#` read,
# `.` skipped):

# %%
for rate in (1, 2, 3):
    span = effective_kernel_size(3, rate)
    print(f"dilation {rate}:")
    for row in range(span):
        print("  " + " ".join("#" if row % rate == 0 and col % rate == 0 else "." for col in range(span)))
