"""Main-thread blocking of each page type in Chromium, against the theme's bare page (404).

``python -m benchmarks.main_thread [--site DIR] [--runs N]`` opens one page of each type
(its heaviest, ``tools.page_types``) cold, at a phone's viewport with the CPU slowed 4x (as Lighthouse's
mobile emulation does), and sums what every long task (over 50 ms, seen by a
``PerformanceObserver``) exceeds 50 ms by: Total Blocking Time without the network model.
Each page is loaded ``N`` times in turn with the 404 page, whose figure is the reference: a
page of the same theme with nothing of ours on it. The ratio to it is what the code of a page
adds, and stays comparable when the machine is busy, where the milliseconds do not.
"""

from __future__ import annotations

import statistics

from benchmarks.site import CHROME, site_and_runs
from tools.page_types import heaviest_pages
from tools.site_server import serve, site_prefix

REFERENCE = "404"
THROTTLE = 4
OBSERVE = """
window.__longTasks = [];
new PerformanceObserver(list => list.getEntries().forEach(e => window.__longTasks.push(e.duration)))
  .observe({type: 'longtask', buffered: true});
"""


def blocking_ms(browser, url: str) -> float:
    """Sum over the long tasks of one cold load of ``url`` of their time beyond 50 ms."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True)
    page = context.new_page()
    page.add_init_script(OBSERVE)
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    page.goto(url, wait_until="load")
    page.wait_for_timeout(3000)  # what the page's scripts do after load counts too
    durations = page.evaluate("window.__longTasks")
    context.close()
    return sum(max(0.0, duration - 50) for duration in durations)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    site, runs = site_and_runs(
        __doc__, argv, 5, "loads per page, alternating with the reference", "index.html"
    )
    with serve(site, site_prefix()) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROME, args=["--no-sandbox"])
        rows = []
        pages = heaviest_pages(site)
        for name, path in pages.items():
            if name == REFERENCE:
                continue
            ours, reference = [], []
            for _ in range(runs):
                ours.append(blocking_ms(browser, root + path))
                reference.append(blocking_ms(browser, root + pages[REFERENCE]))
            rows.append((name, path, statistics.median(ours), statistics.median(reference)))
        browser.close()
    print(f"Long tasks beyond 50 ms, CPU slowed {THROTTLE}x, median of {runs} cold loads per page")
    print("| page type | path | blocking ms | 404 page ms (same run) | ratio |")
    print("|---|---|---|---|---|")
    for name, path, ours, reference in rows:
        ratio = f"{ours / reference:.1f}x" if reference else "n/a (reference 0 ms)"
        print(f"| {name} | /{path} | {ours:.0f} | {reference:.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
