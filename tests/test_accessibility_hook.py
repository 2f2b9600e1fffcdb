"""hooks/accessibility.py inserts attributes into start tags found by an HTML parser, and
leaves every other character of the page as it was."""

from __future__ import annotations

from hooks.accessibility import with_attributes


def test_attributes_are_added_where_the_rules_match_and_nowhere_else() -> None:
    page = (
        '<div class="md-search" data-md-component="search" role="dialog">\n'
        "<script>var t = '<table>';</script>\n"
        '<table>\n<tr><td>a</td></tr></table><table tabindex="-1"></table>\n'
        '<math display="block"><mi>x</mi></math><math display="inline"></math>\n'
        '<div class="highlight-ipynb hl-python"><pre>x</pre></div><br/>'
    )
    assert with_attributes(page) == (
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">\n'
        "<script>var t = '<table>';</script>\n"
        '<table tabindex="0">\n<tr><td>a</td></tr></table><table tabindex="-1"></table>\n'
        '<math display="block" tabindex="0"><mi>x</mi></math><math display="inline"></math>\n'
        '<div class="highlight-ipynb hl-python" tabindex="0"><pre>x</pre></div><br/>'
    )


def test_the_code_of_a_code_block_takes_the_focus_and_inline_code_does_not() -> None:
    page = "<p><code>x</code></p><pre><span></span><code>y = 1</code></pre><p><code>z</code></p>"
    assert with_attributes(page) == (
        '<p><code>x</code></p><pre><span></span><code tabindex="0">y = 1</code></pre><p><code>z</code></p>'
    )
