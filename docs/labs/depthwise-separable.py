# %% [markdown]
# # Lab: depthwise separable convolutions
#
# The companion to the chapter *Depthwise separable convolutions*. A separable layer splits a
# $K \times K$ convolution in two: a depthwise step with one $K \times K$ filter per input
# channel, then a pointwise (1x1) step that mixes channels. Weights:
#
# $$
# K^2 C_{in} + C_{in} C_{out} \quad \text{instead of} \quad K^2 C_{in} C_{out}
# $$
#
# This lab counts them, builds the layer in PyTorch, and shows exactly which regular
# convolutions a separable layer can express.

# %%
import torch
import torch.nn.functional as F
from torch import nn

from snippets import count_conv_params, depthwise_params, separable_params


def torch_params(module):
    return sum(p.numel() for p in module.parameters())


# %% [markdown]
# ## The source document's comparison, like for like
#
# The source counts the regular layer with its biases and the separable one without, and
# reports 8.4x. Counting biases on both sides (one bias per output channel, as Keras'
# `SeparableConv2D` has) gives a slightly smaller saving.

# %%
c_in, c_out, k = 64, 128, 3
regular = count_conv_params(c_in, c_out, k)
separable = separable_params(c_in, c_out, k)
separable_no_bias = separable_params(c_in, c_out, k, use_bias=False)
print(f"regular 3x3: {regular:,}")
print(
    f"separable, no bias: {separable_no_bias:,} -> {regular / separable_no_bias:.2f}x (the source's figure)"
)
print(f"separable, with bias: {separable:,} -> {regular / separable:.2f}x (like for like)")

# %% [markdown]
# ## The same layer in PyTorch
#
# PyTorch has no separable layer: it is a `Conv2d` with `groups=C_in` (the depthwise step)
# followed by a 1x1 `Conv2d`. With the bias only on the pointwise step, the counts match.

# %%
depthwise = nn.Conv2d(c_in, c_in, k, padding=1, groups=c_in, bias=False)
pointwise = nn.Conv2d(c_in, c_out, 1)
print(f"depthwise: {torch_params(depthwise):,} (snippets {depthwise_params(c_in, k, use_bias=False):,})")
print(
    f"depthwise + pointwise: {torch_params(depthwise) + torch_params(pointwise):,} (snippets {separable:,})"
)

# %% [markdown]
# ## What a separable layer can express
#
# Composing the two steps gives a regular convolution whose kernel is
# $W[o, i] = P[o, i] \, D[i]$: every filter uses the same spatial pattern $D[i]$ on input
# channel $i$, only scaled. Build that kernel and compare outputs:

# %%
torch.manual_seed(0)
x = torch.randn(1, c_in, 16, 16)
with torch.no_grad():
    two_steps = pointwise(depthwise(x))
    d = depthwise.weight[:, 0]  # (C_in, K, K)
    p = pointwise.weight[:, :, 0, 0]  # (C_out, C_in)
    combined = p[:, :, None, None] * d[None]  # (C_out, C_in, K, K)
    one_step = F.conv2d(x, combined, pointwise.bias, padding=1)
print("combined kernel shape:", tuple(combined.shape))
print("same output as one regular convolution:", torch.allclose(two_steps, one_step, atol=1e-5))

# %% [markdown]
# The reverse does not hold: a random regular kernel is not of that form. Each slice
# $W[:, i]$, flattened to a $C_{out} \times K^2$ matrix, has rank 1 for a separable layer
# and full rank for a regular one:

# %%
regular_kernel = nn.Conv2d(c_in, c_out, k).weight.detach()
for name, kernel in (("separable", combined), ("regular", regular_kernel)):
    ranks = {int(torch.linalg.matrix_rank(kernel[:, i].reshape(c_out, k * k))) for i in range(c_in)}
    print(f"{name}: rank of each input channel's slice: {sorted(ranks)}")

# %% [markdown]
# ## With a depth multiplier
#
# A depth multiplier $m$ gives each input channel $m$ depthwise filters: more capacity,
# still far fewer weights than the regular layer.

# %%
for multiplier in (1, 2, 4):
    count = separable_params(c_in, c_out, k, depth_multiplier=multiplier)
    print(f"depth_multiplier={multiplier}: {count:,} ({regular / count:.1f}x fewer than regular)")
