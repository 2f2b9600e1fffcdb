"""The labs in docs/labs/*.py are notebooks, not modules: importing one would run it.

pytest-markdown-docs collects every ``.py`` under ``docs/`` as a module whose docstrings it
tests, and collecting means importing. The labs are executed by ``tests/test_labs.py`` (and
by the site build) in a Jupyter kernel instead. This file itself is left out of the site by
``hooks/notebooks.py``.
"""

collect_ignore_glob = ["labs/*.py", "conftest.py"]
