"""Key paths such as ``agreement.signatories[0].name``: the one parser, and reading and
writing nested answers data by path (``--set``, the questionnaire's keys, error locations)."""

from __future__ import annotations

import itertools
import re
from typing import Any

__all__ = ["MISSING", "KeyPath", "KeyPathError", "data_path", "delete_path", "format_path",
           "get_path", "parse_key", "set_path"]

KeyPath = tuple[str | int, ...]

class _Missing:
    """The one "no value here" marker: copies and pickles of it are itself, so an object
    that holds it (a questionnaire condition without a test) still compares and behaves
    the same after ``copy.deepcopy`` or a trip to a worker process."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __copy__(self) -> _Missing:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:
        return self

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks a key path that holds no value (distinct from an explicit null)."""

_PIECE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


class KeyPathError(ValueError):
    """A key path that cannot be read or written; the message says what to write instead."""


def parse_key(key: str) -> KeyPath:
    """``agreement.signatories[0].name`` as ``("agreement", "signatories", 0, "name")``."""
    parts: list[str | int] = []
    for piece in key.split("."):
        match = _PIECE.fullmatch(piece.strip())
        if not match:
            raise KeyPathError(f"{key!r} is not a key path; write it like funnel.mql_to_sql")
        parts.append(match.group(1))
        parts.extend(int(index) for index in re.findall(r"\[(\d+)\]", match.group(2)))
    return tuple(parts)


def format_path(path: KeyPath) -> str:
    """``("agreement", "signatories", 0, "name")`` as ``agreement.signatories[0].name``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def data_path(loc: tuple[Any, ...], data: Any, is_tag: Any) -> KeyPath:
    """The key path of a pydantic error location in ``data``.

    pydantic puts the names of union members (``int``, ``CustomSignal``,
    ``function-after[...]``) into its locations among the keys.  A part is taken for such a
    name only where ``data`` holds no key of that name and ``is_tag(part)`` says it looks like
    one, so a key the user wrote, even ``"a["``, is never mistaken for one."""
    path: list[str | int] = []
    node: Any = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and is_tag(part):
            continue
        else:
            path.append(part)
            node = MISSING
    return tuple(path)


def get_path(data: Any, key: str | KeyPath) -> Any:
    """The value at ``key`` in nested dicts and lists, or :data:`MISSING`."""
    node = data
    for part in parse_key(key) if isinstance(key, str) else key:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return MISSING
        elif not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def set_path(data: dict[str, Any], key: str | KeyPath, value: Any, *,
             strict: bool = False) -> None:
    """Set ``key``, creating the groups and list items on the way (``signatories[1].name``).

    ``strict`` (for values typed on the command line) refuses to skip list items and to
    replace a value with a group: ``signatories[3]`` of a two-item list is an error there,
    where the questionnaire may fill items in any order."""
    parts = parse_key(key) if isinstance(key, str) else key
    shown = key if isinstance(key, str) else format_path(key)
    node: Any = data
    for part, following in itertools.pairwise((*parts, None)):
        last = following is None
        if isinstance(part, int):
            if not isinstance(node, list):
                raise KeyPathError(f"{shown}: {format_path(parts[:parts.index(part)])} is not "
                                   "a list")
            if strict and part > len(node):
                raise KeyPathError(f"{shown}: there is no item [{part}]; the list has "
                                   f"{len(node)}, so add item [{len(node)}] first")
            while len(node) <= part:
                node.append(None if last else [] if isinstance(following, int) else {})
        elif not isinstance(node, dict):
            raise KeyPathError(f"{shown}: {part} is not inside a group of keys")
        if last:
            node[part] = value
            return
        empty: Any = [] if isinstance(following, int) else {}
        child = node[part] if isinstance(part, int) else node.get(part)
        if not isinstance(child, dict | list) or (strict and child is None):
            if strict and child is not None and not isinstance(child, dict | list):
                raise KeyPathError(f"{shown}: {part} holds a value, not a group of keys")
            node[part] = child = empty
        node = child


def delete_path(data: dict[str, Any], key: str | KeyPath) -> None:
    """Remove ``key`` if present, and any group it leaves empty."""
    parts = parse_key(key) if isinstance(key, str) else key
    parent = get_path(data, parts[:-1]) if len(parts) > 1 else data
    if isinstance(parent, dict) and parts[-1] in parent:
        del parent[parts[-1]]  # type: ignore[arg-type]
        if not parent and len(parts) > 1 and not isinstance(parts[-2], int):
            delete_path(data, parts[:-1])
