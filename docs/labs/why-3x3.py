# %% [markdown]
# # Lab: why is 3x3 the most popular kernel size?
#
# The first reflection question, answered by experiment. A stack of $n$ convolutions of
# size $k \times k$ at stride 1 sees a square of
#
# $$
# r = 1 + n (k - 1)
# $$
#
# input pixels, so two 3x3 layers see as far as one 5x5 and three see as far as one 7x7.
# With $C$ channels in and out, the stack has $n k^2 C^2$ weights against $K^2 C^2$ for a
# single $K \times K$ layer, and it puts $n$ non-linearities where the single layer has one.
# Below, every one of those numbers is computed, the receptive field is measured in
# PyTorch, and the forward time of each choice is timed on a realistic feature map.

# %%

import torch
from torch import nn

from snippets import LayerGeometry, conv_macs, count_conv_params, receptive_field
from snippets.timing import machine, median_ms

# %% [markdown]
# ## Four ways to see 5x5 or 7x7
#
# The feature map is 56x56 with 64 channels (the size of the first stage of ResNet-50), and
# every layer keeps 64 channels and the spatial size ('same' padding, stride 1).

# %%
SHAPE = (56, 56, 64)  # (H, W, C), channels-last as everywhere on this site
CHOICES = {"one 5x5": (5, 1), "two 3x3": (3, 2), "one 7x7": (7, 1), "three 3x3": (3, 3)}


def stack_numbers(kernel, layers, shape=SHAPE):
    """Receptive field, parameters, MACs and non-linearities of `layers` equal conv layers."""
    channels = shape[2]
    field = receptive_field([LayerGeometry(kernel, padding=kernel // 2)] * layers)
    params = layers * count_conv_params(channels, channels, kernel)
    macs = layers * conv_macs(shape, channels, kernel, 1, "same")
    return field.size, params, macs, layers


print(f"{'choice':<10} {'field':>6} {'params':>9} {'MACs':>13} {'non-linearities':>16}")
for name, (kernel, layers) in CHOICES.items():
    field, params, macs, relus = stack_numbers(kernel, layers)
    print(f"{name:<10} {field:>4}x{field:<1} {params:>9,} {macs:>13,} {relus:>16}")

# %% [markdown]
# At the same field, the 3x3 stack needs $2 \cdot 9 / 25 = 0.72$ of the 5x5 layer's weights
# and MACs, and $3 \cdot 9 / 49 \approx 0.55$ of the 7x7 layer's. The ratios do not depend on
# the channel count or the image size: both cancel.

# %%
for big, small in (("one 5x5", "two 3x3"), ("one 7x7", "three 3x3")):
    _, big_params, big_macs, _ = stack_numbers(*CHOICES[big])
    _, small_params, small_macs, _ = stack_numbers(*CHOICES[small])
    print(f"{small} / {big}: params {small_params / big_params:.3f}, MACs {small_macs / big_macs:.3f}")

# %% [markdown]
# ## The receptive field, measured
#
# The receptive field can also be measured instead of computed: make every weight positive,
# take the gradient of the centre output pixel with respect to the input, and count the
# rows and columns where it is non-zero. These are exactly the input pixels the output
# depends on.


# %%
def measured_field(kernel, layers, size=31):
    """Side of the square of input pixels that the centre output pixel depends on."""
    convs = [nn.Conv2d(1, 1, kernel, padding=kernel // 2, bias=False) for _ in range(layers)]
    for conv in convs:
        nn.init.constant_(conv.weight, 1.0)
    stack = nn.Sequential(*[part for conv in convs for part in (conv, nn.ReLU())])
    image = torch.ones(1, 1, size, size, requires_grad=True)
    stack(image)[0, 0, size // 2, size // 2].backward()
    rows = torch.nonzero(image.grad[0, 0].abs().sum(dim=1))
    return int(rows.max() - rows.min() + 1)


for name, (kernel, layers) in CHOICES.items():
    computed = stack_numbers(kernel, layers)[0]
    print(f"{name:<10} computed {computed}, measured {measured_field(kernel, layers)}")

# %% [markdown]
# ## Forward time on this machine
#
# Counting MACs is arithmetic; what a layer costs in practice has to be measured. The cell
# below times the forward pass of each choice (ReLU after every convolution) on a batch of
# one 64x56x56 feature map, on the CPU, with one thread so that the layers are compared
# rather than the scheduler. **These are measurements**: they change from run to run and from
# machine to machine, which is why the cell prints the machine it ran on. The ratio to the
# single large layer is the number to compare with the MAC ratio above.

# %% tags=["measurement"]
torch.manual_seed(0)
torch.set_num_threads(1)
print(machine())
print(f"torch {torch.__version__}, {torch.get_num_threads()} thread")


def forward_ms(layer, x):
    """Median wall time of `layer(x)` in milliseconds, after two warm-up runs."""
    with torch.inference_mode():
        return median_ms(lambda: layer(x))


def stack(kernel, layers, channels=64):
    parts = []
    for _ in range(layers):
        parts += [nn.Conv2d(channels, channels, kernel, padding=kernel // 2), nn.ReLU()]
    return nn.Sequential(*parts).eval()


x = torch.randn(1, 64, 56, 56)
timings = {name: forward_ms(stack(kernel, layers), x) for name, (kernel, layers) in CHOICES.items()}
for name, (kernel, layers) in CHOICES.items():
    macs = stack_numbers(kernel, layers)[2]
    print(f"{name:<10} {timings[name]:7.2f} ms  {macs / timings[name] / 1e6:6.1f} GMAC/s")
for big, small in (("one 5x5", "two 3x3"), ("one 7x7", "three 3x3")):
    print(f"time {small} / {big}: {timings[small] / timings[big]:.2f}")

# %% [markdown]
# ## What the experiment says
#
# - For the same receptive field, stacked 3x3 layers have fewer weights and fewer MACs than
#   one large kernel (0.72x against 5x5, 0.55x against 7x7), whatever the channel count.
# - They apply two or three non-linearities where the large kernel applies one, so the stack
#   can represent functions the single linear filter cannot (VGG's argument, Simonyan &
#   Zisserman 2015).
# - The measured times usually follow the MAC ratio, and libraries add to that: 3x3 is the
#   case they optimize first (Winograd's $F(2 \times 2, 3 \times 3)$ algorithm, Lavin & Gray
#   2016, needs 2.25 times fewer multiplications). Compare the time ratios printed above with
#   the MAC ratios on the machine you run this on.
# - 1x1 is smaller still, but it sees one pixel: 3x3 is the smallest kernel that looks at a
#   pixel's neighbours on every side, which is why it is the default.
