"""The pictures: committed files are current, drawn geometry equals the arithmetic, pages show
each figure with the alt text computed for it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from snippets import count_conv_params, padding_amounts, receptive_field, separable_params
from snippets.diagrams import (
    draw_depthwise_then_pointwise,
    draw_pointwise_mixing,
    plot_params_vs_kernel,
    plot_receptive_field_vs_depth,
    plot_separable_savings,
    receptive_field_stacks,
)
from snippets.figures import FIGURES, FIGURES_DIR, smallest_text_px, write_figure
from snippets.geometry import (
    dilated_reach,
    output_grid_shape,
    overlap_counts,
    padded_input_mask,
    window_cells,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")


def committed(name: str) -> Path:
    return FIGURES_DIR / f"{name}{FIGURES[name].suffix}"


def svg_ids(name: str) -> dict[str, ET.Element]:
    """Every element of a committed SVG that has an id, by id."""
    root = ET.parse(committed(name)).getroot()
    return {element.get("id"): element for element in root.iter() if element.get("id")}


def cells(ids: dict[str, ET.Element], prefix: str) -> set[tuple[int, int]]:
    """The ``(row, col)`` of every id ``<prefix>-<row>-<col>``."""
    found = (re.fullmatch(rf"{re.escape(prefix)}-(\d+)-(\d+)", key) for key in ids)
    return {(int(match[1]), int(match[2])) for match in found if match}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_committed_figure_is_current(name: str, tmp_path: Path) -> None:
    """Redrawn from the code, each figure equals the committed file; run `make figures` when this fails."""
    fresh = write_figure(name, tmp_path)
    assert committed(name).is_file(), f"{committed(name)} is missing: run make figures"
    assert fresh.read_bytes() == committed(name).read_bytes(), f"{committed(name)} is stale: run make figures"
    assert committed(name).stat().st_size < 300_000


# The content column of a 390 px phone screen (Material: 16 px margins each side); tests/test_phone.py
# measures the real rendering in Chromium, this checks the files without a browser.
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 10


@pytest.mark.parametrize("name", sorted(name for name in FIGURES if FIGURES[name].suffix == ".svg"))
def test_svg_text_is_readable_in_a_phone_column(name: str) -> None:
    """Scaled to the phone column, the smallest font size in the file (any text or tspan, so
    superscripts count) is at least 10 px: smallest * 358 / viewBox width >= 10."""
    text = committed(name).read_text("utf8")
    width = float(ET.fromstring(text).get("viewBox").split()[2])
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", text)]
    assert sizes, f"{name}: no text found"
    shown = min(sizes) * min(PHONE_COLUMN_PX, width * 4 / 3) / width
    assert shown >= MIN_TEXT_PX, (
        f"{name}: {min(sizes)} px text in a {width}-unit viewBox shows at {shown:.1f} px"
    )


def test_animation_text_is_readable_at_its_own_size() -> None:
    """The GIF is shown at its natural size (narrower than the phone column): its smallest text,
    points times the GIF's dpi / 72, is at least 10 px."""
    with Image.open(committed("sliding-window")) as gif:
        assert gif.width <= PHONE_COLUMN_PX
    assert smallest_text_px("sliding-window") >= MIN_TEXT_PX


def test_pages_show_each_figure_with_its_alt_text() -> None:
    shown: dict[str, list[str]] = {}
    for page in DOCS.rglob("*.md"):
        for image in IMAGE.finditer(page.read_text("utf8")):
            name = Path(image["src"].split("#")[0]).stem
            if name in FIGURES:
                shown.setdefault(name, []).append(" ".join(image["alt"].split()))
                assert (page.parent / image["src"].split("#")[0]).resolve() == committed(name).resolve(), (
                    image["src"]
                )
    assert sorted(shown) == sorted(FIGURES), "every figure is on a page"
    for name, alts in shown.items():
        assert alts == [FIGURES[name].alt()] * len(alts), f"{name}: alt text differs from snippets.figures"


@pytest.mark.parametrize(("padding", "stride"), [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)])
def test_sliding_window_geometry(padding: str, stride: int) -> None:
    ids = svg_ids("sliding-windows")
    prefix = f"{padding}-s{stride}-"
    out_h, out_w = output_grid_shape((5, 5), 3, stride, padding)
    assert cells(ids, prefix + "output-cell") == {(r, c) for r in range(out_h) for c in range(out_w)}
    mask = padded_input_mask((5, 5), 3, stride, padding)
    assert cells(ids, prefix + "pad-cell") == {tuple(map(int, cell)) for cell in np.argwhere(~mask)}
    assert len(cells(ids, prefix + "input-cell")) == 25
    (top, bottom), (left, right) = padding_amounts((5, 5, 1), 3, stride, padding)
    assert mask.shape == (5 + top + bottom, 5 + left + right)
    assert cells(ids, prefix + "window-cell") == set(window_cells((0, 0), 3, stride))


def test_animation_visits_every_output() -> None:
    out_h, out_w = output_grid_shape((5, 5), 3, 2, "same")
    with Image.open(committed("sliding-window")) as gif:
        assert gif.n_frames == out_h * out_w


def test_even_kernel_padding_geometry() -> None:
    ids = svg_ids("even-kernel-padding")
    for panel, padding in enumerate(["same", 2, 1]):
        (_, _), (left, right) = padding_amounts((1, 6, 1), (1, 4), 1, padding)
        pads = {col for _, col in cells(ids, f"p{panel}-pad-cell")}
        assert pads == set(range(left)) | {left + 6 + i for i in range(right)}
        assert len(cells(ids, f"p{panel}-input-cell")) == 6


@pytest.mark.parametrize("rate", [1, 2, 4])
def test_dilation_grid_taps(rate: int) -> None:
    ids = svg_ids("dilation-grids")
    taps = cells(ids, f"d{rate}-tap")
    assert taps == set(window_cells((0, 0), 3, 1, rate))
    span = receptive_field([(3, 1, rate)]).size
    assert len(taps | cells(ids, f"d{rate}-skip")) == span * span


@pytest.mark.parametrize("dilations", [(2, 2, 2), (1, 2, 4)])
def test_dilated_reach_equals_torch_gradient(dilations: tuple[int, ...]) -> None:
    """The drawn seen/hole pattern is where one output's gradient reaches in a torch stack."""
    ids = svg_ids("dilated-reach")
    prefix = "d" + "-".join(map(str, dilations))
    seen = cells(ids, prefix + "-seen")
    size = receptive_field([(3, 1, d) for d in dilations]).size
    layers = [torch.nn.Conv2d(1, 1, 3, dilation=d, bias=False) for d in dilations]
    for layer in layers:
        torch.nn.init.ones_(layer.weight)
    image = torch.zeros(1, 1, size, size, dtype=torch.float32, requires_grad=True)
    output = torch.nn.Sequential(*layers)(image)
    assert output.shape[-2:] == (1, 1)
    output.sum().backward()
    reached = {tuple(map(int, cell)) for cell in np.argwhere(image.grad[0, 0].numpy() > 0)}
    assert seen == reached
    assert len(seen | cells(ids, prefix + "-hole")) == size * size
    assert np.count_nonzero(dilated_reach(list(dilations))) == len(seen)


@pytest.mark.parametrize("kernel", [3, 4])
def test_overlap_counts_equal_a_transposed_conv_of_ones(kernel: int) -> None:
    """Drawn counts == torch's conv_transpose2d of a ones image with a ones kernel."""
    ids = svg_ids("transposed-overlap")
    drawn = {
        cell: int(ids[f"k{kernel}-overlap-{cell[0]}-{cell[1]}"].find("{*}text").text)
        for cell in cells(ids, f"k{kernel}-overlap")
    }
    ones = torch.nn.functional.conv_transpose2d(
        torch.ones(1, 1, 3, 3), torch.ones(1, 1, kernel, kernel), stride=2
    )
    expected = ones[0, 0].round().int().numpy()
    assert drawn == {tuple(map(int, cell)): int(expected[tuple(cell)]) for cell in np.argwhere(expected >= 0)}
    assert np.array_equal(overlap_counts(3, kernel, 2), expected)
    assert len(cells(ids, f"k{kernel}-footprint")) == 0  # footprints are ids without a cell
    assert {key for key in ids if key.startswith(f"k{kernel}-footprint-")} == {
        f"k{kernel}-footprint-{i}" for i in range(3)
    }


def test_channel_diagrams_draw_one_line_per_weight() -> None:
    pointwise = {artist.get_gid() for artist in draw_pointwise_mixing(6, 3).axes[0].lines}
    assert len(pointwise) == count_conv_params(6, 3, 1, use_bias=False)
    figure = draw_depthwise_then_pointwise(3, 4, 3)
    gids = [artist.get_gid() for artist in figure.axes[0].lines]
    depthwise_lines = [gid for gid in gids if gid.startswith("dw-filter-")]
    pointwise_lines = [gid for gid in gids if gid.startswith("pw-weight-")]
    assert len(depthwise_lines) == 3
    assert 3 * 3 * len(depthwise_lines) + len(pointwise_lines) == separable_params(3, 4, 3, use_bias=False)


def test_plots_draw_the_computed_values() -> None:
    lines = {line.get_gid(): line for line in plot_params_vs_kernel((32, 64), (1, 3)).axes[0].lines}
    assert list(lines["line-64"].get_ydata()) == [count_conv_params(64, 64, 1), count_conv_params(64, 64, 3)]
    savings = {line.get_gid(): line for line in plot_separable_savings(64, 3, (8, 256)).axes[0].lines}
    assert list(savings["ratios-bias-False"].get_ydata()) == pytest.approx([1 / 8 + 1 / 9, 1 / 256 + 1 / 9])
    fields = {
        line.get_gid(): list(line.get_ydata()) for line in plot_receptive_field_vs_depth(4).axes[0].lines
    }
    assert fields == {f"stack-{name}": sizes for name, sizes in receptive_field_stacks(4).items()}
    assert fields["stack-plain 3x3"] == [3, 5, 7, 9]  # 1 + 2 per layer
