"""The pooling chapter (docs/further/pooling.md) and the difference table of the frameworks
page (docs/further/frameworks.md): the ResNet stem figures against the paper and the ResNet-50
case study, the translation-equivariance claims on generated inputs, and the table's shape
(one answer per framework in every row, so that another framework is one more column)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snippets import LayerGeometry, conv, conv_output_shape, receptive_fields
from snippets.networks import resnet50, summary
from snippets.pooling import max_pool, pool_output_shape
from tools import docblocks

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

# He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016), Table 1: conv1 (7x7, 64,
# stride 2) outputs 112x112; conv2_x, after the "3x3 max pool, stride 2", 56x56, from 224x224.
RESNET_INPUT = 224
RESNET_CONV1_OUTPUT = 112
RESNET_POOL1_OUTPUT = 56


def page_text(page: str) -> str:
    return (docblocks.DOCS / page).read_text("utf8")


def page_output(page: str) -> str:
    """Everything the page's output blocks show."""
    return "".join(
        example.output.body for example in docblocks.find_examples(page_text(page)) if example.output
    )


# --- the ResNet stem -----------------------------------------------------------------------------


def stem_fields():
    return receptive_fields([LayerGeometry(7, 2, padding=3), LayerGeometry(3, 2, padding=1)])


def test_resnet_stem_shapes_are_the_papers_and_the_page_prints_them() -> None:
    conv1 = conv_output_shape((RESNET_INPUT, RESNET_INPUT, 3), 64, 7, 2, 3)
    pool1 = pool_output_shape(conv1, 3, 2, 1)
    assert conv1[:2] == (RESNET_CONV1_OUTPUT,) * 2
    assert pool1[:2] == (RESNET_POOL1_OUTPUT,) * 2
    shown = page_output("further/pooling.md")
    assert f"-> {conv1}" in shown and f"{conv1} -> {pool1}" in shown


def test_resnet_stem_field_on_the_pooling_page_is_the_case_studys() -> None:
    """The pooling page computes the stem's field by hand; the ResNet-50 summary walks the whole
    network. Both must give the maxpool row the same field and stride."""
    _, pool = stem_fields()
    maxpool = next(row for row in summary(resnet50()).rows if row.name == "maxpool")
    assert all(axis.size == pool.size and axis.stride == pool.stride for axis in maxpool.field)
    assert f"after maxpool: {pool}" in page_output("further/pooling.md")


def test_overlapping_windows_share_exactly_one_row() -> None:
    """MaxPool2d(3, 2, 1): window i reads rows 2i - 1 .. 2i + 1, so neighbours share one row, and a
    single maximum on a shared row wins both windows (an odd position, away from the pad)."""
    for position in range(1, 15, 2):
        x = np.zeros((1, 16, 1))
        x[0, position, 0] = 1.0
        winners = np.flatnonzero(max_pool(x, 3, 2, 1)[0, :, 0])
        assert winners.tolist() == [(position - 1) // 2, (position + 1) // 2], position
        assert np.flatnonzero(max_pool(x, 2, 2)[0, :, 0]).tolist() == [position // 2]


# --- translation equivariance ---------------------------------------------------------------------


def shift(v: np.ndarray, n: int) -> np.ndarray:
    """``v`` (``(L, C)``) moved ``n`` places later, zeros coming in."""
    return np.concatenate([np.zeros((n, *v.shape[1:])), v[:-n]]) if n else v


signals = st.lists(st.integers(-5, 5), min_size=4, max_size=16).map(
    lambda values: np.array([0] * 4 + values + [0] * 8, dtype=float).reshape(-1, 1)
)
kernels = st.lists(st.integers(-3, 3), min_size=1, max_size=4).map(
    lambda values: np.array(values, dtype=float).reshape(-1, 1, 1)
)


@given(signals, kernels, st.integers(1, 3), st.integers(1, 3))
def test_a_shift_by_a_multiple_of_the_stride_shifts_the_output(x, kernel, stride, multiple) -> None:
    """The page's claim: with stride s, shifting the input by m s shifts the output by m,
    for a convolution and for a max pool (zeros at both ends, so nothing falls off)."""
    moved = shift(x, multiple * stride)
    y = conv(x, kernel, stride=stride)
    assert np.array_equal(conv(moved, kernel, stride=stride), shift(y, multiple))
    pooled = max_pool(x[None], stride)[0]
    assert np.array_equal(max_pool(moved[None], stride)[0], shift(pooled, multiple))


def test_a_one_pixel_shift_is_not_a_shifted_output_at_stride_2() -> None:
    """The page's example: stride 2 and a 2-wide max pool turn a one-pixel shift into an output
    that is no shift of the first, while stride 1 shifts it by one."""
    x = np.array([0, 0, 0, 1, 4, 2, 0, 3, 0, 0, 0, 0], dtype=float).reshape(-1, 1)
    kernel = np.array([1.0, 2.0, -1.0]).reshape(3, 1, 1)
    assert np.array_equal(conv(shift(x, 1), kernel), shift(conv(x, kernel), 1))
    for layer in (lambda v: conv(v, kernel, stride=2), lambda v: max_pool(v[None], 2)[0]):
        y, moved = layer(x), layer(shift(x, 1))
        assert not any(np.array_equal(moved, shift(y, m)) for m in range(len(y)))
    shown = page_output("further/pooling.md")
    assert shown.count("not a shifted f(x)") == 2


# --- the frameworks page's difference table --------------------------------------------------------


@pytest.fixture(scope="module")
def table_block() -> dict:
    """The namespace left by the 'Differences at a glance' block, run as the page runs it."""
    examples = [
        e
        for e in docblocks.find_examples(page_text("further/frameworks.md"))
        if "def print_table" in e.code.body
    ]
    assert len(examples) == 1
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(docblocks.expand_includes(examples[0].code.body), "frameworks.md", "exec"), namespace)
    return namespace


def test_the_table_is_near_the_top_of_the_frameworks_page() -> None:
    headings = [line for line in page_text("further/frameworks.md").splitlines() if line.startswith("## ")]
    assert headings[0] == "## Differences at a glance"


def test_every_row_has_one_callable_answer_per_framework(table_block) -> None:
    frameworks, rows = table_block["FRAMEWORKS"], table_block["ROWS"]
    assert frameworks == ["PyTorch", "Keras", "JAX/Flax"]
    questions = [question for question, *_ in rows]
    assert len(set(questions)) == len(questions)
    for question, *answers in rows:
        assert len(answers) == len(frameworks) and all(callable(a) for a in answers), question


def test_the_table_has_the_pooling_rows(table_block) -> None:
    questions = " | ".join(question for question, *_ in table_block["ROWS"])
    for topic in (
        "ceil_mode",
        "count_include_pad",
        "global average pool",
        "adaptive average pool",
        "max pool",
    ):
        assert topic in questions


def test_another_framework_is_one_more_callable_per_row(table_block) -> None:
    """Issue 15 added JAX as a third column: appending a name and one answer per row must give
    one more aligned column, and a row with an answer too few must be refused."""
    rows = [(*row, lambda: "fourth") for row in table_block["ROWS"]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        table_block["print_table"]([*table_block["FRAMEWORKS"], "Other"], rows)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(rows) + 1
    column = lines[0].index("Other")
    assert all(line[column:] == "fourth" for line in lines[1:])
    with pytest.raises(ValueError, match="has 3 answers for 4 frameworks"):
        table_block["print_table"]([*table_block["FRAMEWORKS"], "Other"], table_block["ROWS"])


def answers(table_block, question: str) -> tuple:
    """What each framework answers to one row of the table, run again."""
    row = next(row for row in table_block["ROWS"] if row[0].strip() == question)
    return tuple(answer() for answer in row[1:])


def test_the_jax_column_shows_where_flax_differs(table_block) -> None:
    """The page's prose names four cells where JAX/Flax differs from both others; each must
    still differ, in the direction the prose says."""
    torch_pad, keras_pad, flax_pad = answers(table_block, "default padding of a convolution")
    assert flax_pad == "'SAME'" and "SAME" not in torch_pad + keras_pad.upper()
    torch_same, keras_same, jax_same = answers(table_block, "'same', kernel 4: zeros (before, after)")
    _, _, jax_lower = answers(table_block, "'same_lower'")
    assert torch_same == keras_same == jax_same == jax_lower[::-1] != jax_lower
    torch_up, keras_up, flax_up = answers(table_block, "transposed conv of one 1, kernel 1 2 3")
    _, _, flax_flipped = answers(table_block, "with transpose_kernel=True")
    assert torch_up == keras_up == flax_up[::-1] == flax_flipped != flax_up
    torch_mean, keras_mean, flax_mean = answers(table_block, "ones, avg pool 3, stride 1, pad 1: corner")
    assert torch_mean == flax_mean < keras_mean == 1.0
