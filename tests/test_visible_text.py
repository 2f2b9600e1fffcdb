"""What a reader sees of the API reference's cross-references: links, not roles. (That no page
shows a raw Sphinx role is checked with every page's other checks, in test_browser.py.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_api_reference_cross_references_are_links(page, base_url) -> None:
    """The roles became links to the entry they name: on the same page, or on the reference
    page of the module that holds it."""
    page.goto(base_url + "reference/networks/")
    links = page.evaluate(
        """() => Array.from(document.querySelectorAll('.doc-contents a.autorefs-internal'))
                 .map(a => [a.innerText, a.getAttribute('href')])"""
    )
    targets = {text: href for text, href in links}
    assert targets["Conv"] == "#snippets.networks.Conv"
    assert targets["Upsample"] == "../graph/#snippets.graph.Upsample"
    for href in set(targets.values()):
        path, anchor = href.split("#")
        page.goto(base_url + "reference/networks/" + path)
        assert page.locator(f'[id="{anchor}"]').count() == 1, href
