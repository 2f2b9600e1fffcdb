"""MkDocs hook: rank teaching pages first in search, and keep code out of the search index.

Ranking. Material's search (lunr) multiplies a section's score by its page's ``search.boost``.
The labs repeat the chapters they practise, so without a boost a topic word lists a lab above
the chapter that teaches it. ``BOOSTS`` gives each part of the site its factor (the first
matching path prefix wins); a page whose front matter sets ``search: boost:`` keeps its own.
(mkdocs.yml lowers the weight of heading words from Material's 1000 to 5, so that one heading
somewhere does not outrank a chapter about the word.)

Size. The search plugin indexes each section's HTML, code blocks and printed outputs included:
about half of ``search/search_index.json``, which every page downloads. After the plugin has
written the index, this hook removes every ``<pre>`` element (code blocks, output blocks,
notebook cells) from the entries' text, with an HTML parser; prose, headings and inline
``<code>`` stay, so a function's name is still found.

Titles. The API reference titles each function with its whole signature, so every parameter
name (``stride=1, padding='valid', dilation=1``) counted as a heading word: "dilation" then
found twenty reference headings before the chapter. In the index a signature title keeps only
the name (``conv_output_shape()``); the parameters stay findable in the entry's text.
"""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.search_index")

# Path prefix (under the site's root) -> document boost. Checked in order; default 1. The source
# chapters teach a topic first, the "going further" pages next; the summary and the questions,
# the case studies and the reference rank as written; the labs practise what a chapter teaches.
BOOSTS: tuple[tuple[str, float], ...] = (
    ("chapters/key-points/", 1.0),
    ("chapters/reflection/", 1.0),
    ("chapters/", 4.0),
    ("further/", 2.0),
    ("labs/", 0.5),
)


# A title that is one code element holding a signature or an assignment: ``name(args)``, ``NAME = value``.
_SIGNATURE_TITLE = re.compile(
    r"<code>(?P<name>[A-Za-z_][\w.]*)\s*(?P<kind>\(|=)(?:(?!<code>).)*</code>", re.DOTALL
)


def title_without_signature(title: str) -> str:
    """``title`` with a signature title cut to its name: ``<code>f(a, b=1)</code>`` -> ``<code>f()</code>``,
    ``<code>X = {...}</code>`` -> ``<code>X</code>``; any other title unchanged."""
    match = _SIGNATURE_TITLE.fullmatch(title.strip())
    if not match:
        return title
    return f"<code>{match['name']}{'()' if match['kind'] == '(' else ''}</code>"


def title_without_permalink(title: str) -> str:
    """``title`` without the trailing pilcrow of a notebook heading's permalink (nbconvert writes
    ``<a class="anchor-link">¶</a>`` into the heading, and the index keeps its text)."""
    stripped = title.rstrip()
    return stripped[:-1].rstrip() if stripped.endswith("\u00b6") else title


def boost_for(url: str) -> float:
    """The search boost of the page at ``url`` (a path under the site's root): the factor of the
    first prefix of ``BOOSTS`` that ``url`` starts with, else 1."""
    for prefix, boost in BOOSTS:
        if url.startswith(prefix):
            return boost
    return 1.0


class _WithoutPre(HTMLParser):
    """Rebuilds an HTML fragment without its ``<pre>`` elements (and all they contain)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # how many <pre> elements are open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.depth += 1
        elif not self.depth:
            self.out.append(self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.depth:
            self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.depth = max(0, self.depth - 1)
        elif not self.depth:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self.depth:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.depth:
            self.out.append(f"&#{name};")


def without_code_blocks(fragment: str) -> str:
    """``fragment`` (an index entry's HTML text) with every ``<pre>`` element removed, runs of
    whitespace left behind collapsed to one space."""
    if "<pre" not in fragment:
        return fragment
    parser = _WithoutPre()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.out).split())


#: An API entry (its title one function's signature) weighs this much more than the prose around
#: it, so that searching a function's name lists its entry among the first results even as more
#: pages use the function; the reference's module texts, full of topic words, keep weight 1.
FUNCTION_ENTRY_BOOST = 1.25


def _entry_boost(entry: dict) -> dict:
    """``{"boost": ...}`` for an entry whose title is a signature, else nothing."""
    title = title_without_permalink(entry.get("title", ""))
    if title_without_signature(title) == title:
        return {}
    return {"boost": entry.get("boost", 1.0) * FUNCTION_ENTRY_BOOST}


def slim_index(index: dict) -> dict:
    """The search index ``index`` (search_index.json as loaded) with code blocks removed from
    every entry's text, signature titles cut to their names (and their entries weighted by
    :data:`FUNCTION_ENTRY_BOOST`) and permalink pilcrows dropped; the entries' locations and the
    config are unchanged."""
    docs = [
        {
            **entry,
            **_entry_boost(entry),
            "title": title_without_signature(title_without_permalink(entry.get("title", ""))),
            "text": without_code_blocks(entry.get("text", "")),
        }
        for entry in index["docs"]
    ]
    return {**index, "docs": docs}


@event_priority(50)  # before the search plugin (priority 0) reads page.meta in its on_page_context
def on_page_context(context, *, page, config, nav):
    search = page.meta.get("search")
    if not isinstance(search, dict):
        search = {} if search is None else search
    if isinstance(search, dict) and "boost" not in search:
        boost = boost_for(page.url)
        if boost != 1.0:
            page.meta["search"] = {**search, "boost": boost}
    return context


@event_priority(-50)  # after the search plugin has written search/search_index.json
def on_post_build(*, config) -> None:
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.exists():
        return
    before = path.stat().st_size
    index = slim_index(json.loads(path.read_text("utf8")))
    path.write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), "utf8")
    log.info("search index without code blocks: %d -> %d bytes", before, path.stat().st_size)
