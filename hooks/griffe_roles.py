"""Griffe extension: the Sphinx roles of the ``snippets`` docstrings become links on the API page.

The docstrings are written for ``help()`` and IDEs, in reStructuredText roles
(``:func:`receptive_fields```, ``:class:`Conv```, ``:mod:`snippets.shapes```). mkdocstrings
renders docstrings as Markdown, where a role is plain text. Once the package is loaded, every
role becomes an autorefs cross-reference, ``[`receptive_fields`][snippets.receptive.receptive_fields]``,
resolved the way Sphinx resolves it: a dotted name as written, otherwise a member of the
object's class or module, otherwise a name the package re-exports. A name that is not part of
``snippets`` (``matplotlib.figure.Figure``) or names a private module stays inline code.
The strict build fails on a cross-reference that does not resolve, so a link never dangles.
"""

from __future__ import annotations

import re

import griffe

ROLE = re.compile(
    r":(?:py:)?(?:func|class|mod|meth|attr|data|obj|exc|const):`(?P<tilde>~?)(?P<target>[\w.]+)`"
)


def _lookup(scope: griffe.Object, name: str) -> griffe.Object | None:
    """The member ``name`` (dotted allowed) of ``scope``, following re-exports, or ``None``."""
    try:
        found = scope[name]
    except (KeyError, ValueError, griffe.AliasResolutionError):
        return None
    try:
        return found.final_target if isinstance(found, griffe.Alias) else found
    except griffe.AliasResolutionError:
        return None


def resolve(obj: griffe.Object, target: str, package: griffe.Object) -> str | None:
    """The full path of what ``target`` names in the docstring of ``obj``, or ``None``."""
    root, _, rest = target.partition(".")
    if root == package.name:
        found = _lookup(package, rest) if rest else package
        return found.path if found is not None else None
    scopes = [obj] if obj.is_class or obj.is_module else []
    scopes += [scope for scope in (obj.parent, obj.module, package) if scope is not None]
    for scope in scopes:
        found = _lookup(scope, target)
        if found is not None and found.path.startswith(package.name + "."):
            return found.path
    return None


def linked(text: str, obj: griffe.Object, package: griffe.Object) -> str:
    """``text`` with every role replaced by a cross-reference (or inline code, see the module)."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        shown = f"`{target.rsplit('.', 1)[-1] if match['tilde'] else target}`"
        path = resolve(obj, target, package)
        public = path is not None and not any(part.startswith("_") for part in path.split("."))
        return f"[{shown}][{path}]" if public else shown

    return ROLE.sub(replace, text)


def _objects(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias and member.parent is obj:
            yield from _objects(member)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = linked(obj.docstring.value, obj, pkg)
