"""Main-thread work of each explorer interaction on the calculator page, in Chromium.

``python -m benchmarks.explorer [--site DIR] [--runs N]`` opens the calculator on the reference
stacks (ResNet-50's stem and first stage, MobileNetV1's first blocks) and repeats each
interaction ``N`` times under Chromium's tracing, each time until a task after the next frame.
The main-thread work of one interaction is the time of every task on the page's main thread
(``RunTask`` on ``CrRendererMain``: the handler, style, layout, paint, garbage collection),
divided by ``N``. Printed with ratios measured in the same run:

* to the issue's budget of 50 ms (below 1: within it);
* to the same work for an interaction that does nothing (the reference: what waiting for a
  frame costs the main thread by itself);
* for typing into a calculator field, to the same keystroke with the explorer taken off the
  page: what the explorer adds to the calculator's own update.

The handler's own time (``performance.now()`` around the event) is printed too.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter

from benchmarks.site import CHROME, site_and_runs
from tools.site_server import serve, site_prefix

BUDGET_MS = 50
BOTTLENECK = "conv:k=1,p=0,b=0;conv:p=1,b=0;conv:f=256,k=1,p=0,b=0"
STACKS = {
    "ResNet-50 stem + stage 1": "#mode=pytorch&in=224,224,3&l=conv:k=7,s=2,p=3,b=0;maxpool:k=3,s=2,p=1;"
    + ";".join([BOTTLENECK] * 3),
    "MobileNetV1 first blocks": "#mode=keras&in=224,224,3&l=conv:f=32,s=2,b=0;depthwise:b=0;conv:k=1,b=0;"
    "depthwise:s=2,b=0;conv:f=128,k=1,b=0;depthwise:b=0;conv:f=128,k=1,b=0",
}
# Each interaction as JS run in the page: the milliseconds its handler took, and until the
# frame after it was drawn (which includes waiting for that frame).
TIMED = """
(action) => {
  const canvas = document.getElementById('cx-t1');
  const events = {
    nothing: () => {},
    click: () => {
      const box = canvas.getBoundingClientRect();
      canvas.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: box.x + box.width / 3, clientY: box.y + box.height / 3}));
    },
    step: () => document.getElementById('cx-next').click(),
    layer: () => {
      const select = document.getElementById('cx-layer');
      select.value = select.value === '1' ? String(select.options.length) : '1';
      select.dispatchEvent(new Event('change', {bubbles: true}));
    },
    slider: () => {
      const slider = document.getElementById('cx-frame');
      slider.value = String((Number(slider.value) + 97) % (Number(slider.max) + 1));
      slider.dispatchEvent(new Event('input', {bubbles: true}));
    },
    type: () => {
      const field = document.getElementById('cc-in-h');
      field.value = field.value === '224' ? '223' : '224';
      field.dispatchEvent(new Event('input', {bubbles: true}));
    },
  };
  const start = performance.now();
  events[action]();
  const handler = performance.now() - start;
  // the style, layout and paint that follow: until a task after the next frame
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve([handler, performance.now() - start]), 0)));
}
"""
ACTIONS = ["nothing", "click", "step", "slider", "layer", "type"]


def main_thread_ms(browser, page, action: str, runs: int) -> tuple[float, float]:
    """Per interaction: the main thread's busy milliseconds (traced) and the handler's median."""
    browser.start_tracing(
        page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"]
    )
    handler = [page.evaluate(TIMED, action)[0] for _ in range(runs)]
    events = json.loads(browser.stop_tracing())["traceEvents"]
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    busy = Counter()
    for e in events:
        if e.get("name") == "RunTask" and e.get("ph") == "X" and (e["pid"], e["tid"]) in main:
            busy[(e["pid"], e["tid"])] += e.get("dur", 0) / 1000
    return max(busy.values(), default=0.0) / runs, statistics.median(handler)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    site, runs = site_and_runs(
        __doc__, argv, 15, "times each interaction is repeated", "calculator/index.html"
    )
    with serve(site, site_prefix()) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROME, args=["--no-sandbox"])
        print(
            f"{'stack':28} {'interaction':12} {'main thread ms':>14} {'/ 50 ms':>8} {'/ nothing':>10} "
            f"{'handler ms':>10} {'/ without explorer':>19}"
        )
        for name, hash_ in STACKS.items():
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(root + "calculator/" + hash_)
            page.wait_for_selector("#cx-app[data-ready] canvas")
            page.evaluate("document.getElementById('cx-app').scrollIntoView()")
            results = {action: main_thread_ms(browser, page, action, runs) for action in ACTIONS}
            page.evaluate("document.getElementById('cx-app').remove()")
            bare, _ = main_thread_ms(browser, page, "type", runs)
            nothing = results["nothing"][0]
            for action, (ms, handler) in results.items():
                versus = f"{ms / bare:19.2f}" if action == "type" and bare > 0 else " " * 19
                print(
                    f"{name:28} {action:12} {ms:14.1f} {ms / BUDGET_MS:8.2f} {ms / nothing:10.1f} "
                    f"{handler:10.1f} {versus}"
                )
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
