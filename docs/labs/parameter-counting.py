# %% [markdown]
# # Lab: parameter counting
#
# The companion to the chapter *Parameter counting*. A `Conv2D` layer with $F$ filters of
# size $k_h \times k_w$ on $C_{in}$ channels has
#
# $$
# F \, (k_h k_w C_{in} + 1)
# $$
#
# parameters: the weights, and one bias per filter. Here `snippets.count_conv_params` counts
# them and PyTorch's own layers confirm every count.

# %%
from torch import nn

from snippets import count_conv_params, dense_params


def torch_params(module):
    """Trainable parameters of a torch module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# %% [markdown]
# ## The source document's four layers

# %%
for c_in, filters in ((3, 32), (32, 64), (64, 128), (128, 256)):
    ours = count_conv_params(c_in, filters, 3)
    theirs = torch_params(nn.Conv2d(c_in, filters, 3))
    print(f"Conv({filters}, 3x3) on {c_in} channels: {ours:,} (torch {theirs:,})")

# %% [markdown]
# ## What the count depends on
#
# The image size is not in the formula: the same filters slide over any image. The count
# grows with the square of the kernel side and with the product of the channels.

# %%
for kernel in (1, 3, 5, 7):
    print(f"64 -> 64 channels, {kernel}x{kernel}: {count_conv_params(64, 64, kernel):,}")
for channels in (32, 64, 128, 256):
    print(f"{channels} -> {channels} channels, 3x3: {count_conv_params(channels, channels, 3):,}")
print(f"without bias, 64 -> 64, 3x3: {count_conv_params(64, 64, 3, use_bias=False):,}")

# %% [markdown]
# ## Against a dense layer
#
# VGG16 flattens a 7x7x512 map into a `Dense(4096)` layer. That one layer has more
# parameters than all thirteen of VGG16's convolutions together. A 7x7 convolution with 4096
# filters over the same map is the same layer written as a convolution: it has exactly as
# many parameters.

# %%
flat = 7 * 7 * 512
print(f"Dense(4096) on 7x7x512: {dense_params(flat, 4096):,} (torch {torch_params(nn.Linear(flat, 4096)):,})")
print(f"Conv(4096, 7x7) on 7x7x512: {count_conv_params(512, 4096, 7):,}")
vgg = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256)]
vgg += [(256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
print(f"VGG16's 13 conv layers: {sum(count_conv_params(c_in, c_out, 3) for c_in, c_out in vgg):,}")

# %% [markdown]
# ## Grouped convolutions
#
# With `groups=g`, each filter sees only $C_{in} / g$ channels, so the weights shrink by $g$
# (the biases do not).

# %%
for groups in (1, 2, 4, 32, 64):
    ours = count_conv_params(64, 128, 3, groups=groups)
    theirs = torch_params(nn.Conv2d(64, 128, 3, groups=groups))
    print(f"Conv(128, 3x3, groups={groups}) on 64 channels: {ours:,} (torch {theirs:,})")
