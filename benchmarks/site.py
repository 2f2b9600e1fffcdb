"""How fast the built site loads: Lighthouse 12.2.3 on the heaviest page of each type, ``python -m benchmarks.site``.

The site (``--site DIR``; by default built first with ``mkdocs build --strict`` into a temporary
directory) is served from 127.0.0.1 by a small server that compresses text responses with gzip,
as a static host does, under the path of ``site_url`` (``/conv-field-guide/``). Lighthouse
(``node_modules/.bin/lighthouse``, pinned in package.json) runs the Chromium the browser tests
use (``tools.browser``: ``CHROMIUM_PATH``, else Debian's) headless, with its default mobile emulation and
simulated throttling (slow 4G, 4x CPU slowdown), performance category only, one cold load per
run. The page of each type is its largest HTML file (``tools.page_types``). The table shows, per page: the performance score, Total Blocking Time, Largest Contentful
Paint and the bytes transferred (compressed). ``--runs N`` takes the median of N runs.

Goal (issue 12): score >= 95 and TBT < 200 ms on every page type; every page <= 250 KiB.
A benchmark, not a test: timings move with the load on the machine (2 shared cores here).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from tools.browser import chromium_path
from tools.page_types import heaviest_pages
from tools.site_server import SiteHandler, serve, site_prefix

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = str(chromium_path())  # what the browser tests drive (tools/browser.py); Lighthouse reads CHROME_PATH

GOAL_SCORE = 95
GOAL_TBT_MS = 200
GOAL_KIB = 250

# Content types worth compressing (what a static host gzips).
_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|xml|x-ipynb\+json)|image/svg\+xml)")


class CompressingHandler(SiteHandler):
    """The site under its prefix; gzips text responses when the client accepts gzip."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/x-ipynb+json"}

    def send_head(self):  # noqa: ANN201 - the base class's signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        kind = self.guess_type(str(path))
        if not (path.is_file() and accepts_gzip and _COMPRESSIBLE.match(kind)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self._body = body
        return None

    def do_GET(self) -> None:
        self._body = None
        file = self.send_head()
        if self._body is not None:
            self.wfile.write(self._body)
        elif file:
            try:
                self.copyfile(file, self.wfile)
            finally:
                file.close()


@dataclass(frozen=True)
class Result:
    score: float  # performance score, 0-100
    tbt_ms: float  # Total Blocking Time
    lcp_ms: float  # Largest Contentful Paint
    kib: float  # bytes transferred / 1024
    benchmark_index: float = 0.0  # Lighthouse's measure of the host CPU (below 1000: "slower than expected")


def lighthouse(url: str) -> Result:
    """One Lighthouse run (mobile emulation, performance only) on ``url``."""
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} not found: run `npm ci` (package.json pins lighthouse 12.2.3)")
    run = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance",
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode:
        raise RuntimeError(f"lighthouse failed on {url}:\n{run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    audits = report["audits"]
    return Result(
        score=100 * report["categories"]["performance"]["score"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        kib=audits["total-byte-weight"]["numericValue"] / 1024,
        benchmark_index=report["environment"]["benchmarkIndex"],
    )


def median_result(results: list[Result]) -> Result:
    """The median of each measure over ``results`` (taken separately)."""
    return Result(
        score=statistics.median(r.score for r in results),
        tbt_ms=statistics.median(r.tbt_ms for r in results),
        lcp_ms=statistics.median(r.lcp_ms for r in results),
        kib=statistics.median(r.kib for r in results),
        benchmark_index=statistics.median(r.benchmark_index for r in results),
    )


def meets_goal(result: Result) -> bool:
    """Score >= 95, TBT < 200 ms and at most 250 KiB transferred."""
    return result.score >= GOAL_SCORE and result.tbt_ms < GOAL_TBT_MS and result.kib <= GOAL_KIB


def table(results: dict[str, tuple[str, Result]]) -> str:
    """The results as a Markdown table, one row per page type."""
    lines = [
        "| page type | path | score | TBT ms | LCP ms | KiB transferred | host CPU index | goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, (path, r) in results.items():
        lines.append(
            f"| {kind} | /{path} | {r.score:.0f} | {r.tbt_ms:.0f} | {r.lcp_ms:.0f} | {r.kib:.1f} |"
            f" {r.benchmark_index:.0f} |"
            f" {'met' if meets_goal(r) else 'MISSED'} |"
        )
    return "\n".join(lines)


def site_and_runs(
    doc: str, argv: list[str] | None, runs: int, runs_help: str, page: str = "index.html"
) -> tuple[Path, int]:
    """The ``--site DIR`` (built now into a temporary folder when not given; it must hold
    ``page``) and ``--runs N`` (at least 1) of a browser benchmark whose docstring is ``doc``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a site built before (default: build one now)")
    parser.add_argument("--runs", type=int, default=runs, help=runs_help)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp(prefix="bench-")) / "site"
        build(site)
    elif not (site / page).is_file():
        parser.error(f"--site {site}: no {page} there; build the site first")
    return site, args.runs


def build(out: Path) -> None:
    """``mkdocs build --strict`` into ``out`` (labs reused from the cache when unchanged)."""
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "LABS_USE_CACHE": os.environ.get("LABS_USE_CACHE", "1")},
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a site built before (default: build one now)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median is shown")
    parser.add_argument("--only", help="page types whose name contains this text")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if args.site is None:
            build(site)
        elif not (site / "index.html").is_file():
            parser.error(f"--site {site}: no index.html there; build the site first")
        pages = {
            k: p for k, p in heaviest_pages(site).items() if not args.only or args.only.lower() in k.lower()
        }
        results: dict[str, tuple[str, Result]] = {}
        with serve(site, site_prefix(), CompressingHandler) as url:
            for kind, path in pages.items():
                runs = [lighthouse(url + path) for _ in range(args.runs)]
                results[kind] = (path, median_result(runs))
                print(f"{kind}: {results[kind][1]}", file=sys.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Lighthouse 12.2.3, mobile emulation, {args.runs} run(s) per page, median; Chromium {CHROME}")
    print(
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end. Host CPU index: Lighthouse's"
        " benchmarkIndex; below 1000 it warns that the host is slower than it expects, and its"
        " simulated 4x CPU slowdown then overstates TBT."
    )
    print(table(results))
    return 0 if all(meets_goal(r) for _, r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
