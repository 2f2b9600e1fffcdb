# %% [markdown]
# # Lab: when would you use depthwise separable convolutions?
#
# The second reflection question, answered by experiment. A regular $K \times K$ convolution
# from $C_{in}$ to $C_{out}$ channels has $K^2 C_{in} C_{out}$ weights. The depthwise separable
# version filters each input channel on its own ($K^2 C_{in}$ weights), then mixes channels
# with a 1x1 convolution ($C_{in} C_{out}$ weights). Per output pixel the MACs follow the same
# two formulas, so, bias aside, both ratios are
#
# $$
# \frac{\text{separable}}{\text{regular}} = \frac{1}{C_{out}} + \frac{1}{K^2}
# $$
#
# This lab computes the savings as $C_{in}$, $C_{out}$ and $K$ vary, then measures what they
# are worth in time. The short answer: separable layers save the most where there are many
# channels, and the saving in time is smaller than the saving in arithmetic, because the
# depthwise step does little arithmetic per byte it reads.

# %%

import torch
from torch import nn

from snippets import conv_macs, count_conv_params, depthwise_macs, separable_macs, separable_params
from snippets.timing import machine, median_ms

# %% [markdown]
# ## Parameters and MACs as the layer grows
#
# Each row is one layer on a 28x28 feature map with 'same' padding. Both counts include the
# biases, as Keras' `Conv2D` and `SeparableConv2D` do.

# %%
print(
    f"{'C_in':>5} {'C_out':>5} {'K':>2} {'regular params':>15} {'separable':>10} {'saving':>7} {'MAC saving':>11}"
)
for c_in, c_out in ((16, 16), (32, 64), (64, 128), (128, 256), (256, 512), (512, 1024)):
    for k in (3, 5):
        shape = (28, 28, c_in)
        regular, separable = count_conv_params(c_in, c_out, k), separable_params(c_in, c_out, k)
        mac_saving = conv_macs(shape, c_out, k, 1, "same") / separable_macs(shape, c_out, k, 1, "same")
        print(
            f"{c_in:>5} {c_out:>5} {k:>2} {regular:>15,} {separable:>10,} {regular / separable:>6.1f}x {mac_saving:>10.1f}x"
        )

# %% [markdown]
# The saving approaches $K^2$ (9 for 3x3, 25 for 5x5) as the channels grow, and it is small
# for thin layers: with 16 channels a separable 3x3 layer saves less than 6x. The formula
# above, $1 / C_{out} + 1 / K^2$, predicts the MAC ratio exactly:

# %%
for c_out, k in ((16, 3), (256, 3), (1024, 3), (256, 5)):
    shape = (28, 28, c_out)
    measured = separable_macs(shape, c_out, k, 1, "same") / conv_macs(shape, c_out, k, 1, "same")
    print(f"C_out={c_out:<5} K={k}: separable/regular {measured:.4f}, formula {1 / c_out + 1 / k**2:.4f}")

# %% [markdown]
# ## What the saving is worth in time
#
# Now the same layers in PyTorch, on the CPU with one thread: a regular `Conv2d`, and a
# depthwise `Conv2d(groups=C_in)` followed by a 1x1 `Conv2d`. Each is timed on its own and the
# depthwise and pointwise steps are also timed apart. The last column is the rate of useful
# arithmetic, in billions of MACs per second.
#
# **These are measurements**: they change from run to run and machine to machine; the cell
# prints the machine it ran on.

# %% tags=["measurement"]
torch.manual_seed(0)
torch.set_num_threads(1)
print(machine())
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread")


def forward_ms(layer, x):
    """Median wall time of `layer(x)` in milliseconds, after two warm-up runs."""
    with torch.inference_mode():
        return median_ms(lambda: layer(x))


def layers(c_in, c_out, k):
    regular = nn.Conv2d(c_in, c_out, k, padding=k // 2)
    depthwise = nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False)
    pointwise = nn.Conv2d(c_in, c_out, 1)
    return regular.eval(), depthwise.eval(), pointwise.eval()


print(f"{'layer':<30} {'MACs':>12} {'ms':>8} {'GMAC/s':>7}")
results = {}
for c_in, c_out, size in ((32, 32, 112), (128, 128, 56), (512, 512, 14)):
    shape, k = (size, size, c_in), 3
    x = torch.randn(1, c_in, size, size)
    regular, depthwise, pointwise = layers(c_in, c_out, k)
    rows = {
        "regular 3x3": (regular, conv_macs(shape, c_out, k, 1, "same")),
        "separable (both steps)": (
            nn.Sequential(depthwise, pointwise),
            separable_macs(shape, c_out, k, 1, "same"),
        ),
        "  depthwise 3x3": (depthwise, depthwise_macs(shape, k, 1, "same")),
        "  pointwise 1x1": (pointwise, conv_macs(shape, c_out, 1)),
    }
    print(f"-- {c_in} -> {c_out} channels, {size}x{size}")
    for name, (layer, macs) in rows.items():
        ms = forward_ms(layer, x)
        results[c_in, name] = (macs, ms)
        print(f"{name:<30} {macs:>12,} {ms:>8.3f} {macs / ms / 1e6:>7.1f}")

# %% [markdown]
# The depthwise step does a few percent of the MACs but takes a much larger share of the
# time: its rate of arithmetic is far below the dense layers'. The next cell prints, for each
# size, how much the MACs shrink and how much the time shrinks (measured, so it varies).

# %% tags=["measurement"]
for c_in in (32, 128, 512):
    (regular_macs, regular_ms) = results[c_in, "regular 3x3"]
    (separable_macs_, separable_ms) = results[c_in, "separable (both steps)"]
    (depthwise_macs_, depthwise_ms) = results[c_in, "  depthwise 3x3"]
    print(
        f"{c_in:>3} channels: {regular_macs / separable_macs_:4.1f}x fewer MACs, "
        f"{regular_ms / separable_ms:4.1f}x less time; depthwise is "
        f"{depthwise_macs_ / separable_macs_:4.0%} of the MACs, {depthwise_ms / separable_ms:4.0%} of the time"
    )

# %% [markdown]
# ## Why: arithmetic per byte
#
# A layer is memory-bound when it does too few operations per byte it moves to keep the
# arithmetic units busy. Counting the bytes of the input, the output and the weights (float32,
# each read or written once, which is the best case), a regular 3x3 convolution with 128
# channels does more than a hundred MACs per byte, while a depthwise one does about $K^2 / 8$
# (each input value is used $K^2$ times, against 4 bytes in and 4 bytes out). These numbers
# are exact, not measured:


# %%
def macs_per_byte(macs, shape_in, shape_out, weights):
    """MACs per byte moved, if every tensor is read or written exactly once (float32)."""
    values = shape_in[0] * shape_in[1] * shape_in[2] + shape_out[0] * shape_out[1] * shape_out[2] + weights
    return macs / (4 * values)


shape, k = (56, 56, 128), 3
print(
    f"regular 3x3, 128->128: {macs_per_byte(conv_macs(shape, 128, k, 1, 'same'), shape, shape, 9 * 128 * 128):6.1f}"
)
print(
    f"depthwise 3x3, 128:    {macs_per_byte(depthwise_macs(shape, k, 1, 'same'), shape, shape, 9 * 128):6.1f}"
)
print(f"pointwise 1x1, 128->128: {macs_per_byte(conv_macs(shape, 128, 1), shape, shape, 128 * 128):4.1f}")

# %% [markdown]
# ## When to use them
#
# - **Many channels, tight budget** (mobile and edge models, MobileNet, Xception's middle
#   flow): parameters and MACs drop by close to $K^2$, and the model fits where a regular one
#   would not.
# - **Not for thin layers**: with few channels the saving is small (see the first table), and
#   the first layer of a network, on 3 RGB channels, stays a regular convolution in MobileNet.
# - **Expect less speed than the MAC count promises**: the depthwise step is memory-bound, so
#   on a CPU or GPU the time saved is smaller than the arithmetic saved; measure on your
#   hardware, as the cells above do.
# - **Accuracy**: a separable layer can only express kernels that factor into a per-channel
#   filter and a channel mix; in practice networks built from them lose little accuracy for
#   the cost (MobileNet, Howard et al. 2017), often after widening the layers a little.
