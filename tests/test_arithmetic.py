"""Hand-checkable cases: the numbers the chapters use, each with its derivation.

Every expected value here can be worked out on paper from the formulas in the comments;
none was copied from the code's output. Where a formula is checked against brute force
(the gridding coverage), the brute force is the definition written out.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import (
    Field,
    LayerGeometry,
    conv_macs,
    conv_output_shape,
    count_conv_params,
    dense_params,
    depthwise_macs,
    depthwise_params,
    effective_kernel_size,
    padding_amounts,
    receptive_field,
    receptive_fields,
    separable_macs,
    separable_params,
    transposed_macs,
    transposed_output_shape,
)
from snippets.geometry import dilated_coverage, dilated_reach, gridding_holes, hdc_max_distance, hdc_rule
from snippets.ops import conv2d
from snippets.receptive import gradient_spread, input_gradient

IMAGE = (224, 224, 3)

# --- output shapes: out = floor((n + p_before + p_after - k_eff) / s) + 1 ----------------


@pytest.mark.parametrize(
    ("filters", "kernel", "stride", "padding", "expected"),
    [
        # 'same', stride 1: out = ceil(224 / 1) = 224
        (64, 3, 1, "same", (224, 224, 64)),
        # 'valid': floor((224 - 3) / 1) + 1 = 222
        (64, 3, 1, "valid", (222, 222, 64)),
        # 'same', stride 2: ceil(224 / 2) = 112
        (64, 3, 2, "same", (112, 112, 64)),
        # 'same' keeps 224 whatever the kernel: 5x5 pads 2 + 2, (224 + 4 - 5) + 1 = 224
        (128, 5, 1, "same", (224, 224, 128)),
        # even kernel: total padding 4 - 1 = 3 -> (1, 2); (224 + 3 - 4) + 1 = 224
        (64, 4, 1, "same", (224, 224, 64)),
        # 'valid' with stride 2: floor((224 - 3) / 2) + 1 = 110 + 1 = 111
        (32, 3, 2, "valid", (111, 111, 32)),
        # PyTorch padding=1, stride 2: floor((224 + 2 - 3) / 2) + 1 = 111 + 1 = 112
        (64, 3, 2, 1, (112, 112, 64)),
        # 7x7 stride 2 padding 3 (ResNet stem): floor((224 + 6 - 7) / 2) + 1 = 112
        (64, 7, 2, 3, (112, 112, 64)),
        # asymmetric kernel (1, 7), 'valid': 224 - 1 + 1 = 224 rows, 224 - 7 + 1 = 218 cols
        (8, (1, 7), 1, "valid", (224, 218, 8)),
        # nested padding ((0, 1), (2, 3)), 3x3: 224 + 1 - 3 + 1 = 223, 224 + 5 - 3 + 1 = 227
        (8, 3, 1, ((0, 1), (2, 3)), (223, 227, 8)),
    ],
)
def test_conv_output_shape_on_224(filters, kernel, stride, padding, expected):
    assert conv_output_shape(IMAGE, filters, kernel, stride, padding) == expected


def test_even_kernel_same_gives_224_with_the_odd_pixel_bottom_right():
    # total = (ceil(224/1) - 1) * 1 + 4 - 224 = 3: 1 before, 2 after (Keras/TF put the extra
    # pixel at the bottom/right). The source document's (224 - 4 + 2 * 1) + 1 = 223 is wrong.
    assert conv_output_shape(IMAGE, 64, 4, 1, "same") == (224, 224, 64)
    assert padding_amounts(IMAGE, 4, 1, "same") == ((1, 2), (1, 2))


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "expected"),
    [
        # stride 2, 3x3 on 224: out 112, total (112 - 1) * 2 + 3 - 224 = 1 -> (0, 1)
        (224, 3, 2, (0, 1)),
        # on 225: out 113, total 112 * 2 + 3 - 225 = 2 -> (1, 1)
        (225, 3, 2, (1, 1)),
        # 3x3 stride 1: total 2 -> (1, 1); 5x5: total 4 -> (2, 2)
        (224, 3, 1, (1, 1)),
        (224, 5, 1, (2, 2)),
        # 1x1 stride 2 on 224: total (112 - 1) * 2 + 1 - 224 = -1 -> no padding
        (224, 1, 2, (0, 0)),
    ],
)
def test_same_padding_amounts(size, kernel, stride, expected):
    assert padding_amounts((size, size, 3), kernel, stride, "same") == (expected, expected)


def test_padding_amounts_valid_and_numeric():
    assert padding_amounts(IMAGE, 3) == ((0, 0), (0, 0))  # 'valid' adds nothing
    assert padding_amounts(IMAGE, 3, 1, 2) == ((2, 2), (2, 2))  # p on every side
    assert padding_amounts(IMAGE, 3, 1, (1, 2)) == ((1, 1), (2, 2))  # (ph, pw)
    assert padding_amounts(IMAGE, 3, 1, ((0, 1), (2, 3))) == ((0, 1), (2, 3))


@pytest.mark.parametrize(
    ("dilation", "expected"),
    # k_eff = d (k - 1) + 1 with k = 3: 1*2+1 = 3, 2*2+1 = 5, 4*2+1 = 9, 8*2+1 = 17
    [(1, 3), (2, 5), (4, 9), (8, 17)],
)
def test_effective_kernel_size(dilation, expected):
    assert effective_kernel_size(3, dilation) == expected


def test_effective_kernel_size_pairs():
    # (3, 5) with (2, 1): 2*2+1 = 5 rows, 1*4+1 = 5 cols
    assert effective_kernel_size((3, 5), (2, 1)) == (5, 5)


def test_dilated_same_and_valid():
    # 3x3 dilation 2 spans 5: 'valid' 224 - 5 + 1 = 220; 'same' keeps 224 with (2, 2)
    assert conv_output_shape(IMAGE, 8, 3, dilation=2) == (220, 220, 8)
    assert conv_output_shape(IMAGE, 8, 3, 1, "same", dilation=2) == (224, 224, 8)
    assert padding_amounts(IMAGE, 3, 1, "same", dilation=2) == ((2, 2), (2, 2))


# --- transposed: Keras 'same' n s; PyTorch (n - 1) s - 2 p + d (k - 1) + op + 1 -------------


def test_transposed_doubles_7_to_14():
    # Keras 'same', stride 2: 7 * 2 = 14
    assert transposed_output_shape((7, 7, 512), 256, 4, 2, "same") == (14, 14, 256)
    # Keras 'valid': 7 * 2 + max(4 - 2, 0) = 16
    assert transposed_output_shape((7, 7, 512), 256, 4, 2, "valid") == (16, 16, 256)
    # PyTorch k=4, s=2, p=1: (7 - 1) * 2 - 2 + 3 + 0 + 1 = 14
    assert transposed_output_shape((7, 7, 512), 256, 4, 2, 1) == (14, 14, 256)
    # PyTorch k=3, s=2, p=1, op=1: 12 - 2 + 2 + 1 + 1 = 14
    assert transposed_output_shape((7, 7, 128), 64, 3, 2, 1, output_padding=1) == (14, 14, 64)
    # Keras 'same' k=3 with output_padding=1: (7 - 1) * 2 + 3 - 2 * 1 + 1 = 14
    assert transposed_output_shape((7, 7, 128), 64, 3, 2, "same", output_padding=1) == (14, 14, 64)
    # PyTorch k=3, s=2, p=1 without op: 12 - 2 + 2 + 1 = 13
    assert transposed_output_shape((7, 7, 128), 64, 3, 2, 1) == (13, 13, 64)


# --- parameter counts: kh kw C_in C_out + C_out ----------------------------------------


@pytest.mark.parametrize(
    ("c_in", "filters", "expected"),
    [
        (3, 64, 1_792),  # 3*3*3*64 = 1,728, + 64 biases
        (32, 64, 18_496),  # 3*3*32*64 = 18,432, + 64
        (64, 128, 73_856),  # 3*3*64*128 = 73,728, + 128
        (128, 256, 295_168),  # 3*3*128*256 = 294,912, + 256
    ],
)
def test_count_conv_params_3x3(c_in, filters, expected):
    assert count_conv_params(c_in, filters, 3) == expected


def test_count_conv_params_variants():
    assert count_conv_params(64, 128, 3, use_bias=False) == 73_728  # the biases go
    assert count_conv_params(256, 64, 1) == 16_448  # 1x1: 256*64 = 16,384, + 64
    assert count_conv_params(256, 64, 1, False) == 16_384
    # groups=4: each filter sees 64/4 = 16 channels: 3*3*16*128 = 18,432, + 128
    assert count_conv_params(64, 128, 3, groups=4) == 18_560
    assert count_conv_params(3, 8, (1, 7)) == 1 * 7 * 3 * 8 + 8  # 176


def test_depthwise_params():
    # one 3x3 filter per channel: 3*3*64 = 576, + 64 biases
    assert depthwise_params(64, 3) == 640
    assert depthwise_params(64, 3, use_bias=False) == 576
    # multiplier 2: 3*3*64*2 = 1,152, + 128
    assert depthwise_params(64, 3, depth_multiplier=2) == 1_280


def test_separable_params_64_to_128():
    # depthwise 3*3*64 = 576, pointwise 64*128 = 8,192, one bias per output: 128
    assert separable_params(64, 128, 3) == 8_896
    assert separable_params(64, 128, 3, use_bias=False) == 8_768  # 576 + 8,192
    # 73,856 / 8,896 = 8.30... fewer parameters than the regular 3x3
    assert round(count_conv_params(64, 128, 3) / separable_params(64, 128, 3), 2) == 8.30
    # multiplier 2: 576*2 + 128*128 + 128 = 1,152 + 16,384 + 128
    assert separable_params(64, 128, 3, depth_multiplier=2) == 17_664


def test_dense_params():
    assert dense_params(512, 10) == 5_130  # 512*10 + 10
    assert dense_params(512, 10, False) == 5_120


# --- MACs: out_h out_w C_out kh kw C_in / groups ----------------------------------------


def test_conv_macs():
    # 224*224 outputs * 64 filters * 3*3*3 = 50,176 * 64 * 27 = 86,704,128
    assert conv_macs(IMAGE, 64, 3, 1, "same") == 86_704_128
    # 1x1, 256 -> 64 on 56x56: 3,136 * 64 * 256 = 51,380,224
    assert conv_macs((56, 56, 256), 64, 1) == 51_380_224
    # groups=4 divides the dot product by 4
    assert conv_macs((56, 56, 256), 64, 1, groups=4) == 51_380_224 // 4


def test_depthwise_and_separable_macs():
    # depthwise 3x3 'same' on 56x56x64: 3,136 * 64 * 9 = 1,806,336
    assert depthwise_macs((56, 56, 64), 3, 1, "same") == 1_806_336
    # + pointwise 3,136 * 64 * 128 = 25,690,112
    assert separable_macs((56, 56, 64), 128, 3, 1, "same") == 1_806_336 + 25_690_112


def test_transposed_macs():
    # every input pixel scatters through the whole kernel: 7*7*512 * 4*4*256
    assert transposed_macs((7, 7, 512), 256, 4, 2, "same") == 49 * 512 * 16 * 256


def test_transposed_defaults_are_valid_like_the_frameworks():
    # Keras Conv2DTranspose defaults to 'valid', torch ConvTranspose2d to padding=0, and
    # conv_output_shape to 'valid': without padding, 4x4 stride 2 on 7 gives 7*2 + (4 - 2) = 16
    assert transposed_output_shape((7, 7, 512), 256, 4, 2) == (16, 16, 256)
    assert transposed_output_shape((7, 7, 512), 256, 4, 2) == transposed_output_shape(
        (7, 7, 512), 256, 4, 2, "valid"
    )
    # 'same' with output_padding=0 on a 1x1 input and a 2x2 kernel at stride 1 crops to
    # (1 - 1) + 2 - 2 * 1 + 0 = 0 pixels; 'valid' gives (1 - 1) + 2 + 0 = 2, so 4 taps of 1 MAC
    assert transposed_macs((1, 1, 1), 1, 2, 1, output_padding=0) == 1 * 1 * 1 * 2 * 2 * 1


# --- receptive fields: r_l = r_{l-1} + (k_eff - 1) S_{l-1} ------------------------------


def test_stacked_3x3_fields():
    # two 3x3: 1 + 2 + 2 = 5; three: 1 + 2 + 2 + 2 = 7
    assert receptive_field([LayerGeometry(3)] * 2).size == 5
    assert receptive_field([LayerGeometry(3)] * 3).size == 7
    assert [f.size for f in receptive_fields([(3,)] * 3)] == [3, 5, 7]


def test_strided_and_dilated_fields():
    # 3x3 s2 then 3x3: r = 3 + 2 * 2 = 7, S = 2
    assert receptive_field([LayerGeometry(3, 2), LayerGeometry(3)]) == Field(7, 2, 0)
    # dilations 1, 2, 4 of 3x3: k_eff 3, 5, 9 -> 1 + 2 + 4 + 8 = 15
    assert receptive_field([LayerGeometry(3, 1, d) for d in (1, 2, 4)]).size == 15
    # ResNet stem: 7x7 s2 p3 then 3x3 s2 p1 max-pool: r = 7 + 2 * 2 = 11, S = 4, P = 3 + 1 * 2 = 5
    assert receptive_field([LayerGeometry(7, 2, 1, 3), LayerGeometry(3, 2, 1, 1)]) == Field(11, 4, 5)
    assert receptive_field([]) == Field(1, 1, 0)  # no layer: one pixel sees itself


# --- gridding: offsets j = sum_l u_l d_l, 0 <= u_l < k, reached by a dilated stack ------


def test_coverage_of_hand_counted_stacks():
    # rates 3, 4 with 3 taps: {0, 3, 6} + {0, 4, 8} = {0, 3, 4, 6, 7, 8, 10, 11, 14} in 0..14
    assert gridding_holes([3, 4]) == [1, 2, 5, 9, 12, 13]
    assert dilated_coverage([3, 4]).tolist() == [j in {0, 3, 4, 6, 7, 8, 10, 11, 14} for j in range(15)]
    # rates 2, 2: {0, 2, 4} + {0, 2, 4} = the even offsets of 0..8
    assert gridding_holes([2, 2]) == [1, 3, 5, 7]
    # rates 1, 2: {0, 1, 2} + {0, 2, 4} = 0..6, no hole
    assert gridding_holes([1, 2]) == []
    # one layer at rate 1 is a plain kernel; at rate d it reads every d-th pixel
    assert gridding_holes([1], kernel_size=5) == []
    assert gridding_holes([3], kernel_size=2) == [1, 2]


def test_no_common_factor_is_not_enough():
    # gcd(1, 5, 9) = 1: {0, 1, 2} + {0, 5, 10} + {0, 9, 18} misses 3 (3 is no sum of these)
    assert 3 in gridding_holes([1, 5, 9])
    # gcd(3, 4) = 1, and 1 = 4 - 3 would need a negative tap
    assert 1 in gridding_holes([3, 4])


@given(
    rates=st.lists(st.integers(1, 9), min_size=1, max_size=4),
    kernel_size=st.integers(1, 5),
)
def test_coverage_equals_brute_force_sums(rates, kernel_size):
    """Every choice of one tap per layer, summed, against ``dilated_coverage``."""
    sums = {
        sum(u * d for u, d in zip(taps, rates, strict=True))
        for taps in itertools.product(range(kernel_size), repeat=len(rates))
    }
    span = (kernel_size - 1) * sum(rates) + 1
    assert dilated_coverage(rates, kernel_size).tolist() == [j in sums for j in range(span)]
    assert gridding_holes(rates, kernel_size) == sorted(set(range(span)) - sums)
    # a common factor g > 1 leaves every offset that is no multiple of g unreached
    if kernel_size > 1 and math.gcd(*rates) > 1:
        assert 1 in gridding_holes(rates, kernel_size)


@settings(max_examples=200)  # each case runs whole stacks; 200 also under CI
@given(rates=st.lists(st.integers(1, 6), min_size=1, max_size=3), kernel_size=st.integers(1, 4))
def test_coverage_is_where_dilated_reach_counts_paths(rates, kernel_size):
    """In 2-D the pixels with at least one path are the product of the axes' coverage."""
    line = dilated_coverage(rates, kernel_size)
    assert ((dilated_reach(rates, kernel_size) > 0) == np.outer(line, line)).all()


def test_hdc_distances_of_wang_et_al():
    # M_3 = 5, M_2 = max(5 - 2*2, 5 - 2*(5 - 2), 2) = max(1, -1, 2) = 2 <= 3
    assert hdc_max_distance([1, 2, 5]) == 2 and hdc_rule([1, 2, 5])
    # M_3 = 9, M_2 = max(9 - 4, 9 - 14, 2) = 5 > 3
    assert hdc_max_distance([1, 2, 9]) == 5 and not hdc_rule([1, 2, 9])
    # (2, 2): M_2 = 2 <= 3, but r_1 = 2 leaves the odd offsets: the rule needs r_1 = 1
    assert hdc_max_distance([2, 2]) == 2 and not hdc_rule([2, 2])


@pytest.mark.parametrize("kernel_size", [3, 4, 5])
def test_hdc_rule_is_sufficient_not_necessary(kernel_size):
    """Over every stack of 1 to 4 layers with rates 1..8: the rule never passes a stack with
    holes, and it refuses some stacks without any."""
    refused_without_holes = 0
    for depth in range(1, 5):
        for rates in itertools.product(range(1, 9), repeat=depth):
            holes = gridding_holes(rates, kernel_size)
            if hdc_rule(rates, kernel_size):
                assert holes == [], rates
            elif not holes:
                refused_without_holes += 1
    assert refused_without_holes > 0
    assert not hdc_rule([2, 1], kernel_size) and gridding_holes([2, 1], kernel_size) == []


def test_hdc_rule_is_not_sufficient_for_two_taps():
    # k = 2: M_2 = max(5 - 4, 5 - 6, 2) = 2 <= 2, but {0, 1} + {0, 2} + {0, 5} misses 4
    assert hdc_rule([1, 2, 5], kernel_size=2) and gridding_holes([1, 2, 5], kernel_size=2) == [4]


# --- effective receptive field: g_{l-1}[i + u, j + v] += g_l[i, j] w_l[u, v] ------------


def test_input_gradient_of_hand_counted_stacks():
    # one layer: out = sum_uv w[u, v] x[u, v], so the gradient is the kernel itself
    kernel = np.arange(6.0).reshape(2, 3)
    assert (input_gradient([kernel]) == kernel).all()
    # two 3x3 layers of ones: paths per pixel along an axis 1 2 3 2 1, in 2-D their product
    assert (input_gradient(np.ones((2, 3, 3))) == np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])).all()
    # no layer: the output pixel is its own input
    assert (input_gradient([]) == np.ones((1, 1))).all()


@settings(max_examples=200)  # each case runs whole stacks; 200 also under CI
@given(
    depth=st.integers(1, 3),
    sizes=st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3)), min_size=3, max_size=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_input_gradient_is_the_forward_pass_one_pixel_at_a_time(depth, sizes, seed):
    """The stack is linear, so the gradient at pixel (i, j) is the output for the input that
    is 1 at (i, j) and 0 elsewhere, computed forward with ``snippets.ops.conv2d``."""
    rng = np.random.default_rng(seed)
    kernels = [rng.standard_normal(size) for size in sizes[:depth]]
    gradient = input_gradient(kernels)
    height, width = gradient.shape
    x = np.eye(height * width).reshape(height * width, height, width, 1)  # batch of one-hot images
    for kernel in kernels:
        x = conv2d(x, kernel[:, :, None, None])
    assert x.shape == (height * width, 1, 1, 1)
    assert np.allclose(x.reshape(height, width), gradient)


def test_gradient_spread_is_a_standard_deviation():
    # rows weighted 1, 1: centre 0.5, sigma = sqrt((0.25 + 0.25) / 2) = 0.5
    assert gradient_spread(np.ones((2, 4))) == 0.5
    # one hot row: no spread
    assert gradient_spread(np.array([[0.0], [5.0], [0.0]])) == 0.0
    # n layers of a 3-tap kernel of ones: a sum of n steps in {-1, 0, 1}, variance 2 n / 3
    assert np.isclose(gradient_spread(input_gradient(np.ones((6, 3, 3)))), np.sqrt(2 * 6 / 3))
