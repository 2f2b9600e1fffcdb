"""The one matrix product of :mod:`snippets.ops`: BLAS ``gemm`` through SciPy.

Every dense product of the layers goes through :func:`product`, so that they all run in
one BLAS library and one thread pool. NumPy's ``matmul`` runs in another (NumPy's own
OpenBLAS). An OpenBLAS thread keeps spinning for a while after its work is done. On two
cores, a 3x3 layer through one pool followed by a 1x1 product through the other took 3.2x
as long as the two timed alone: 7.99 ms against 1.93 + 0.53 (``python -m benchmarks.pools``,
AMD EPYC, 2026-12-04). Through one pool the ratio is 1.01. ``gemm`` also adds into its output (``C = A B + C``), which ``matmul``
cannot do without a second pass over memory.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import get_blas_funcs

#: dtypes BLAS multiplies itself; others (float16) go through NumPy's matmul
BLAS_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _fortran(matrix: np.ndarray) -> tuple[np.ndarray, int]:
    """``(a, trans)`` with ``op(a) = matrix`` and ``a`` Fortran-ordered, as BLAS reads it without
    a copy: the matrix itself, or the transpose of a C-ordered one with ``trans = 1``."""
    if matrix.flags.f_contiguous or not matrix.flags.c_contiguous:
        return matrix, 0
    return matrix.T, 1


def product(
    a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None, *, accumulate: bool = False
) -> np.ndarray:
    """``out = a @ b``, or ``out += a @ b`` with ``accumulate``, for ``a (M, K)`` and ``b (K, N)``.

    For float32 and float64 one BLAS call, ``C = A B + beta C`` with ``beta`` 0 or 1, on the
    Fortran-ordered transpose of the C-ordered output: ``out.T = b.T a.T``, written in place.
    Other dtypes: NumPy's ``matmul``. Returns ``out`` (a new array when none is given).
    """
    dtype = np.result_type(a, b)
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), dtype)
    if not (out.dtype == dtype and dtype in BLAS_DTYPES) or 0 in (*a.shape, *b.shape):
        if accumulate:
            out += a @ b
        else:
            np.matmul(a, b, out=out)
        return out
    target = (
        out
        if out.flags.c_contiguous
        else np.array(out, order="C")
        if accumulate
        else np.empty_like(out, order="C")
    )
    left, trans_left = _fortran(np.asarray(b, dtype).T)
    right, trans_right = _fortran(np.asarray(a, dtype).T)
    gemm = get_blas_funcs("gemm", dtype=dtype)
    result = gemm(
        1.0,
        left,
        right,
        beta=float(accumulate),
        c=target.T,
        overwrite_c=True,
        trans_a=trans_left,
        trans_b=trans_right,
    )
    if not np.may_share_memory(result, target):  # f2py copied c after all: take its result
        target[...] = result.T
    if target is not out:
        out[...] = target
    return out
