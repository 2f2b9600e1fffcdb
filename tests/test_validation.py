"""Bad input is refused with a message that names the argument, the value and what is allowed.

Every public function is called with each kind of bad value in each of its arguments (a
bool, a float, zero, a negative size, a malformed pair or shape, an unknown padding
string), then with the refusals that depend on several arguments (a kernel larger than the
padded input, groups that do not divide the channels, output_padding out of range, stride
with dilation under string padding, a transposed padding that crops everything).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import snippets
from snippets import (
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
from snippets.geometry import dilated_coverage, gridding_holes, hdc_max_distance, hdc_rule
from snippets.receptive import gradient_spread, input_gradient

# --- one bad argument at a time ---------------------------------------------------------

#: kind of argument -> (bad value, exception, how the value appears in the message)
BAD_VALUES = {
    "int": [
        (True, TypeError, "True (a bool)"),
        (2.0, TypeError, "2.0 (a float)"),
        ("3", TypeError, "'3'"),
        (0, ValueError, "0"),
        (-3, ValueError, "-3"),
    ],
    "pair": [
        (True, TypeError, "True (a bool)"),
        (3.0, TypeError, "3.0 (a float)"),
        (0, ValueError, "0"),
        (-3, ValueError, "-3"),
        ((3, 0), ValueError, "(3, 0)"),
        ((3, -1), ValueError, "(3, -1)"),
        ((3, 2.0), TypeError, "(3, 2.0)"),
        ((True, 3), TypeError, "(True, 3)"),
        ((3,), TypeError, "(3,)"),
        ((3, 3, 3), TypeError, "(3, 3, 3)"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "shape": [
        ((32, 0, 3), ValueError, "(32, 0, 3)"),
        ((32, 32, -1), ValueError, "(32, 32, -1)"),
        ((32, 32.0, 3), TypeError, "(32, 32.0, 3)"),
        ((32, True, 3), TypeError, "(32, True, 3)"),
        ((32,), TypeError, "(32,)"),
        ((2, 32, 32, 32, 3), TypeError, "(2, 32, 32, 32, 3)"),
        (32, TypeError, "32"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "kernel": [  # a tuple sets the rank of a parameter count: 1 to 3 entries
        (True, TypeError, "True (a bool)"),
        (3.0, TypeError, "3.0 (a float)"),
        (0, ValueError, "0"),
        ((3, 0), ValueError, "(3, 0)"),
        ((3, 3, 3, 3), TypeError, "(3, 3, 3, 3)"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "rank": [
        (True, TypeError, "True (a bool)"),
        (2.0, TypeError, "2.0 (a float)"),
        (0, ValueError, "0"),
        (4, ValueError, "4"),
    ],
    "padding_mode": [
        ("zero", ValueError, "'zero'"),
        ("Reflect", ValueError, "'Reflect'"),
        (0, TypeError, "0"),
    ],
    "layer": [
        ("Conv2D", ValueError, "'Conv2D'"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "bool": [
        (1, TypeError, "1"),
        (0, TypeError, "0"),
        ("yes", TypeError, "'yes'"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "padding": [
        (-1, ValueError, "-1"),
        ((1, -1), ValueError, "(1, -1)"),
        (1.5, TypeError, "1.5 (a float)"),
        (True, TypeError, "True (a bool)"),
        ("full", ValueError, "'full'"),
        ("causal", ValueError, "'causal'"),
        ("SAME", ValueError, "'SAME'"),
        ((1, 2, 3), TypeError, "(1, 2, 3)"),
        (None, TypeError, "None (a NoneType)"),
    ],
    "output_padding": [
        (-1, ValueError, "-1"),
        ((0, -1), ValueError, "(0, -1)"),
        (1.5, TypeError, "1.5 (a float)"),
        (True, TypeError, "True (a bool)"),
        ("1", TypeError, "'1'"),
    ],
}

#: kind of argument -> the words of the message that say what is allowed
ALLOWED = {
    "int": "must be a positive int",
    "pair": "must be a positive int",  # "... or a pair of positive ints" for non-int values
    "shape": "must be a channels-last shape (L, C), (H, W, C) or (D, H, W, C) of positive ints",
    "kernel": "must be a positive int",
    "rank": "must be 1, 2 or 3",
    "padding_mode": "must be one of ('zeros', 'reflect', 'replicate', 'circular')",
    "layer": "must be one of ('conv', 'depthwise', 'separable')",
    "bool": "must be True or False",
    "padding": "an int >= 0",
    "output_padding": "must be an int >= 0",
}

#: function -> (valid keyword arguments, {argument: kind})
FUNCTIONS = {
    conv_output_shape: (
        dict(
            input_shape=(32, 32, 3), filters=8, kernel_size=3, stride=1, padding="valid", dilation=1,
            padding_mode="zeros", layer="conv",
        ),
        dict(
            input_shape="shape", filters="int", kernel_size="pair", stride="pair", padding="padding",
            dilation="pair", padding_mode="padding_mode", layer="layer",
        ),
    ),
    padding_amounts: (
        dict(input_shape=(32, 32, 3), kernel_size=3, stride=1, padding="same", dilation=1, layer="conv"),
        dict(
            input_shape="shape", kernel_size="pair", stride="pair", padding="padding", dilation="pair",
            layer="layer",
        ),
    ),
    effective_kernel_size: (
        dict(kernel_size=3, dilation_rate=2),
        dict(kernel_size="kernel", dilation_rate="kernel"),
    ),
    transposed_output_shape: (
        dict(input_shape=(7, 7, 8), filters=4, kernel_size=3, stride=2, padding="same", output_padding=1, dilation=1),
        dict(
            input_shape="shape", filters="int", kernel_size="pair", stride="pair", padding="padding",
            output_padding="output_padding", dilation="pair",
        ),
    ),
    count_conv_params: (
        dict(input_channels=8, filters=8, kernel_size=3, use_bias=True, groups=2, rank=None),
        dict(
            input_channels="int", filters="int", kernel_size="kernel", use_bias="bool", groups="int",
            rank="rank",
        ),
    ),
    depthwise_params: (
        dict(input_channels=8, kernel_size=3, depth_multiplier=1, use_bias=True, rank=None),
        dict(
            input_channels="int", kernel_size="kernel", depth_multiplier="int", use_bias="bool",
            rank="rank",
        ),
    ),
    separable_params: (
        dict(input_channels=8, output_channels=16, kernel_size=3, depth_multiplier=1, use_bias=True, rank=None),
        dict(
            input_channels="int", output_channels="int", kernel_size="kernel", depth_multiplier="int",
            use_bias="bool", rank="rank",
        ),
    ),
    dense_params: (
        dict(input_units=8, units=4, use_bias=True),
        dict(input_units="int", units="int", use_bias="bool"),
    ),
    conv_macs: (
        dict(
            input_shape=(32, 32, 4), filters=8, kernel_size=3, stride=1, padding="same", dilation=1, groups=2,
            layer="conv",
        ),
        dict(
            input_shape="shape", filters="int", kernel_size="pair", stride="pair", padding="padding",
            dilation="pair", groups="int", layer="layer",
        ),
    ),
    depthwise_macs: (
        dict(input_shape=(32, 32, 4), kernel_size=3, stride=1, padding="same", dilation=1, depth_multiplier=2),
        dict(
            input_shape="shape", kernel_size="pair", stride="pair", padding="padding", dilation="pair",
            depth_multiplier="int",
        ),
    ),
    separable_macs: (
        dict(
            input_shape=(32, 32, 4), output_channels=8, kernel_size=3, stride=1, padding="same", dilation=1,
            depth_multiplier=2,
        ),
        dict(
            input_shape="shape", output_channels="int", kernel_size="pair", stride="pair", padding="padding",
            dilation="pair", depth_multiplier="int",
        ),
    ),
    transposed_macs: (
        dict(input_shape=(7, 7, 8), filters=4, kernel_size=3, stride=2, padding="same", output_padding=1, dilation=1),
        dict(
            input_shape="shape", filters="int", kernel_size="pair", stride="pair", padding="padding",
            output_padding="output_padding", dilation="pair",
        ),
    ),
}  # fmt: skip


def single_bad_arguments():
    for function, (valid, kinds) in FUNCTIONS.items():
        for argument, kind in kinds.items():
            for value, error, shown in BAD_VALUES[kind]:
                yield pytest.param(
                    function, {**valid, argument: value}, argument, error, shown, ALLOWED[kind],
                    id=f"{function.__name__}-{argument}={value!r}",
                )  # fmt: skip


def assert_refused(call, error: type[Exception], *fragments: str) -> str:
    """``call()`` raises ``error`` (a framework's :class:`Refusal` is a ``ValueError``) and its
    message contains every fragment."""
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert isinstance(caught.value, error), f"{type(caught.value).__name__}: {caught.value}"
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


@pytest.mark.parametrize(
    ("function", "kwargs", "argument", "error", "shown", "allowed"), list(single_bad_arguments())
)
def test_bad_argument_is_named_with_its_value_and_what_is_allowed(
    function, kwargs, argument, error, shown, allowed
):
    message = assert_refused(lambda: function(**kwargs), error, argument, f"got {shown}", allowed)
    assert message.startswith(argument), message


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_valid_arguments_of_the_table_are_accepted(function):
    """The baseline of each row is valid, so each refusal above comes from the one bad value."""
    valid, kinds = FUNCTIONS[function]
    function(**valid)
    assert set(kinds) == set(inspect.signature(function).parameters)


def test_every_public_function_is_covered():
    """Every public function of the arithmetic modules has a row in ``FUNCTIONS``."""
    modules = {"snippets.shapes", "snippets.params", "snippets.cost"}  # receptive: tested below
    public = {
        name
        for name in snippets.__all__
        if inspect.isfunction(getattr(snippets, name)) and getattr(snippets, name).__module__ in modules
    }
    assert public == {function.__name__ for function in FUNCTIONS}


def test_valid_numbers_are_accepted_in_every_form():
    """The other side of the type checks: NumPy integers, lists and pairs pass."""
    assert conv_output_shape([32, 32, np.int64(3)], np.int32(8), [3, 3], (1, 1), [1, 1]) == (32, 32, 8)
    assert count_conv_params(np.int64(8), 8, np.int16(3), use_bias=False) == 576


# --- refusals that depend on several arguments --------------------------------------------


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        # 7 > 5: 'valid' pads nothing
        (lambda: conv_output_shape((5, 5, 3), 8, 7), ["spans 7", "5 + padding 0 + 0 = 5"]),
        # 9 > 5 + 1 + 1
        (lambda: conv_output_shape((5, 5, 3), 8, 9, 1, 1), ["spans 9", "5 + padding 1 + 1 = 7"]),
        # 3x3 dilated by 3 spans 7 > 5
        (lambda: conv_output_shape((5, 5, 3), 8, 3, dilation=3), ["kernel 3 with dilation 3 spans 7"]),
        # only the width is too small: (1, 9) on 12x6
        (lambda: conv_output_shape((12, 6, 3), 8, (1, 9)), ["width", "spans 9", "6 + padding 0 + 0 = 6"]),
        # nested padding, height: 3 + 0 + 1 = 4 < 5
        (
            lambda: conv_output_shape((3, 9, 1), 1, 5, 1, ((0, 1), (2, 2))),
            ["height", "3 + padding 0 + 1 = 4"],
        ),
        (lambda: conv_macs((5, 5, 3), 8, 7), ["spans 7"]),
        (lambda: depthwise_macs((5, 5, 3), 7), ["spans 7"]),
        (lambda: separable_macs((5, 5, 3), 8, 7), ["spans 7"]),
    ],
)
def test_kernel_larger_than_padded_input(call, fragments):
    assert_refused(call, ValueError, "kernel_size must fit in the padded input", *fragments)


@pytest.mark.parametrize(
    ("call", "other", "count", "groups"),
    [
        (lambda: count_conv_params(6, 8, 3, groups=4), "input_channels", 6, 4),
        (lambda: count_conv_params(8, 6, 3, groups=4), "filters", 6, 4),
        (lambda: count_conv_params(3, 3, 3, groups=9), "input_channels", 3, 9),
        (lambda: conv_macs((8, 8, 6), 8, 3, groups=4), "input_channels", 6, 4),
        (lambda: conv_macs((8, 8, 8), 6, 3, groups=4), "filters", 6, 4),
    ],
)
def test_groups_must_divide_the_channels(call, other, count, groups):
    message = assert_refused(call, ValueError, "groups", f"must divide {other} ({count})", f"got {groups}")
    assert message.startswith("groups")


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        # Keras: output_padding < stride
        (
            lambda: transposed_output_shape((7, 7, 8), 8, 3, 2, "same", output_padding=2),
            ["smaller than stride", "got output_padding=2", "stride=(2, 2)"],
        ),
        (
            lambda: transposed_output_shape((7, 7, 8), 8, 3, (2, 3), "valid", output_padding=(1, 3)),
            ["smaller than stride", "got output_padding=(1, 3)", "stride=(2, 3)"],
        ),
        # Keras at stride 1: only 0 is allowed
        (
            lambda: transposed_output_shape((7, 7, 8), 8, 3, 1, "same", output_padding=1),
            ["smaller than stride", "got output_padding=1"],
        ),
        # PyTorch: output_padding < max(stride, dilation)
        (
            lambda: transposed_output_shape((7, 7, 8), 8, 3, 2, 1, output_padding=2),
            ["smaller than max(stride, dilation)", "got output_padding=2", "stride=(2, 2), dilation=(1, 1)"],
        ),
        (
            lambda: transposed_output_shape((7, 7, 8), 8, 3, 1, 1, output_padding=(0, 3), dilation=3),
            ["smaller than max(stride, dilation)", "got output_padding=(0, 3)", "dilation=(3, 3)"],
        ),
        (
            lambda: transposed_macs((7, 7, 8), 8, 4, 2, 1, output_padding=2),
            ["smaller than max(stride, dilation)", "got output_padding=2"],
        ),
    ],
)
def test_output_padding_out_of_range(call, fragments):
    message = assert_refused(call, ValueError, *fragments)
    assert message.startswith("output_padding must be smaller than")


def test_output_padding_follows_each_frameworks_rule():
    # PyTorch allows op up to max(s, d) - 1: stride 1, dilation 3, op 2:
    # (7 - 1) * 1 - 2 * 1 + 3 * (3 - 1) + 2 + 1 = 13
    assert transposed_output_shape((7, 7, 8), 8, 3, 1, 1, output_padding=2, dilation=3) == (13, 13, 8)
    # Keras allows op up to s - 1: stride 3 'same' k=3, op 2: (7 - 1) * 3 + 3 - 2 + 2 = 21
    assert transposed_output_shape((7, 7, 8), 8, 3, 3, "same", output_padding=2) == (21, 21, 8)


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv_output_shape((32, 32, 3), 8, 3, 2, "same", dilation=2),
        lambda: conv_output_shape((32, 32, 3), 8, 3, (1, 2), "valid", dilation=(2, 1)),
        lambda: padding_amounts((32, 32, 3), 3, 2, "same", dilation=2),
        lambda: transposed_output_shape((7, 7, 8), 8, 3, 2, "same", dilation=2),
        lambda: conv_macs((32, 32, 3), 8, 3, 2, "same", dilation=2),
        lambda: conv_output_shape((20, 3), 8, 3, 2, "causal", dilation=2),
        lambda: transposed_output_shape((7, 8), 8, 3, 2, "valid", dilation=2),
        lambda: conv_output_shape((9, 9, 9, 3), 8, 3, 2, "same", dilation=(1, 1, 2)),
    ],
)
def test_string_padding_refuses_stride_with_dilation_like_keras(call):
    assert_refused(call, ValueError, "stride and dilation cannot both exceed 1", "got stride=", "dilation=")


def test_depthwise_and_separable_rules_allow_stride_with_dilation_like_keras():
    """Keras' DepthwiseConv and SeparableConv layers accept what its Conv layers refuse."""
    # 'valid', k_eff = 5: floor((32 - 5) / 2) + 1 = 14 per axis; 'same': ceil(20 / 2) = 10,
    # total padding (10 - 1) 2 + 5 - 20 = 3, the odd one after
    assert depthwise_macs((32, 32, 3), 3, 2, "valid", dilation=2) == 14 * 14 * 3 * 9
    assert conv_output_shape((20, 3), 3, 3, 2, "same", dilation=2, layer="separable") == (10, 3)
    assert padding_amounts((20, 3), 3, 2, "same", dilation=2, layer="depthwise") == ((1, 2),)


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv_output_shape((20, 20, 3), 8, 3, 1, "causal"),
        lambda: conv_output_shape((4, 20, 20, 3), 8, 3, 1, "causal"),
        lambda: depthwise_macs((20, 3), 3, 1, "causal"),
        lambda: separable_macs((20, 3), 4, 3, 1, "causal"),
        lambda: transposed_output_shape((20, 3), 4, 3, 2, "causal"),
    ],
)
def test_causal_padding_exists_only_in_conv1d(call):
    message = assert_refused(call, ValueError, "padding must be 'valid', 'same'", "got 'causal'")
    assert "Conv1D" in message


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: conv_output_shape((5, 3), 4, 3, 1, 5, padding_mode="reflect"), ("smaller than", "(5, 5)")),
        (lambda: conv_output_shape((5, 3), 4, 3, 1, 6, padding_mode="circular"), ("at most", "(6, 6)")),
        (lambda: conv_output_shape((8, 3, 3), 4, 3, 1, (1, 3), padding_mode="reflect"), ("width of size 3",)),
        (
            lambda: conv_output_shape((5, 3), 4, 3, 1, "causal", padding_mode="reflect"),
            ("needs numeric or 'same'",),
        ),
        (
            lambda: conv_output_shape((2, 3), 4, 5, 1, "same", padding_mode="reflect"),
            ("smaller than", "(2, 2)"),
        ),
    ],
)
def test_padding_modes_refuse_what_torch_refuses(call, fragments):
    assert_refused(call, ValueError, "padding", *fragments)


def test_padding_modes_accept_what_torch_accepts():
    # reflect up to n - 1, circular up to n, replicate any amount: (5 + 2 p - 3) + 1
    assert conv_output_shape((5, 3), 4, 3, 1, 4, padding_mode="reflect") == (11, 4)
    assert conv_output_shape((5, 3), 4, 3, 1, 5, padding_mode="circular") == (13, 4)
    assert conv_output_shape((5, 3), 4, 3, 1, 9, padding_mode="replicate") == (21, 4)
    # torch.nn.Conv1d(3, 4, 3, padding="same", padding_mode="reflect") keeps the length
    assert conv_output_shape((5, 3), 4, 3, 1, "same", padding_mode="reflect") == (5, 4)


def test_numeric_padding_allows_stride_with_dilation_like_torch():
    # floor((32 + 2 - 5) / 2) + 1 = 15
    assert conv_output_shape((32, 32, 3), 8, 3, 2, 1, dilation=2) == (15, 15, 8)


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        # (2 - 1) * 1 - 2 * 3 + 3 = -2
        (lambda: transposed_output_shape((2, 2, 1), 1, 3, 1, 3), ["padding 3", "height to -2"]),
        # (1 - 1) * 1 - 2 * 2 + 4 = 0: torch returns an empty tensor, snippets refuses
        (lambda: transposed_output_shape((1, 1, 1), 1, 4, 1, 2), ["padding 2", "height to 0"]),
        # only the width: pw = 2 on width 1 with a 3-wide kernel: 0 - 4 + 3 = -1
        (lambda: transposed_output_shape((5, 1, 1), 1, 3, 1, (0, 2)), ["padding (0, 2)", "width to -1"]),
        # Keras 'same' with output_padding 0 and an even kernel on one pixel: 0 + 0 + 0 = 0
        (lambda: transposed_output_shape((1, 1, 1), 1, 2, 1, "same", output_padding=0), ["height to 0"]),
        (lambda: transposed_macs((2, 2, 1), 1, 3, 1, 3), ["padding 3"]),
    ],
)
def test_transposed_padding_must_leave_an_output(call, fragments):
    assert_refused(call, ValueError, *fragments, "padding must leave at least 1 output pixel")


def test_transposed_numeric_padding_must_be_symmetric():
    assert_refused(
        lambda: transposed_output_shape((7, 7, 1), 1, 3, 2, ((0, 1), (1, 1))),
        ValueError,
        "padding must be symmetric",
        "got ((0, 1), (1, 1))",
    )


def test_nested_padding_names_the_bad_side():
    assert_refused(
        lambda: padding_amounts((8, 8, 1), 3, 1, ((0, 1), (2, -1))),
        ValueError,
        "padding must be an int >= 0 or a pair of ints >= 0",
        "got (2, -1)",
    )


# --- receptive fields ---------------------------------------------------------------------


@pytest.mark.parametrize("function", [receptive_fields, receptive_field])
@pytest.mark.parametrize(
    ("field", "value", "error", "shown", "allowed"),
    [
        ("kernel_size", 0, ValueError, "0", "a positive int"),
        ("kernel_size", -3, ValueError, "-3", "a positive int"),
        ("kernel_size", True, TypeError, "True (a bool)", "a positive int"),
        ("kernel_size", 3.0, TypeError, "3.0 (a float)", "a positive int"),
        ("stride", 0, ValueError, "0", "a positive int"),
        ("stride", 2.0, TypeError, "2.0 (a float)", "a positive int"),
        ("dilation", 0, ValueError, "0", "a positive int"),
        ("dilation", False, TypeError, "False (a bool)", "a positive int"),
        ("padding", -1, ValueError, "-1", "an int >= 0"),
        ("padding", 0.5, TypeError, "0.5 (a float)", "an int >= 0"),
    ],
)
def test_receptive_field_names_the_layer_and_field(function, field, value, error, shown, allowed):
    # the bad value sits in the second layer, so the index is checked too
    layers = [LayerGeometry(3), LayerGeometry(3)._replace(**{field: value})]
    assert_refused(lambda: function(layers), error, f"layers[1].{field} must be {allowed}", f"got {shown}")


@pytest.mark.parametrize("function", [receptive_fields, receptive_field])
@pytest.mark.parametrize(
    ("layers", "fragments"),
    [
        (3, ["layers must be an iterable of LayerGeometry", "got 3"]),
        (None, ["layers must be", "got None (a NoneType)"]),
        ("33", ["layers must be", "got '33'"]),
        ([3], ["layers[0] must be a LayerGeometry or a tuple", "got 3"]),
        ([(3,), ()], ["layers[1] must be", "of 1 to 4 ints", "got ()"]),
        ([(3, 1, 1, 0, 7)], ["layers[0] must be", "got (3, 1, 1, 0, 7)"]),
    ],
)
def test_receptive_field_refuses_malformed_stacks(function, layers, fragments):
    assert_refused(lambda: function(layers), TypeError, *fragments)


@pytest.mark.parametrize("function", [dilated_coverage, gridding_holes, hdc_max_distance, hdc_rule])
@pytest.mark.parametrize(
    ("dilations", "error", "fragments"),
    [
        (2, TypeError, ["dilations must be a list or tuple of positive ints", "got 2"]),
        ("12", TypeError, ["dilations must be a list or tuple", "got '12'"]),
        ([], ValueError, ["dilations must hold at least one rate", "got []"]),
        ([1, 0], ValueError, ["dilations[1] must be a positive int", "got 0"]),
        ((1, 2.0), TypeError, ["dilations[1] must be a positive int", "got 2.0 (a float)"]),
        ([True], TypeError, ["dilations[0] must be a positive int", "got True (a bool)"]),
    ],
)
def test_gridding_functions_name_the_bad_rate(function, dilations, error, fragments):
    message = assert_refused(lambda: function(dilations), error, *fragments)
    assert message.startswith("dilations"), message


@pytest.mark.parametrize("function", [dilated_coverage, gridding_holes, hdc_rule])
@pytest.mark.parametrize(
    ("value", "error", "shown"), [(0, ValueError, "0"), (3.0, TypeError, "3.0 (a float)")]
)
def test_gridding_functions_name_a_bad_kernel_size(function, value, error, shown):
    assert_refused(
        lambda: function([1, 2], kernel_size=value), error, "kernel_size must be a positive int", shown
    )


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [
        (lambda: input_gradient(3), TypeError, ["kernels must be a list of 1-D, 2-D or 3-D arrays", "got 3"]),
        (lambda: input_gradient("ab"), TypeError, ["kernels must be", "got 'ab'"]),
        (
            lambda: input_gradient([np.ones((3, 3)), np.ones(3)]),
            ValueError,
            ["kernels[1] must be", "shape (3,)"],
        ),
        (lambda: input_gradient([np.ones((0, 3))]), ValueError, ["kernels[0] must be a non-empty", "(0, 3)"]),
        (lambda: gradient_spread(np.ones(3)), ValueError, ["energy must be a non-empty 2-D array", "(3,)"]),
        (lambda: gradient_spread(-np.ones((2, 2))), ValueError, ["energy must be", "values >= 0"]),
        (lambda: gradient_spread(np.zeros((2, 2))), ValueError, ["energy must be", "positive sum"]),
    ],
)
def test_effective_field_functions_name_the_bad_argument(call, error, fragments):
    message = assert_refused(call, error, *fragments)
    assert message.startswith(fragments[0].split()[0]), message
