"""hooks/search_index.py on a small index: API entries weigh more, everything else as it was."""

from __future__ import annotations

import importlib.util
import pathlib

spec = importlib.util.spec_from_file_location(
    "search_index", pathlib.Path(__file__).parents[1] / "hooks/search_index.py"
)
search_index = importlib.util.module_from_spec(spec)
spec.loader.exec_module(search_index)


def test_function_entries_are_weighted_and_others_kept():
    index = {
        "config": {"lang": ["en"]},
        "docs": [
            {
                "location": "reference/#snippets.shapes",
                "title": "<code>snippets.shapes</code>",
                "text": "padding",
            },
            {
                "location": "reference/#snippets.shapes.conv_output_shape",
                "title": "<code>conv_output_shape(input_shape, filters)</code>",
                "text": "<p>Output</p><pre><code>x = 1</code></pre>",
            },
            {"location": "chapters/parameters/", "title": "Parameters", "text": "padding", "boost": 4.0},
        ],
    }
    slim = search_index.slim_index(index)
    module, function, chapter = slim["docs"]
    assert "boost" not in module and chapter["boost"] == 4.0
    assert function["boost"] == search_index.FUNCTION_ENTRY_BOOST > 1
    assert function["title"] == "<code>conv_output_shape()</code>" and function["text"] == "<p>Output</p>"
    assert slim["config"] == index["config"]
