"""Time the NumPy convolutions of ``snippets.ops`` against torch on the CPU: ``python -m benchmarks.run``.

Both run in the same process on the same number of threads (``BENCH_THREADS``, default:
every CPU), in float32, with the same allocator settings (:func:`keep_freed_memory`). Each
case is first checked against torch (``allclose``), then timed as the median of rounds in
alternating blocks, each after a warm-up (:func:`time_alternating`), in several fresh processes
(:func:`in_fresh_processes`). ``BENCH_ONLY=text`` runs the cases whose name contains it.
Cases in every rank (1-D audio and sequences, 2-D images, 3-D video) run through the same
``snippets`` functions. torch runs each case twice, on channels-first tensors (its default) and
on channels-last ones (``memory_format=channels_last``, the layout ``snippets`` works in; 1-D
tensors have no such format), both prepared outside the timing, and the ratio divides by the
faster of the two (issue 18). FLOPs are ``2 x MACs`` from ``snippets.cost``.
"""

from __future__ import annotations

import ctypes
import os

#: OpenBLAS settings the environment may force on every process; this machine's sets
#: OPENBLAS_CORETYPE=Haswell, an AVX2 kernel, on an AVX-512 CPU whose own choice (SkylakeX)
#: runs numpy's float32 matmul 1.9x faster (3136x8x576 by 576x128: 20.0 ms against 10.5 ms).
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def drop_openblas_overrides() -> str:
    """Let OpenBLAS pick its kernel for this CPU, as it does by default, unless
    ``BENCH_OPENBLAS_ENV=keep``; say what was dropped. Runs before numpy is imported (the
    kernel is chosen when the library loads) and is inherited by the fresh processes."""
    found = {name: os.environ[name] for name in OPENBLAS_OVERRIDES if name in os.environ}
    if os.environ.get("BENCH_OPENBLAS_ENV") == "keep":
        return f"kept as set: {found or 'none'} (BENCH_OPENBLAS_ENV=keep)"
    for name in found:
        del os.environ[name]
    return f"dropped {found}, OpenBLAS chooses" if found else "none set, OpenBLAS chooses"


OPENBLAS_ENV = drop_openblas_overrides()
THREADS = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = str(THREADS)  # before numpy and torch are imported


def keep_freed_memory() -> str:
    """Make glibc's malloc keep freed memory for reuse; say what the allocator does.

    By default glibc serves every block above a threshold with a fresh ``mmap`` and hands
    it back to the kernel on ``free``: every call of a layer then faults its buffers in
    again, a page at a time, and on a virtual machine each fault is slow. That cost
    belongs to neither library, but it swamps both (torch's 1x224x224x3 conv: 6,240
    faults a call, 9 ms instead of 1.5), so both run with the heap kept, as a
    caching allocator (jemalloc, tcmalloc) would keep it. ``BENCH_MALLOC=default`` keeps
    glibc's defaults, to see the difference.
    """
    if os.environ.get("BENCH_MALLOC") == "default":
        return "glibc defaults (BENCH_MALLOC=default)"
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return "the platform's default (not glibc)"
    m_trim_threshold, m_mmap_max = -1, -4  # mallopt parameters, from <malloc.h>
    libc.mallopt(m_mmap_max, 0)  # no block gets its own mmap
    libc.mallopt(m_trim_threshold, 2**31 - 1)  # freed memory stays in the heap
    return "glibc malloc keeping freed memory (mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD=2^31-1)"


ALLOCATOR = keep_freed_memory()  # before numpy and torch allocate anything

import gc  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import snippets  # noqa: E402
from snippets import cost, pooling  # noqa: E402
from snippets.ops import conv2d  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "3"))  # fresh processes per case
BLOCKS = 3  # ROUNDS timed calls of each side, in BLOCKS alternating blocks
WARMUP = 2  # calls before each block, and more until SETTLE seconds have passed
SETTLE = 0.2


@dataclass
class Case:
    name: str
    kind: str  # "dense", "1x1", "depthwise", "transposed" or "pool": the target it is held to
    ours: Callable[[], np.ndarray]
    theirs: Callable[[], torch.Tensor]  # channels-first tensors: (N, C, *spatial)
    macs: int  # for the whole batch
    theirs_channels_last: Callable[[], torch.Tensor] | None = None  # the same call, channels-last tensors


TARGETS = {"dense": 1.5, "1x1": 1.5, "transposed": 2.0, "depthwise": 10.0, "pool": 3.0}


def _channels_first(x: np.ndarray) -> torch.Tensor:
    """``(N, *spatial, C)`` -> torch's ``(N, C, *spatial)``."""
    return torch.from_numpy(np.moveaxis(x, -1, 1)).contiguous()


def _torch_weight(kernel: np.ndarray) -> torch.Tensor:
    """A Keras kernel ``(*k, A, B)`` -> torch's weight ``(B, A, *k)``."""
    rank = kernel.ndim - 2
    return torch.from_numpy(kernel.transpose(rank + 1, rank, *range(rank))).contiguous()


def _channels_last(t: torch.Tensor) -> torch.Tensor:
    """``t`` (N, C, *spatial) stored channels-last, as torch's ``memory_format`` does it: the same
    shape, strides that put C innermost. 1-D tensors have no such format and stay as they are."""
    layout = {4: torch.channels_last, 5: torch.channels_last_3d}.get(t.ndim)
    return t.contiguous(memory_format=layout) if layout else t


def _torch_conv(rank: int, transposed: bool = False) -> Callable:
    return getattr(F, f"conv_transpose{rank}d" if transposed else f"conv{rank}d")


def conv_case(name, kind, n, spatial, c_in, c_out, k, padding, *, stride=1, dilation=1, rng) -> Case:
    """A convolution of any rank: ``spatial`` is the input's sizes, one per axis."""
    rank = len(spatial)
    x = rng.standard_normal((n, *spatial, c_in), dtype=np.float32)
    kernel = rng.standard_normal((*(k,) * rank, c_in, c_out), dtype=np.float32) / float(
        np.sqrt(k**rank * c_in)
    )
    xt, wt = _channels_first(x), _torch_weight(kernel)
    xl, wl = _channels_last(xt), _channels_last(wt)
    pad = dilation * (k - 1) // 2 if padding == "same" else 0  # 'same' at stride 1, odd k: symmetric
    return Case(
        name,
        kind,
        lambda: snippets.conv(x, kernel, stride=stride, padding=padding, dilation=dilation),
        lambda: _torch_conv(rank)(xt, wt, stride=stride, padding=pad, dilation=dilation),
        n * cost.conv_macs((*spatial, c_in), c_out, k, stride, padding, dilation=dilation),
        (lambda: _torch_conv(rank)(xl, wl, stride=stride, padding=pad, dilation=dilation))
        if rank > 1
        else None,  # 1-D: no channels-last format
    )


def depthwise_case(name, n, spatial, channels, k, rng) -> Case:
    rank = len(spatial)
    x = rng.standard_normal((n, *spatial, channels), dtype=np.float32)
    kernel = rng.standard_normal((*(k,) * rank, channels, 1), dtype=np.float32) / float(k)
    xt = _channels_first(x)
    wt = _torch_weight(kernel.reshape(*(k,) * rank, 1, channels))  # (C, 1, *k)
    xl, wl = _channels_last(xt), _channels_last(wt)
    return Case(
        name,
        "depthwise",
        lambda: snippets.depthwise_conv(x, kernel, padding="same"),
        lambda: _torch_conv(rank)(xt, wt, padding=k // 2, groups=channels),
        n * cost.depthwise_macs((*spatial, channels), k, 1, "same"),
        (lambda: _torch_conv(rank)(xl, wl, padding=k // 2, groups=channels))
        if rank > 1
        else None,  # 1-D: no channels-last format
    )


def transposed_case(name, n, spatial, c_in, c_out, k, stride, rng) -> Case:
    rank = len(spatial)
    x = rng.standard_normal((n, *spatial, c_in), dtype=np.float32)
    kernel = rng.standard_normal((*(k,) * rank, c_out, c_in), dtype=np.float32) / float(
        np.sqrt(k**rank * c_in)
    )
    xt = _channels_first(x)
    wt = torch.from_numpy(kernel.transpose(rank + 1, rank, *range(rank))).contiguous()  # (C_in, C_out, *k)
    xl, wl = _channels_last(xt), _channels_last(wt)
    crop = (k - stride) // 2  # Keras 'same' with k - s even: the same crop on both sides
    return Case(
        name,
        "transposed",
        lambda: snippets.conv_transpose(x, kernel, stride=stride, padding="same"),
        lambda: _torch_conv(rank, transposed=True)(xt, wt, stride=stride, padding=crop),
        n * cost.transposed_macs((*spatial, c_in), c_out, k, stride, "same"),
        (lambda: _torch_conv(rank, transposed=True)(xl, wl, stride=stride, padding=crop))
        if rank > 1
        else None,  # 1-D: no channels-last format
    )


def pool_case(name, op, n, spatial, channels, k, stride, padding, rng) -> Case:
    """A max or average pool (``op``) of any rank, numeric padding (PyTorch's, counted in the mean).
    torch's channels-last pooling was the faster here (avgpool2d 8x56x56x128: 8.0 ms against
    25.4 ms in NCHW), which the ratio, divided by the faster layout, now finds by itself."""
    x = rng.standard_normal((n, *spatial, channels), dtype=np.float32)
    rank = len(spatial)
    xt = _channels_first(x)
    xl = _channels_last(xt)
    ours = pooling.max_pool if op == "max" else pooling.average_pool
    theirs = getattr(F, f"{op}_pool{rank}d")
    return Case(
        name,
        "pool",
        lambda: ours(x, k, stride, padding),
        lambda: theirs(xt, k, stride, padding),
        0,
        (lambda: theirs(xl, k, stride, padding)) if rank > 1 else None,  # 1-D: no channels-last format
    )


def cases() -> list[Case]:
    rng = np.random.default_rng(0)
    return [
        conv_case("conv2d 1x224x224x3 -> 64, 3x3 same", "dense", 1, (224, 224), 3, 64, 3, "same", rng=rng),
        conv_case("conv2d 1x56x56x64 -> 64, 3x3 same", "dense", 1, (56, 56), 64, 64, 3, "same", rng=rng),
        conv_case("conv2d 8x56x56x64 -> 128, 3x3 same", "dense", 8, (56, 56), 64, 128, 3, "same", rng=rng),
        conv_case("conv2d 1x56x56x256 -> 64, 1x1", "1x1", 1, (56, 56), 256, 64, 1, "valid", rng=rng),
        conv_case(
            "conv2d 1x28x28x128 -> 128, 3x3 same, dilation 2",
            "dense",
            1,
            (28, 28),
            128,
            128,
            3,
            "same",
            dilation=2,
            rng=rng,
        ),
        depthwise_case("depthwise 1x112x112x32, 3x3 same", 1, (112, 112), 32, 3, rng),
        depthwise_case("depthwise 8x56x56x128, 3x3 same", 8, (56, 56), 128, 3, rng),
        transposed_case("transposed 1x7x7x512 -> 256, 4x4 s2 same", 1, (7, 7), 512, 256, 4, 2, rng),
        transposed_case("transposed 8x28x28x128 -> 64, 4x4 s2 same", 8, (28, 28), 128, 64, 4, 2, rng),
        # 1-D: the first two layers of wav2vec 2.0's encoder on 1 s of 16 kHz audio, a TCN layer
        conv_case(
            "conv1d 1x16000x1 -> 512, k10 s5 (audio front end)",
            "dense",
            1,
            (16000,),
            1,
            512,
            10,
            "valid",
            stride=5,
            rng=rng,
        ),  # fmt: skip
        conv_case(
            "conv1d 1x3199x512 -> 512, k3 s2", "dense", 1, (3199,), 512, 512, 3, "valid", stride=2, rng=rng
        ),
        conv_case(
            "conv1d 8x1000x128 -> 128, k3 same, dilation 4",
            "dense",
            8,
            (1000,),
            128,
            128,
            3,
            "same",
            dilation=4,
            rng=rng,
        ),  # fmt: skip
        depthwise_case("depthwise1d 8x1000x256, k7 same", 8, (1000,), 256, 7, rng),
        transposed_case("transposed1d 8x250x128 -> 64, k4 s2 same", 8, (250,), 128, 64, 4, 2, rng),
        # 3-D: a small video block (8 frames of 56x56, 64 channels) and its decoder step
        conv_case(
            "conv3d 1x8x56x56x64 -> 64, 3x3x3 same", "dense", 1, (8, 56, 56), 64, 64, 3, "same", rng=rng
        ),
        conv_case(
            "conv3d 1x16x112x112x3 -> 64, 3x3x3 same", "dense", 1, (16, 112, 112), 3, 64, 3, "same", rng=rng
        ),  # fmt: skip
        depthwise_case("depthwise3d 1x8x56x56x64, 3x3x3 same", 1, (8, 56, 56), 64, 3, rng),
        transposed_case(
            "transposed3d 1x4x14x14x128 -> 64, 4x4x4 s2 same", 1, (4, 14, 14), 128, 64, 4, 2, rng
        ),
        # pooling: ResNet's overlapping stem pool, VGG's 2x2 pools, a sequence and a video pool
        pool_case("maxpool2d 1x112x112x64, 3x3 s2 p1 (ResNet stem)", "max", 1, (112, 112), 64, 3, 2, 1, rng),
        pool_case("maxpool2d 8x56x56x128, 2x2 s2", "max", 8, (56, 56), 128, 2, 2, 0, rng),
        pool_case("avgpool2d 8x56x56x128, 3x3 s1 p1", "avg", 8, (56, 56), 128, 3, 1, 1, rng),
        pool_case("maxpool1d 8x1000x128, 3 s2 p1", "max", 8, (1000,), 128, 3, 2, 1, rng),
        pool_case("avgpool3d 1x16x56x56x64, 2x2x2 s2", "avg", 1, (16, 56, 56), 64, 2, 2, 0, rng),
    ]


def torch_calls(case: Case) -> dict[str, Callable[[], torch.Tensor]]:
    """torch's calls of ``case`` by layout: channels-first, and channels-last where it has one."""
    calls = {"channels-first": case.theirs}
    if case.theirs_channels_last is not None:
        calls["channels-last"] = case.theirs_channels_last
    return calls


def check(case: Case) -> None:
    """The result must match torch's, in each layout, before it is worth timing."""
    ours = case.ours()
    for layout, call in torch_calls(case).items():
        theirs = np.moveaxis(call().numpy(), 1, -1)
        if ours.shape != theirs.shape or ours.dtype != np.float32:
            raise AssertionError(
                f"{case.name}: got {ours.shape} {ours.dtype}, torch ({layout}) gives {theirs.shape}"
            )
        if not np.allclose(ours, theirs, rtol=1e-3, atol=1e-3):
            worst = float(np.max(np.abs(ours - theirs)))
            raise AssertionError(f"{case.name}: differs from torch ({layout}) by up to {worst}")


def time_alternating(*calls: Callable, rounds: int = ROUNDS) -> tuple[float, ...]:
    """Median seconds of each of ``calls`` over ``rounds`` calls, in blocks that take them in turn.

    Each block first settles: warm-up calls for at least ``SETTLE`` seconds. After a call,
    OpenBLAS's and OpenMP's worker threads keep spinning for a while, and a call of the
    other library started meanwhile shares the CPUs with them: alternating call by call
    made both sides about 3x slower, at random. Alternating blocks still spreads load that
    comes and goes over both. The garbage collector is off while timing.
    """
    times: tuple[list[float], ...] = tuple([] for _ in calls)
    per_block = -(-rounds // BLOCKS)
    gc.collect()
    gc.disable()
    try:
        with torch.inference_mode():
            for _ in range(BLOCKS):
                for fn, store in zip(calls, times, strict=True):
                    settled = time.perf_counter() + SETTLE
                    for _ in range(WARMUP):
                        fn()
                    while time.perf_counter() < settled:
                        fn()
                    for _ in range(per_block):
                        start = time.perf_counter()
                        fn()
                        store.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return tuple(statistics.median(store) for store in times)


def nested_loop_conv2d(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The definition as loops: 'valid', stride 1, one image (H, W, C)."""
    kh, kw, c_in, c_out = kernel.shape
    out_h, out_w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    xs, ks = x.tolist(), kernel.tolist()
    y = [[[0.0] * c_out for _ in range(out_w)] for _ in range(out_h)]
    for i in range(out_h):
        for j in range(out_w):
            for o in range(c_out):
                total = 0.0
                for u in range(kh):
                    for v in range(kw):
                        row = xs[i + u][j + v]
                        taps = ks[u][v]
                        for c in range(c_in):
                            total += row[c] * taps[c][o]
                y[i][j][o] = total
    return np.array(y, dtype=x.dtype)


def _torch_info() -> str:
    """torch's parallel backend, CPU capability and BLAS, from its build configuration."""
    lines = torch.__config__.parallel_info().splitlines() + torch.__config__.show().splitlines()
    backend = next((ln.split(":", 1)[1].strip() for ln in lines if "parallel backend" in ln), "?")
    capability = next((ln.split(":", 1)[1].strip() for ln in lines if "CPU capability" in ln), "?")
    blas = next((part for ln in lines for part in ln.split(", ") if "BLAS_INFO" in part), "BLAS_INFO=?")
    blas = blas[blas.index("BLAS_INFO") :]
    return f"{backend} threads, CPU capability {capability}, {blas}, mkldnn={torch.backends.mkldnn.is_available()}"


def _cpu() -> str:
    """The CPU's model, its vector extensions and its L2 cache, from Linux's /proc and /sys."""
    try:
        info = pathlib.Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "?"
    model = next(
        (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "?"
    )
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    vector = [f for f in flags if f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile")]
    try:
        l2 = (
            pathlib.Path("/sys/devices/system/cpu/cpu0/cache/index2/size").read_text(encoding="utf-8").strip()
        )
    except OSError:
        l2 = "?"
    return f"{model}; {' '.join(vector) or 'no AVX2'}; L2 {l2} per core"


def _blas_kernel() -> str:
    """Each BLAS loaded, whose it is (NumPy's, or SciPy's, which ``snippets._blas`` calls), and
    the kernel it chose for this CPU (threadpoolctl)."""
    pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    return "; ".join(
        f"{_owner(p['filepath'])}: {p['internal_api']} {p['version']}, kernel {p.get('architecture', '?')}"
        for p in pools
    )


def _owner(filepath: str) -> str:
    """The package whose wheel brought the library: ``site-packages/scipy.libs/...`` is SciPy's."""
    return f"{pathlib.Path(filepath).parent.name.split('.')[0]}'s"


def machine() -> str:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return "\n".join(
        [
            f"machine: {platform.platform()} ({platform.machine()}), {os.cpu_count()} CPUs",
            f"CPU: {_cpu()}",
            f"BLAS at run time: {_blas_kernel()}; environment overrides: {OPENBLAS_ENV}",
            f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}",
            f"numpy BLAS: {blas.get('name')} {blas.get('version')}",
            f"torch: {_torch_info()}",
            f"threads: {THREADS} (OMP/OPENBLAS/MKL_NUM_THREADS and torch.set_num_threads); "
            f"float32; median of {ROUNDS} calls, in {BLOCKS} alternating blocks that each start with "
            f">= {WARMUP} warm-up calls and >= {SETTLE:g} s of them; each case in {PROCESSES} fresh "
            "processes: the median of their times and ratios, and the range of the ratios",
            f"allocator (both libraries): {ALLOCATOR}",
            "load average at start (other processes share the CPUs): "
            + ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        ]
    )


def measure(name: str) -> tuple[float, ...]:
    """Check, then time, one case in this process: median seconds of snippets, then of torch in
    each layout of :func:`torch_calls` (channels-first, channels-last)."""
    torch.set_num_threads(THREADS)
    case = next(case for case in cases() if case.name == name)
    check(case)
    return time_alternating(case.ours, *torch_calls(case).values())


def in_fresh_processes(name: str, processes: int = PROCESSES) -> list[tuple[float, ...]]:
    """:func:`measure` in ``processes`` new Python processes, one after the other.

    A process's timings depend on where its buffers and threads happen to land: on this
    2-CPU virtual machine roughly one process in three ran snippets' dense convolutions
    2x slower throughout, now and then one ran torch's slower, with the same code and data. Several
    processes show that spread; the table reports their median.
    """
    command = [sys.executable, "-m", "benchmarks.run", "--case", name]
    runs = [subprocess.run(command, capture_output=True, text=True, check=True) for _ in range(processes)]
    return [tuple(json.loads(run.stdout.splitlines()[-1])) for run in runs]


def nested_loop_line() -> str:
    """How much faster ``conv2d`` is than the definition written as Python loops."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 16, 8), dtype=np.float32)
    kernel = rng.standard_normal((3, 3, 8, 16), dtype=np.float32)
    start = time.perf_counter()
    slow = nested_loop_conv2d(x, kernel)
    loops = time.perf_counter() - start
    assert np.allclose(slow, conv2d(x, kernel), rtol=1e-4, atol=1e-4)
    (vectorized,) = time_alternating(lambda: conv2d(x, kernel))
    return (
        f"nested Python loops, conv2d 16x16x8 -> 16 (3x3 valid): {loops * 1e3:.1f} ms once; "
        f"snippets.conv2d {vectorized * 1e3:.3f} ms (median); {loops / vectorized:.0f}x faster vectorized"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--case"]:  # a child of in_fresh_processes
        print(json.dumps(measure(argv[1])))
        return 0
    print(machine())
    print()
    header = (
        "case",
        "snippets ms",
        "torch NCHW ms",
        "torch NHWC ms",
        "ratio",
        "ratio range",
        "target",
        "met",
        "snippets GFLOP/s",
        "torch GFLOP/s",
    )
    only = os.environ.get("BENCH_ONLY", "")  # run just the cases whose name contains this
    all_cases = [case for case in cases() if only in case.name]
    widths = [max(len(c.name) for c in all_cases), *(max(len(h), 8) for h in header[1:])]

    def row(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print(row(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for case in all_cases:
        runs = in_fresh_processes(case.name)
        # per process: snippets' time against torch's faster layout in that process
        ratios = [ours / min(theirs) for ours, *theirs in runs]
        sides = [statistics.median(side) for side in zip(*runs, strict=True)]
        ours, torch_times = sides[0], sides[1:]
        fastest = min(torch_times)
        ratio, target, flops = statistics.median(ratios), TARGETS[case.kind], 2 * case.macs
        nhwc = f"{torch_times[1] * 1e3:.2f}" if len(torch_times) > 1 else "—"  # 1-D: no channels-last format
        cells = (
            case.name,
            f"{ours * 1e3:.2f}",
            f"{torch_times[0] * 1e3:.2f}",
            nhwc,
            f"{ratio:.2f}x",
            f"{min(ratios):.2f}-{max(ratios):.2f}",
            f"<= {target:g}x",
            "yes" if ratio <= target else "NO",
            f"{flops / ours / 1e9:.1f}" if flops else "—",  # pooling: no multiply-accumulates
            f"{flops / fastest / 1e9:.1f}" if flops else "—",
        )
        print(row(cells), flush=True)
    print("ratio: snippets' time over torch's faster layout, per process; the median of the processes")
    print()
    print(nested_loop_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
