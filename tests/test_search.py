"""Search as a reader uses it in Chromium: type a topic word, the chapter that teaches it comes first.

Material's search splits text into words with the search plugin's ``separator`` (by default
spaces and hyphens only, so "(atrous)" would be one word that the query "atrous" never matches)
and ranks pages with lunr; ``search: boost:`` front matter moves a whole page up or down.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# The first result group of Material's search dialog: its page link and the page's title.
READ_RESULTS = """
() => Array.from(document.querySelectorAll('.md-search-result__list > .md-search-result__item'))
  .map(item => {
    const link = item.querySelector('a');
    return {href: new URL(link.href).pathname, title: item.querySelector('h1, h2')?.innerText ?? ''};
  })
"""

# A topic word and the pages that teach it (paths under the site's root): the first result
# must be one of them. Padding and stride have two: the parameters chapter introduces them,
# the frameworks page is titled with them. ("pointwise" is left out: the API has a function of
# that name, and a reader who types a function's exact name is shown the function.)
TOPICS = {
    "atrous": ("chapters/dilated/",),
    "dilation": ("chapters/dilated/",),
    "dilated": ("chapters/dilated/",),
    "transposed": ("chapters/transposed/",),
    "depthwise": ("chapters/depthwise-separable/",),
    "separable": ("chapters/depthwise-separable/",),
    "1x1": ("chapters/one-by-one/",),
    "padding": ("chapters/parameters/", "further/frameworks/"),
    "stride": ("chapters/parameters/", "further/frameworks/"),
    "output shape": ("chapters/parameters/", "further/frameworks/"),
    "receptive field": ("further/receptive-field/",),
    "parameter count": ("chapters/parameter-counting/",),
    "im2col": ("further/computing/",),
    "checkerboard": ("chapters/transposed/",),
}


def search(page, base_url: str, query: str) -> list[dict[str, str]]:
    """Open the site, type ``query`` into the search box key by key, as a reader does, and
    return the result groups once the list stops changing (the index loads asynchronously)."""
    page.goto(base_url)
    page.click("input.md-search__input")
    page.locator("input.md-search__input").press_sequentially(query, delay=20)
    page.wait_for_function(
        "document.querySelector('.md-search-result__meta').innerText.trim() !== ''"
        " && document.querySelector('.md-search-result__meta').innerText !== 'Initializing search'",
        timeout=15_000,
    )
    previous = None
    for _ in range(20):  # the last keystroke's query may still be running
        results = page.evaluate(READ_RESULTS)
        if results == previous:
            return results
        previous = results
        page.wait_for_timeout(150)
    return results


def relative(href: str, base_url: str) -> str:
    prefix = "/" + base_url.split("/", 3)[3]
    return href[len(prefix) :] if href.startswith(prefix) else href


@pytest.mark.parametrize("query", sorted(TOPICS))
def test_topic_word_lists_its_chapter_first(page, base_url, query: str) -> None:
    results = search(page, base_url, query)
    first = [relative(result["href"], base_url) for result in results[:3]]
    assert first and first[0] in TOPICS[query], f"{query!r}: first results {first}"


@pytest.mark.parametrize("name", ["conv_output_shape", "separable_params", "receptive_field"])
def test_a_function_name_finds_its_reference_entry(page, base_url, name: str) -> None:
    """Cutting code blocks out of the index and signatures out of its titles keeps the API
    findable: the reference is among the first two results, with the function's own entry."""
    results = search(page, base_url, name)
    first = [relative(result["href"], base_url) for result in results[:2]]
    assert any(path.startswith("reference/") for path in first), f"{name!r}: first results {first}"
    links = page.eval_on_selector_all(
        ".md-search-result__link", "links => links.map(a => new URL(a.href)).map(u => u.pathname + u.hash)"
    )
    entry = re.compile(rf"/reference/(?P<module>[a-z_]+)/#snippets\.(?P=module)\.(\w+\.)*{name}$")
    assert any(entry.search(link) for link in links), links


def test_prose_of_a_chapter_is_still_found(page, base_url) -> None:
    """A phrase that only a chapter's prose holds (not a heading): the index keeps prose text."""
    results = search(page, base_url, "gridding")
    assert any(
        relative(r["href"], base_url).startswith("labs/dilation") or "dilated" in r["href"] for r in results
    )


def test_lab_headings_are_listed_without_the_permalink_sign(page, base_url) -> None:
    search(page, base_url, "taps fall")
    titles = page.eval_on_selector_all(
        ".md-search-result__article h1, .md-search-result__article h2", "hs => hs.map(h => h.innerText)"
    )
    assert titles and not [t for t in titles if t.rstrip().endswith("\u00b6")], titles
