# %% [markdown]
# # Lab: transposed convolutions
#
# The companion to the chapter *Transposed convolutions*. A transposed convolution upsamples:
# with stride $s$ and Keras' `'same'` padding an axis of length $n$ becomes $n s$; with
# `'valid'`, $n s + \max(k - s, 0)$. This lab checks the sizes against PyTorch, shows why it
# is called *transposed*, and where checkerboard artifacts come from.

# %%
import torch
import torch.nn.functional as F
from torch import nn

from snippets import transposed_output_shape

# %% [markdown]
# ## The source document's examples
#
# The source document's examples use `'same'` padding, its choice rather than a default: in
# PyTorch, `ConvTranspose2d(k=4, stride=2, padding=1)` doubles the size, as Keras' `'same'`
# does for these layers (PyTorch is channels-first).

# %%
for shape, filters in (((7, 7, 512), 256), ((14, 14, 256), 128)):
    ours = transposed_output_shape(shape, filters, 4, 2, "same")
    layer = nn.ConvTranspose2d(shape[2], filters, 4, stride=2, padding=1)
    out = layer(torch.zeros(1, shape[2], shape[0], shape[1]))
    theirs = (out.shape[2], out.shape[3], out.shape[1])
    print(f"{shape} -> ConvTranspose({filters}, 4x4, stride=2, 'same'): {ours}, torch padding=1 {theirs}")

# %% [markdown]
# Left at its default, the layer does not double: PyTorch's `padding=0`, like Keras' `'valid'`
# and `transposed_output_shape` without a padding argument, adds $k - s$ pixels.

# %%
ours = transposed_output_shape((7, 7, 512), 256, 4, 2)
out = nn.ConvTranspose2d(512, 256, 4, stride=2)(torch.zeros(1, 512, 7, 7))
print(f"defaults: transposed_output_shape {ours}, torch {(out.shape[2], out.shape[3], out.shape[1])}")

# %% [markdown]
# ## 'valid' sizes

# %%
for kernel, stride in ((2, 2), (3, 2), (4, 2), (3, 1), (5, 3)):
    ours = transposed_output_shape((8, 8, 16), 16, kernel, stride, "valid")
    theirs = tuple(nn.ConvTranspose2d(16, 16, kernel, stride=stride)(torch.zeros(1, 16, 8, 8)).shape)
    print(f"k={kernel}, s={stride}: {ours[:2]}, torch {theirs[2:]}")

# %% [markdown]
# ## Why "transposed"
#
# A convolution is a linear map $y = A x$. The transposed convolution with the same kernel is
# $A^T$: for every $x$ and $y$, $\langle A x, y \rangle = \langle x, A^T y \rangle$. It is not
# an inverse; it maps back to the input's *shape*, not to its values.

# %%
torch.manual_seed(0)
weight = torch.randn(4, 3, 3, 3, dtype=torch.float64)  # (C_out, C_in, k, k)
x = torch.randn(1, 3, 10, 10, dtype=torch.float64)
y = torch.randn(1, 4, 5, 5, dtype=torch.float64)
forward = F.conv2d(x, weight, stride=2, padding=1)  # (1, 4, 5, 5)
backward = F.conv_transpose2d(y, weight, stride=2, padding=1, output_padding=1)  # (1, 3, 10, 10)
print("shapes:", tuple(forward.shape), tuple(backward.shape))
print("<Ax, y> == <x, A^T y>:", torch.allclose((forward * y).sum(), (x * backward).sum()))
print(
    "an inverse:",
    torch.allclose(F.conv_transpose2d(forward, weight, stride=2, padding=1, output_padding=1), x),
)

# %% [markdown]
# ## Uneven overlap and checkerboards
#
# Upsample a constant image with a constant kernel and count how many kernel taps land on
# each output pixel. When the kernel size is not a multiple of the stride, neighbouring
# pixels get different counts: a checkerboard before any training (Odena, Dumoulin & Olah,
# "Deconvolution and Checkerboard Artifacts", Distill 2016).

# %%
for kernel in (3, 4):
    ones = torch.ones(1, 1, 4, 4)
    counts = F.conv_transpose2d(ones, torch.ones(1, 1, kernel, kernel), stride=2)
    inner = counts[0, 0, kernel : kernel + 4, kernel : kernel + 4].int()
    print(f"kernel {kernel}, stride 2, taps per output pixel (inner 4x4):")
    for row in inner.tolist():
        print("  " + " ".join(str(v) for v in row))

# %% [markdown]
# ## Even counts, uneven sums
#
# With the 4x4 kernel every inner pixel gets four taps, but not the same four: at stride 2
# the output falls into four phases (row and column even or odd), and each phase sums its own
# quarter of the kernel. A random (or learned) kernel does not balance the quarters, so even
# overlap still turns a constant image into a checkerboard. Odena et al.'s cure is to resize
# first, with a fixed nearest-neighbour upsampling, and then convolve: every output pixel of
# that convolution sees the same pattern, so a constant image stays constant.

# %%
torch.manual_seed(0)
ones = torch.ones(1, 1, 8, 8)
learned = nn.ConvTranspose2d(1, 1, 4, stride=2, bias=False)
resize_conv = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(1, 1, 3, bias=False))
with torch.no_grad():
    transposed = learned(ones)[0, 0, 6:10, 6:10]
    resized = resize_conv(ones)[0, 0, 5:9, 5:9]
    weight = learned.weight[0, 0]
    phases = [[float(weight[a::2, b::2].sum()) for b in (0, 1)] for a in (0, 1)]
print("4x4 transposed, stride 2, random kernel, image of ones (inner 4x4):")
print(transposed.numpy().round(3))
print("its kernel's phase sums:", [[round(v, 3) for v in row] for row in phases])
print("nearest-neighbour upsampling, then a random 3x3 convolution (inner 4x4):")
print(resized.numpy().round(3))
