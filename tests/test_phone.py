"""Figures and tables are readable on a phone (390x844) and on a laptop (1280x800).

On every page of the built site, in Chromium with ``device_scale_factor=1``:

* **Figure text is at least 10 CSS px.** For an ``<img>`` of an SVG the test inserts the same
  SVG file inline, at the width the ``<img>`` renders, and reads every ``<text>`` element's font
  size times the scale of its screen transformation matrix (``getScreenCTM``: the viewBox scaling
  and any transform on the way), which is exactly the size the glyphs are drawn at. A raster
  image carries no text sizes, so the rule is: the smallest text of the image, in image pixels
  (``smallest_text_px`` of ``snippets.figures`` for the site's own raster figures, the default
  matplotlib text of 10 pt at the PNG's recorded resolution for a notebook's output), times the
  rendered width over the natural width.
* **No table is clipped.** A table lies inside the content column, or inside a scroll container
  (``overflow-x: auto`` or ``scroll``) that lies inside the viewport, whose ``scrollWidth`` reaches
  the table's right edge, and which a keyboard can reach (it or something in it is focusable),
  so axe-core's scrollable-region-focusable rule holds too; and the page itself never scrolls
  sideways.
* **No code identifier in a table breaks inside a word**: where a ``code`` in a table cell takes
  more than one line box (``getClientRects()``), every line break falls at white space (read
  character by character with a ``Range``), so ``out_channels`` stays whole and a tuple such as
  ``(kh, kw, C_in, C_out)`` may wrap only after a comma's space.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import AXE, PAGE_SHARES, page_file, page_share

from snippets.figures import FIGURES, smallest_text_px

pytestmark = pytest.mark.browser

MIN_TEXT_PX = 10
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800)}
# Notebook figures (matplotlib's inline backend): the smallest default text is 10 pt.
NOTEBOOK_TEXT_PT = 10

# Measures the page: every visible figure's smallest text, every table's fit, every broken code.
MEASURE = """
async ({rasterPx, notebookPt}) => {
  const column = document.querySelector('.md-content__inner');
  const col = column.getBoundingClientRect();
  const visible = (el) => el.checkVisibility() && el.getBoundingClientRect().width > 0;
  const figures = [];
  for (const img of document.querySelectorAll('.md-content img')) {
    if (!visible(img)) continue;
    await img.decode().catch(() => {});
    const width = img.getBoundingClientRect().width;
    const src = img.currentSrc || img.src;
    const name = src.startsWith('data:') ? src.slice(0, 30) + '...' : src.split('/').pop();
    if (/\\.svg($|[?#])/.test(src)) {
      const text = await (await fetch(src)).text();
      const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
      const host = document.createElement('div');
      host.style.cssText = `position:absolute; left:0; top:0; width:${width}px; visibility:hidden`;
      svg.setAttribute('style', 'display:block; width:100%; height:auto');
      host.appendChild(document.importNode(svg, true));
      document.body.appendChild(host);
      let smallest = Infinity, sample = null;
      for (const node of host.querySelectorAll('text, tspan')) {  // tspan: superscripts, in a smaller size
        if (!Array.from(node.childNodes).some((c) => c.nodeType === Node.TEXT_NODE && c.data.trim())) continue;
        const m = node.getScreenCTM();
        const px = parseFloat(getComputedStyle(node).fontSize) * Math.hypot(m.a, m.b);
        if (px < smallest) { smallest = px; sample = node.textContent.trim(); }
      }
      host.remove();
      figures.push({name, width, smallest, sample, kind: 'svg'});
    } else {
      const stem = name.replace(/\\.[a-z]+$/, '');
      let natural = rasterPx[stem];
      if (natural === undefined && src.startsWith('data:image/png')) {
        const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
        for (let i = 8; i + 20 < bytes.length; ) {  // PNG chunks: length, type, data, crc
          const length = new DataView(bytes.buffer).getUint32(i);
          const type = String.fromCharCode(...bytes.slice(i + 4, i + 8));
          if (type === 'pHYs') {
            const perMetre = new DataView(bytes.buffer).getUint32(i + 8);
            natural = notebookPt * (perMetre * 0.0254) / 72;
            break;
          }
          if (type === 'IDAT') break;
          i += 12 + length;
        }
      }
      const smallest = natural === undefined ? null : natural * width / img.naturalWidth;
      figures.push({name, width, natural: img.naturalWidth, smallest, kind: 'raster'});
    }
  }
  // True when a line break falls between two characters that are not white space.
  const breaksInsideAWord = (code) => {
    let previous = null;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box) continue;
        const char = node.data[i];
        if (previous && box.top > previous.bottom - 1 && !/\\s/.test(char) && !/\\s/.test(previous.char))
          return true;
        previous = {bottom: box.bottom, char};
      }
    }
    return false;
  };
  const focusable = (el) => el.tabIndex >= 0 ||
    el.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
  const tables = [];
  for (const table of document.querySelectorAll('.md-content table')) {
    if (!visible(table)) continue;
    const t = table.getBoundingClientRect();
    const head = (table.innerText || '').trim().split('\\n')[0].slice(0, 50);
    const problems = [];
    let scroller = null;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) { scroller = el; break; }
      if (el === column) break;
    }
    if (scroller) {
      const s = scroller.getBoundingClientRect();
      if (s.left < -0.5 || s.right > innerWidth + 0.5) problems.push(`scroll container ${s.left}-${s.right} leaves the viewport`);
      const reach = scroller.scrollWidth - (t.right - s.left + scroller.scrollLeft);
      if (reach < -0.5) problems.push(`scrolls to ${scroller.scrollWidth}, table ends at ${t.right - s.left}`);
      if (scroller.scrollWidth > scroller.clientWidth + 0.5 && !focusable(scroller))
        problems.push('overflowing scroll container is not keyboard-focusable');
    } else if (t.left < col.left - 0.5 || t.right > col.right + 0.5) {
      problems.push(`table ${t.left.toFixed(0)}-${t.right.toFixed(0)} outside the column ${col.left}-${col.right}, no scroll container`);
    }
    const broken = Array.from(table.querySelectorAll('td code, th code'))
      .filter((c) => visible(c) && c.getClientRects().length > 1 && breaksInsideAWord(c))
      .map((c) => c.textContent);
    if (broken.length) problems.push(`code broken across lines: ${JSON.stringify(broken)}`);
    if (problems.length) tables.push({head, problems});
  }
  return {figures, tables, pageWidth: document.scrollingElement.scrollWidth, innerWidth};
}
"""


# axe-core's scrollable-region-focusable rule, on the regions that hold a table or a figure
# (display formulas that overflow are hooks/mathml.py's: not this test's subject).
AXE_TABLES_AND_FIGURES = """
async () => (await axe.run(document, {runOnly: ['scrollable-region-focusable']})).violations
  .flatMap((v) => v.nodes.map((n) => n.target.join(' ')))
  .filter((target) => document.querySelector(target)?.querySelector('table, img'))
"""


def raster_text_px() -> dict[str, float]:
    """The smallest text, in image pixels, of each raster figure of the site."""
    return {name: smallest_text_px(name) for name, drawing in FIGURES.items() if drawing.animate}


def measure_pages(browser, base_url: str, paths: list[str], width: int, height: int) -> dict[str, dict]:
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    axe = AXE.read_text("utf8")
    reports = {}
    try:
        for path in paths:
            page.goto(base_url + path)
            page.wait_for_load_state("load")
            report = page.evaluate(MEASURE, {"rasterPx": raster_text_px(), "notebookPt": NOTEBOOK_TEXT_PT})
            page.add_script_tag(content=axe)
            report["axe"] = page.evaluate(AXE_TABLES_AND_FIGURES)
            reports[path] = report
    finally:
        context.close()
    return reports


def small_figure_text(pages: dict[str, dict], site: Path) -> dict:
    """Figures whose smallest text is under 10 CSS px, and pages with a figure of the site but
    no figure measured (the measure must find them)."""
    small = {
        f"{path} {figure['name']}": (
            f"smallest text {figure['smallest']:.1f} px"
            if figure["smallest"] is not None
            else "text size unknown"
        )
        + f" at {figure['width']:.0f} px wide"
        + (f" ({figure['sample']!r})" if figure.get("sample") else "")
        for path, report in pages.items()
        for figure in report["figures"]
        if figure["smallest"] is None or figure["smallest"] < MIN_TEXT_PX - 0.01
    }
    return small | {
        f"{path} (figures)": "the page has a figure of the site, and none was measured"
        for path, report in pages.items()
        if "assets/figures/" in page_file(site, path).read_text("utf8") and not report["figures"]
    }


def clipped_tables_and_broken_code(pages: dict[str, dict], site: Path) -> dict:
    """Tables clipped or out of reach of the keyboard, code broken inside a word, pages that
    scroll sideways."""
    problems = {path: report["tables"] for path, report in pages.items() if report["tables"]}
    problems |= {
        f"{path} (page)": f"scrolls sideways: {report['pageWidth']} px wide in a {report['innerWidth']} px viewport"
        for path, report in pages.items()
        if report["pageWidth"] > report["innerWidth"]
    }
    return problems | {f"{path} (axe)": report["axe"] for path, report in pages.items() if report["axe"]}


@pytest.mark.parametrize("share", range(PAGE_SHARES), ids=lambda share: f"share{share}")
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_figures_and_tables_are_readable(viewport, share, browser, base_url, built_site) -> None:
    """The pages of one share (``browser_support.page_share``), measured once at one viewport."""
    width, height = VIEWPORTS[viewport]
    pages = measure_pages(browser, base_url, page_share(built_site, share), width, height)
    problems = small_figure_text(pages, built_site) | clipped_tables_and_broken_code(pages, built_site)
    assert problems == {}, f"{viewport}: " + json.dumps(problems, indent=1, ensure_ascii=False)
