"""PyTorch's own convolution test cases, in every rank, expressed with snippets.

The module tests that ship with torch (``torch/testing/_internal/common_nn.py``, read from the
installed torch, not copied) give each ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` case as
constructor arguments and an input size. Each is built and run in torch here, and snippets
must give the same output shape and parameter count from the same arguments.
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


@pytest.mark.parametrize(("name", "args", "size", "desc"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_snippets_reproduces_torchs_own_case(name, args, size, desc):
    module = getattr(torch.nn, name)(*args)
    batch, channels, *spatial = size
    with torch.no_grad():
        output = module(torch.zeros(max(batch, 1), channels, *spatial))
    expected = (*output.shape[2:], output.shape[1])  # channels-last, without the batch
    transposed = name.startswith("ConvTranspose")
    options = dict(zip(TRANSPOSED_ARGS if transposed else CONV_ARGS, args, strict=False))
    rank = len(spatial)
    geometry = {key: options.get(key, 1) for key in ("stride", "dilation")}
    input_shape = (*spatial, channels)
    if transposed:
        shape = snippets.transposed_output_shape(
            input_shape, options["out_channels"], options["kernel_size"], geometry["stride"],
            options.get("padding", 0), output_padding=options.get("output_padding", 0), dilation=geometry["dilation"],
        )  # fmt: skip
    else:
        shape = snippets.conv_output_shape(
            input_shape, options["out_channels"], options["kernel_size"], geometry["stride"],
            options.get("padding", 0), dilation=geometry["dilation"],
        )  # fmt: skip
    assert shape == expected
    # a transposed layer has the weights of the convolution it transposes: k C_in C_out / groups
    params = snippets.count_conv_params(
        channels, options["out_channels"], options["kernel_size"], options.get("bias", True),
        groups=options.get("groups", 1), rank=rank,
    )  # fmt: skip
    assert params == sum(p.numel() for p in module.parameters())
