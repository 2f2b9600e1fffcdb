"""snippets._blas.product: the one matrix product of snippets.ops, against NumPy's matmul."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snippets._blas import product


def arrays(seed, m, k, n, dtype):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)


@st.composite
def layouts(draw):
    """Operands C-ordered, Fortran-ordered or strided, an output given or not, C-ordered or a column slice."""
    m, k, n = (draw(st.integers(1, 9)) for _ in range(3))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.float16]))
    return (
        m,
        k,
        n,
        dtype,
        draw(st.sampled_from(["C", "F", "strided"])),
        draw(st.sampled_from(["C", "F", "strided"])),
    )


def _laid_out(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        wide = np.zeros((array.shape[0], 2 * array.shape[1]), array.dtype)
        wide[:, ::2] = array
        return wide[:, ::2]
    return array


@given(layouts(), st.booleans())
def test_product_is_matmul_for_every_layout(case, accumulate):
    m, k, n, dtype, layout_a, layout_b = case
    a, b = arrays(0, m, k, n, dtype)
    start = np.arange(m * n, dtype=dtype).reshape(m, n)
    out = start.copy()
    got = product(_laid_out(a, layout_a), _laid_out(b, layout_b), out, accumulate=accumulate)
    expected = a.astype(np.float64) @ b.astype(np.float64) + (start if accumulate else 0)
    assert got is out
    tolerance = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance * k * (1 + m * n))


@pytest.mark.parametrize("accumulate", [False, True])
def test_product_writes_into_a_column_slice_and_nothing_else(accumulate):
    a, b = arrays(1, 5, 4, 3, np.float32)
    whole = np.ones((5, 7), np.float32)
    product(a, b, whole[:, 2:5], accumulate=accumulate)
    np.testing.assert_allclose(whole[:, 2:5], a @ b + (1 if accumulate else 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.delete(whole, [2, 3, 4], axis=1), 1)


def test_product_makes_its_output_in_the_operands_dtype():
    a, b = arrays(2, 3, 4, 2, np.float64)
    y = product(a, b)
    assert y.dtype == np.float64 and y.shape == (3, 2) and y.flags.c_contiguous
    np.testing.assert_allclose(y, a @ b, rtol=1e-12)
