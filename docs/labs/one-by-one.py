# %% [markdown]
# # Lab: 1x1 convolutions
#
# The companion to the chapter *1x1 convolutions*. A 1x1 convolution looks at one pixel, all
# its channels: at every position it computes the same matrix product, $y = W x + b$ with
# $W$ of shape $C_{out} \times C_{in}$. It is a dense layer applied at every pixel. This lab
# checks that claim numerically, then counts what 1x1 layers save in a bottleneck.

# %%
import numpy as np
import torch
from torch import nn

from snippets import conv_macs, count_conv_params

# %% [markdown]
# ## A dense layer at every pixel
#
# The same weights, used once by `nn.Conv2d(256, 64, 1)` and once by a plain matrix product
# over the channel axis of every pixel (`einsum`).

# %%
torch.manual_seed(0)
conv = nn.Conv2d(256, 64, kernel_size=1)
x = torch.randn(1, 256, 56, 56)
with torch.no_grad():
    by_conv = conv(x)[0].numpy()  # (64, 56, 56)
weights = conv.weight.detach().numpy()[:, :, 0, 0]  # (64, 256)
bias = conv.bias.detach().numpy()
by_matmul = np.einsum("oc,chw->ohw", weights, x[0].numpy()) + bias[:, None, None]
print("output shape:", by_conv.shape)
print("same as a dense layer per pixel:", np.allclose(by_conv, by_matmul, atol=1e-4))

# %% [markdown]
# ## Reducing channels
#
# The source document's example: 56x56x256 to 64 channels.

# %%
shape = (56, 56, 256)
for kernel in (1, 3):
    params = count_conv_params(256, 64, kernel)
    macs = conv_macs(shape, 64, kernel, 1, "same")
    print(f"{kernel}x{kernel} Conv(64) on 56x56x256: {params:,} parameters, {macs:,} MACs")

# %% [markdown]
# ## A bottleneck
#
# ResNet-50's bottleneck block squeezes 256 channels to 64 with a 1x1 layer, does its 3x3
# work on 64 channels, and expands back to 256 with another 1x1. Against two plain 3x3 layers
# at 256 channels:

# %%
bottleneck = [(256, 64, 1), (64, 64, 3), (64, 256, 1)]
plain = [(256, 256, 3), (256, 256, 3)]
for name, layers in (("bottleneck 1x1-3x3-1x1", bottleneck), ("two 3x3 at 256", plain)):
    params = sum(count_conv_params(c_in, c_out, k) for c_in, c_out, k in layers)
    macs = sum(conv_macs((56, 56, c_in), c_out, k, 1, "same") for c_in, c_out, k in layers)
    print(f"{name:<24} {params:>9,} parameters {macs:>15,} MACs")

# %% [markdown]
# ## A cheap extra non-linearity
#
# A 1x1 layer followed by ReLU adds depth, and a non-linearity, for $C^2$ weights per layer:
# nine times fewer than a 3x3 layer of the same width. Check that the composition is no
# longer a single linear map: a linear map satisfies $f(a + b) = f(a) + f(b)$.

# %%
torch.manual_seed(1)
linear = nn.Sequential(nn.Conv2d(8, 8, 1), nn.Conv2d(8, 8, 1))
with_relu = nn.Sequential(nn.Conv2d(8, 8, 1), nn.ReLU(), nn.Conv2d(8, 8, 1))
a, b = torch.randn(1, 8, 4, 4), torch.randn(1, 8, 4, 4)
with torch.no_grad():
    for name, f in (("1x1, 1x1", linear), ("1x1, ReLU, 1x1", with_relu)):
        zero = torch.zeros(1, 8, 4, 4)
        additive = torch.allclose(f(a + b) - f(zero), f(a) - f(zero) + f(b) - f(zero), atol=1e-5)
        print(f"{name}: behaves linearly: {additive}")
