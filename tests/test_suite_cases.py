"""PyTorch's own convolution test cases, in every rank, expressed with snippets.

The module tests that ship with torch (``torch/testing/_internal/common_nn.py``, read from the
installed torch, not copied) give each ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` case as
constructor arguments and an input size; the configurations of torch's test files follow as data. Each is built and run in torch here, and snippets
must give the same output shape and parameter count from the same arguments.

``TORCH_TEST_SUITE_CASES`` adds the 1-D and 3-D configurations of PyTorch's repository tests
(test/nn/test_convolution.py and test/test_mkldnn.py, which torch does not ship), as data: each is
built as the torch module, run on zeros, and compared the same way; where torch refuses it, snippets
must raise ValueError.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
import torch

import snippets

pytestmark = pytest.mark.parity

CONV_ARGS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")
TRANSPOSED_ARGS = (
    "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
    "dilation",
)  # fmt: skip


def suite_cases() -> list[tuple[str, tuple, tuple, str]]:
    """``(module name, constructor args, input size, description)`` of every convolution case
    whose arguments are literals in torch's common_nn.py."""
    source = pathlib.Path(torch.__file__).parent / "testing" / "_internal" / "common_nn.py"
    cases = []
    for node in ast.walk(ast.parse(source.read_text())):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict"):
            continue
        fields = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        name = fields.get("module_name")
        if not (isinstance(name, ast.Constant) and str(name.value).startswith(("Conv1d", "Conv2d", "Conv3d",
                                                                                "ConvTranspose"))):  # fmt: skip
            continue
        try:
            args, size = ast.literal_eval(fields["constructor_args"]), ast.literal_eval(fields["input_size"])
        except (KeyError, ValueError):
            continue
        desc = fields.get("desc")
        cases.append((name.value, args, size, desc.value if isinstance(desc, ast.Constant) else ""))
    return cases


CASES = suite_cases()


def test_the_suite_has_cases_in_every_rank():
    names = {name for name, *_ in CASES}
    assert {"Conv1d", "Conv3d", "ConvTranspose1d", "ConvTranspose3d", "Conv2d"} <= names
    assert sum(name[-2] in "13" for name, *_ in CASES) >= 15


# Configurations read from PyTorch's own test/nn/test_convolution.py (pytorch/pytorch on GitHub), as data
# only: (test function, module, input spatial size, C_in, C_out, kernel, options). Cases that the tests
# write with F.conv1d/F.conv3d are given as the module with the same weight shape. Loops in the tests are
# kept as the products of the values they loop over.
def _case(test, module, spatial, c_in, c_out, kernel, **options):
    return (test, module, tuple(spatial), c_in, c_out, kernel, tuple(sorted(options.items())))


def _products(test, ranks, sizes, strides, paddings, bias=(True, False), c_in=2, c_out=3):
    """run_grad_conv_test's loops: (kernel, input size) pairs x stride x padding x bias, C_in 2 -> C_out 3."""
    return [
        _case(test, f"Conv{rank}d", (n,) * rank, c_in, c_out, k, stride=s, padding=p, bias=b)
        for rank in ranks
        for k, n in sizes
        for s in strides
        for p in paddings
        for b in bias
    ]


TORCH_TEST_SUITE_CASES = [
    # test_invalid_conv1d: a kernel longer than the input, refused
    _case("test_invalid_conv1d", "Conv1d", (4,), 3, 33, 10),
    # test_invalid_conv3d: kernel 3 dilated by 2 spans 5 > 4, refused
    _case("test_invalid_conv3d", "Conv3d", (4, 4, 4), 1, 1, 3, dilation=2, stride=2),
    # test_Conv1d_module_same_padding
    _case("test_Conv1d_module_same_padding", "Conv1d", (20,), 1, 1, 10, padding="same"),
    _case("test_Conv1d_module_same_padding", "Conv1d", (20,), 1, 1, 10, padding="same", dilation=2),
    _case(
        "test_Conv1d_module_same_padding", "Conv1d", (20,), 1, 1, 10, padding="same", padding_mode="replicate"
    ),
    _case("test_Conv1d_module_same_padding", "Conv1d", (20,), 1, 1, 10, padding="valid"),
    # test_Conv1d_module_same_padding: an unknown padding string, refused (on a 20-long input of 3 channels)
    _case("test_Conv1d_module_same_padding", "Conv1d", (20,), 3, 33, 10, padding="foo"),
    # test_Conv3d_module_same_padding
    _case("test_Conv3d_module_same_padding", "Conv3d", (4, 4, 4), 1, 1, (2, 3, 4), padding="same"),
    _case("test_Conv3d_module_same_padding", "Conv3d", (10, 10, 10), 3, 33, 10, padding="foo"),
    _case(
        "test_Conv3d_module_same_padding",
        "Conv3d",
        (4, 4, 4),
        1,
        1,
        (2, 3, 4),
        padding="same",
        dilation=(3, 2, 1),
    ),  # fmt: skip
    _case(
        "test_Conv3d_module_same_padding",
        "Conv3d",
        (4, 4, 4),
        1,
        1,
        (2, 3, 4),
        padding="same",
        padding_mode="circular",
    ),  # fmt: skip
    _case("test_Conv3d_module_same_padding", "Conv3d", (4, 4, 4), 1, 1, (2, 3, 4), padding="valid"),
    # test_thnn_conv_strided_padded_dilated: (stride, padding, dilation) on a 4^3 input, 1^3 kernel, 2 -> 2
    *[
        _case(
            "test_thnn_conv_strided_padded_dilated",
            module,
            (4, 4, 4),
            2,
            2,
            1,
            stride=s,
            padding=p,
            dilation=d,
        )
        for module in ("Conv3d", "ConvTranspose3d")
        for s, p, d in ((2, 0, 1), (1, 1, 1), (2, 1, 1), (1, 0, 2))
    ],
    # test_cudnn_non_contiguous
    _case("test_cudnn_non_contiguous", "Conv1d", (50,), 16, 32, 2),
    # test_conv_modules_raise_error_on_incorrect_input_size: the modules on a valid input
    _case("test_conv_modules_raise_error_on_incorrect_input_size", "Conv1d", (3,), 3, 8, 3),
    _case("test_conv_modules_raise_error_on_incorrect_input_size", "ConvTranspose1d", (3,), 3, 8, 3),
    _case("test_conv_modules_raise_error_on_incorrect_input_size", "Conv3d", (3, 3, 3), 3, 8, 3),
    _case("test_conv_modules_raise_error_on_incorrect_input_size", "ConvTranspose3d", (3, 3, 3), 3, 8, 3),
    # test_conv_shapecheck: the first two are refused by torch
    _case("test_conv_shapecheck", "Conv1d", (2,), 1, 1, 3),
    _case("test_conv_shapecheck", "Conv1d", (2,), 1, 1, 3, stride=2),
    _case("test_conv_shapecheck", "Conv1d", (2,), 1, 1, 2),
    _case("test_conv_shapecheck", "Conv1d", (2,), 1, 1, 2, stride=2),
    _case("test_conv_shapecheck", "Conv1d", (2,), 1, 1, 3, stride=2, padding=1),
    _case("test_conv_shapecheck", "Conv3d", (2, 2, 2), 1, 1, (3, 3, 3)),
    _case("test_conv_shapecheck", "Conv3d", (3, 3, 3), 1, 1, (3, 3, 3)),
    _case("test_conv_shapecheck", "Conv3d", (2, 2, 2), 1, 1, (3, 3, 3), padding=1),
    # test_ConvTranspose3d_correct_output_size
    _case("test_ConvTranspose3d_correct_output_size", "ConvTranspose3d", (1, 1, 1), 2, 2, 2),
    # test_Conv3d_groups_nobias / test_Conv3d_groups_wbias and their one-group halves
    _case("test_Conv3d_groups_nobias", "Conv3d", (6, 6, 6), 4, 16, 3, groups=2, bias=False),
    _case("test_Conv3d_groups_nobias", "Conv3d", (6, 6, 6), 2, 8, 3, bias=False),
    _case("test_Conv3d_groups_wbias", "Conv3d", (6, 6, 6), 4, 16, 3, groups=2),
    _case("test_Conv3d_groups_wbias", "Conv3d", (6, 6, 6), 2, 8, 3),
    # test_Conv3d_depthwise_naive_groups: depth multiplier 1 and 2, and the halves
    *[
        _case("test_Conv3d_depthwise_naive_groups", "Conv3d", (6, 6, 6), c_in, c_in * m, 3, groups=c_in)
        for m in (1, 2)
        for c_in in (2, 1)
    ],
    # test_conv_tbc: time 9, channels 5 -> 6, kernel 3, padding 3 (conv_tbc is a Conv1d)
    _case("test_conv_tbc", "Conv1d", (9,), 5, 6, 3, padding=3),
    # test_cudnn_noncontiguous_weight
    _case("test_cudnn_noncontiguous_weight", "Conv1d", (3,), 1, 1, 2, stride=2, dilation=2, bias=False),
    # test_grad_conv1d_input/weight, test_grad_conv3d_input/weight (run_grad_conv_test)
    *_products("test_grad_conv{1,3}d_input/weight", (1, 3), ((3, 6), (3, 7), (4, 9)), (1, 2), (0, 1, 2)),
    # test_functional_grad_conv: 1-D and 3-D parts
    _case("test_functional_grad_conv", "Conv1d", (5,), 1, 1, 3, dilation=2, bias=False),
    _case("test_functional_grad_conv", "Conv3d", (5, 5, 5), 1, 1, 3, dilation=2, bias=False),
    # test_conv3d_issue_120406
    _case("test_conv3d_issue_120406", "Conv3d", (8, 9, 26), 3, 3, (1, 1, 17), groups=3, bias=False),
    # test_conv1d_issue_120547: a (1, 1, 16) input transposed to 16 channels of length 1
    _case("test_conv1d_issue_120547", "Conv1d", (1,), 16, 16, 32, padding=16, groups=16),
    # test_conv1d_same_padding: input 50..54, kernel 1, 2, 3, 8, dilation 1..3, stride 1
    *[
        _case("test_conv1d_same_padding", "Conv1d", (n,), 1, 1, k, padding="same", dilation=d, bias=False)
        for n in range(50, 55)
        for k in (1, 2, 3, 8)
        for d in range(1, 4)
    ],
    # test_conv1d_same_padding: the manual paddings it compares against
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 3, padding=1, bias=False),
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 4, padding=3, dilation=2, bias=False),
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 4, padding=5, dilation=3, bias=False),
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 3, padding="same", bias=False),
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 4, padding="same", dilation=2, bias=False),
    _case("test_conv1d_same_padding", "Conv1d", (12,), 1, 1, 4, padding="same", dilation=3, bias=False),
    # test_conv3d_same_padding
    _case("test_conv3d_same_padding", "Conv3d", (10, 11, 12), 1, 1, (1, 2, 5), padding=(0, 1, 2), bias=False),
    _case("test_conv3d_same_padding", "Conv3d", (10, 11, 12), 1, 1, (1, 2, 5), padding="same", bias=False),
    _case(
        "test_conv3d_same_padding",
        "Conv3d",
        (10, 11, 12),
        1,
        1,
        (1, 2, 5),
        padding=(0, 1, 4),
        dilation=2,
        bias=False,
    ),  # fmt: skip
    _case(
        "test_conv3d_same_padding",
        "Conv3d",
        (10, 11, 12),
        1,
        1,
        (1, 2, 5),
        padding="same",
        dilation=2,
        bias=False,
    ),  # fmt: skip
    _case("test_conv3d_same_padding", "Conv3d", (10, 11, 12), 1, 1, 4, padding=5, dilation=3, bias=False),
    _case(
        "test_conv3d_same_padding", "Conv3d", (10, 11, 12), 1, 1, 4, padding="same", dilation=3, bias=False
    ),
    # test_conv1d_valid_padding / test_conv3d_valid_padding
    _case("test_conv1d_valid_padding", "Conv1d", (10,), 1, 1, 4, padding="valid", bias=False),
    _case("test_conv1d_valid_padding", "Conv1d", (10,), 1, 1, 4, bias=False),
    _case("test_conv3d_valid_padding", "Conv3d", (1, 1, 10), 1, 1, (1, 1, 4), padding="valid", bias=False),
    _case("test_conv3d_valid_padding", "Conv3d", (1, 1, 10), 1, 1, (1, 1, 4), bias=False),
    # test_conv1d_same_padding_backward
    _case("test_conv1d_same_padding_backward", "Conv1d", (12,), 1, 1, 4, padding=3, dilation=2, bias=False),
    _case("test_conv1d_same_padding_backward", "Conv1d", (12,), 1, 1, 4, padding=2, bias=False),
    _case("test_conv1d_same_padding_backward", "Conv1d", (12,), 1, 1, 4, padding="same", bias=False),
    # test_conv3d_same_padding_backward
    _case(
        "test_conv3d_same_padding_backward",
        "Conv3d",
        (1, 11, 12),
        1,
        1,
        (1, 2, 5),
        padding=(0, 1, 4),
        dilation=2,
        bias=False,
    ),  # fmt: skip
    _case(
        "test_conv3d_same_padding_backward",
        "Conv3d",
        (1, 11, 12),
        1,
        1,
        (1, 2, 5),
        padding="same",
        dilation=2,
        bias=False,
    ),  # fmt: skip
    _case("test_conv3d_same_padding_backward", "Conv3d", (1, 11, 12), 1, 1, (1, 4, 4), padding=2, bias=False),
    _case(
        "test_conv3d_same_padding_backward",
        "Conv3d",
        (1, 11, 12),
        1,
        1,
        (1, 4, 4),
        padding="same",
        bias=False,
    ),  # fmt: skip
    # test_conv1d_valid_padding_backward
    _case("test_conv1d_valid_padding_backward", "Conv1d", (10,), 1, 1, 4, padding=0, bias=False),
    # test_conv_backend: the subtests' (input, transposed, dilated, groups) x strided x has_bias; C_in 6 -> 12,
    # kernel 3, stride 2 when strided, dilation 2 when dilated, padding 0
    *[
        _case(
            "test_conv_backend",
            f"Conv{'Transpose' if t else ''}{len(n)}d",
            n,
            6,
            12,
            3,
            stride=s,
            dilation=d,
            groups=g,
            bias=b,
        )  # fmt: skip
        for n, t, d, g in (
            ((7,), False, 1, 3),
            ((7,), True, 1, 3),
            ((7,), False, 2, 3),
            ((7,), True, 2, 3),
            ((7,), False, 1, 6),
            ((7, 8, 9), False, 1, 3),
            ((7, 8, 9), False, 2, 3),
            ((7, 8, 9), True, 1, 3),
            ((7, 8, 9), False, 1, 6),
        )
        for s in (1, 2)
        for b in (False, True)
    ],
    # test_conv3d_vs_scipy: even and odd kernels on (5, 5, 10), 'valid' and the manual 'same' padding k // 2
    *[
        _case("test_conv3d_vs_scipy", "Conv3d", n, 1, 1, k, padding=p, bias=False)
        for k in ((2, 2, 4), (2, 3, 5))
        for n, p in (
            ((5, 5, 10), "valid"),
            (tuple(m + 2 * (j // 2) for m, j in zip((5, 5, 10), k, strict=True)), 0),
        )
    ],
    # test_conv3d_valid_padding_backward
    _case("test_conv3d_valid_padding_backward", "Conv3d", (1, 1, 10), 1, 1, (1, 1, 4), padding=0, bias=False),
    # test_conv_transpose_with_output_size_and_no_batch_dim (ConvTranspose3d part, without output_size)
    _case(
        "test_conv_transpose_with_output_size_and_no_batch_dim",
        "ConvTranspose3d",
        (15, 13, 13),
        1,
        1,
        16,
        stride=16,
        padding=7,
        bias=False,
    ),  # fmt: skip
    # test_conv_noncontig_weights: 3 -> 3 channels, kernel 3 on 5, groups 1 and 3, conv and transposed
    *[
        _case("test_conv_noncontig_weights", f"Conv{kind}{rank}d", (5,) * rank, 3, 3, 3, groups=g)
        for rank in (1, 3)
        for kind in ("", "Transpose")
        for g in (1, 3)
    ],
    # test_ConvTranspose3d_size_1_kernel
    _case("test_ConvTranspose3d_size_1_kernel", "ConvTranspose3d", (3, 5, 5), 3, 3, 1),
    # test_conv_cudnn_ndhwc
    _case("test_conv_cudnn_ndhwc", "Conv3d", (4, 4, 4), 8, 4, 3),
    _case("test_conv_cudnn_ndhwc", "Conv3d", (4, 4, 4), 8, 8, 3, groups=8),
    _case("test_conv_cudnn_ndhwc", "Conv3d", (18, 18, 18), 16, 16, 3),
    _case("test_conv_cudnn_ndhwc", "Conv3d", (18, 18, 18), 16, 16, 3, groups=16),
    # test_convert_conv3d_weight_memory_format
    _case("test_convert_conv3d_weight_memory_format", "ConvTranspose3d", (4, 4, 4), 8, 4, 3),
    # test_conv_double_backward_strided_with_3D_input_and_weight
    _case(
        "test_conv_double_backward_strided_with_3D_input_and_weight",
        "Conv1d",
        (6,),
        3,
        3,
        3,
        stride=2,
        padding=1,
    ),  # fmt: skip
    # test_conv1d_vs_scipy: even and odd kernels, 'valid' and the manual 'same' padding k // 2
    *[_case("test_conv1d_vs_scipy", "Conv1d", (10,), 1, 1, k, padding="valid", bias=False) for k in (4, 5)],
    *[_case("test_conv1d_vs_scipy", "Conv1d", (10 + 2 * (k // 2),), 1, 1, k, bias=False) for k in (4, 5)],
]


def _mkldnn(test, module, spatial, skip_depthwise_transposed=False):
    """test_mkldnn.py's loops: kernel 3, stride 2, padding 1, dilation 1/2, groups 1/4, bias, with
    C_in and C_out each 1 or 2 times groups (the test draws the multiplier at random from 1..2)."""
    return [
        _case(test, module, spatial, a * g, b * g, 3, stride=2, padding=1, dilation=d, groups=g, bias=bias)
        for bias in (True, False)
        for d in (1, 2)
        for g in (1, 4)
        for a in (1, 2)
        for b in (1, 2)
        if not (skip_depthwise_transposed and g > 1 and a == 1)
    ]


# From PyTorch's test/test_mkldnn.py (pytorch/pytorch on GitHub), the same kind of data.
TORCH_MKLDNN_CASES = [
    # test_conv1d / test_conv3d (_test_conv_base): inputs 224 and 55^3
    *_mkldnn("test_conv1d", "Conv1d", (224,)),
    *_mkldnn("test_conv3d", "Conv3d", (55, 55, 55)),
    # test_conv_deconv_1d/3d_lower_precision: the transposed half skips groups > 1 with C_in == groups
    *_mkldnn(
        "test_conv_deconv_1d_lower_precision", "ConvTranspose1d", (224,), skip_depthwise_transposed=True
    ),
    *_mkldnn(
        "test_conv_deconv_3d_lower_precision", "ConvTranspose3d", (55, 55, 55), skip_depthwise_transposed=True
    ),  # fmt: skip
    # test_conv_nhwc_fp32 / test_conv_transpose_nhwc_fp32 (_test_conv_deconv_nhwc_base): input 14^3
    *_mkldnn("test_conv_nhwc_fp32", "Conv3d", (14, 14, 14)),
    *_mkldnn("test_conv_transpose_nhwc_fp32", "ConvTranspose3d", (14, 14, 14)),
]
TORCH_TEST_SUITE_CASES = TORCH_TEST_SUITE_CASES + TORCH_MKLDNN_CASES


def _distinct(cases):
    seen, kept = set(), []
    for case in cases:
        if case[1:] not in seen:
            seen.add(case[1:])
            kept.append(case)
    return kept


TORCH_TEST_SUITE_CASES = _distinct(TORCH_TEST_SUITE_CASES)


def test_the_test_suite_list_has_many_1d_and_3d_cases():
    assert len(TORCH_TEST_SUITE_CASES) >= 400
    assert len(set(TORCH_TEST_SUITE_CASES)) == len(TORCH_TEST_SUITE_CASES)
    assert {case[1] for case in TORCH_TEST_SUITE_CASES} == {
        "Conv1d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose3d",
    }


def _common_nn_case(name: str, args: tuple, size: tuple, desc: str) -> tuple:
    """A common_nn.py case (positional constructor arguments, input ``(N, C, *spatial)``) in the
    form of the list above, so that one test checks both."""
    options = dict(
        zip(TRANSPOSED_ARGS if name.startswith("ConvTranspose") else CONV_ARGS, args, strict=False)
    )
    c_in, c_out, kernel = (options.pop(key) for key in ("in_channels", "out_channels", "kernel_size"))
    return _case(f"common_nn.py {desc or 'default'}", name, size[2:], c_in, c_out, kernel, **options)


ALL_CASES = TORCH_TEST_SUITE_CASES + [_common_nn_case(*case) for case in CASES]


def _snippets_answer(module, spatial, c_in, c_out, kernel, options):
    rank = len(spatial)
    geometry = {key: options.get(key, 1) for key in ("stride", "dilation")}
    if module.startswith("ConvTranspose"):
        shape = snippets.transposed_output_shape(
            (*spatial, c_in), c_out, kernel, geometry["stride"], options.get("padding", 0),
            output_padding=options.get("output_padding", 0), dilation=geometry["dilation"],
        )  # fmt: skip
    else:
        shape = snippets.conv_output_shape(
            (*spatial, c_in), c_out, kernel, geometry["stride"], options.get("padding", 0),
            dilation=geometry["dilation"], padding_mode=options.get("padding_mode", "zeros"),
        )  # fmt: skip
    params = snippets.count_conv_params(
        c_in, c_out, kernel, options.get("bias", True), groups=options.get("groups", 1), rank=rank
    )
    return shape, params


@pytest.mark.parametrize(
    ("test", "module", "spatial", "c_in", "c_out", "kernel", "options"),
    ALL_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}to{c[4]}-k{c[5]}-{dict(c[6])}" for c in ALL_CASES],
)
def test_snippets_matches_torch_on_its_test_suite_configuration(test, module, spatial, c_in, c_out, kernel,
                                                                options):  # fmt: skip
    options = dict(options)
    try:
        layer = getattr(torch.nn, module)(c_in, c_out, kernel, **options)
        with torch.no_grad():
            output = layer(torch.zeros(1, c_in, *spatial))
    except (RuntimeError, ValueError):
        with pytest.raises(ValueError):
            _snippets_answer(module, spatial, c_in, c_out, kernel, options)
        return
    shape, params = _snippets_answer(module, spatial, c_in, c_out, kernel, options)
    assert shape == (*output.shape[2:], output.shape[1])
    assert params == sum(p.numel() for p in layer.parameters())
