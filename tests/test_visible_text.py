"""What a reader sees on every page, read from Chromium's ``innerText``: no markup of another
syntax left raw (Sphinx roles such as ``:func:`name```), and the API page's roles as links."""

from __future__ import annotations

import re

import pytest
from browser_support import READ_TEXT, page_paths

pytestmark = pytest.mark.browser

# The visible text of the page but its code blocks (a docstring shown as source keeps its roles,
# as the file a reader copies does), read with READ_TEXT: the off-screen blocks too.
PROSE = f"""() => {{
  const content = document.querySelector('.md-content');
  const hidden = Array.from(content.querySelectorAll('pre'));
  hidden.forEach(node => {{ node.dataset.display = node.style.display; node.style.display = 'none'; }});
  const text = ({READ_TEXT})('.md-content');
  hidden.forEach(node => {{ node.style.display = node.dataset.display; }});
  return text;
}}"""
RAW_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|obj|exc|const):(?=[`\w~])")


def test_no_page_shows_a_raw_sphinx_role(page, base_url, built_site) -> None:
    shown = {}
    for path in page_paths(built_site):
        page.goto(base_url + path)
        text = page.evaluate(PROSE)
        roles = sorted({line.strip()[:100] for line in text.splitlines() if RAW_ROLE.search(line)})
        if roles:
            shown[path] = roles
    assert shown == {}


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
