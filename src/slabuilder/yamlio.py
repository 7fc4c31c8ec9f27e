"""Strict, safe YAML reading for answers and questionnaire files.

PyYAML's safe loader still follows YAML 1.1, whose surprises hurt this audience: ``NO`` (the
country code of Norway) reads as ``False`` and ``09:00`` as the number 540.  This loader keeps
only plain booleans (true/false), decimal integers, decimals (read exactly, as
:class:`~decimal.Decimal`), ISO dates and null.  It refuses anchors, aliases and merge keys (a
hand-edited business file never needs them and they allow "billion laughs" blow-ups), refuses
duplicate keys with the line of the second one, and records the line of every key so that a
validation error can point at it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from slabuilder import words
from slabuilder.errors import SlabuilderError
from slabuilder.keypath import KeyPath, format_path
from slabuilder.limits import ANSWERS_MAX_BYTES

MAX_BYTES = ANSWERS_MAX_BYTES
"""Answers and questionnaires are hand-written; anything bigger is not one of them."""



class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars, no aliases and no duplicate keys."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level registry

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _RefusedError(event.start_mark.line + 1, "aliases (*name) are not allowed; "
                                "write the value out in full")
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise _RefusedError(event.start_mark.line + 1, "anchors (&name) are not allowed; "
                                "write the value out in full")
        node: Node | None = super().compose_node(parent, index)
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key_node, ScalarNode) and key_node.value == "<<"
                    and not key_node.style):
                raise _RefusedError(key_node.start_mark.line + 1,
                                    "merge keys (<<) are not allowed; write the keys out")
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, list | dict | set):
                raise _RefusedError(line, "a key must be a plain word, not a list or mapping")
            if key in seen:
                raise _RefusedError(line, f"the key {key!r} appears twice (first on line "
                                    f"{seen[key]}); keep only one")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _RefusedError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _construct_decimal(loader: yaml.SafeLoader, node: ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the resolver only lets decimals through
        raise _RefusedError(node.start_mark.line + 1, f"{text!r} is not a number") from None
    if not number.is_finite():
        raise _RefusedError(node.start_mark.line + 1, f"{text!r} is not a usable number")
    return number


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    try:
        number: int = loader.construct_yaml_int(node)
    except ValueError:  # longer than Python reads as a number (4,300 digits)
        raise _RefusedError(node.start_mark.line + 1,
                            "this number is far too long; write a realistic figure") from None
    return number


def _construct_date(loader: yaml.SafeLoader, node: ScalarNode) -> dt.date | dt.datetime:
    text = str(loader.construct_scalar(node))
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise _RefusedError(node.start_mark.line + 1,
                            f"{text!r} is not a real date; write it as YYYY-MM-DD") from None


_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
    list("-+0123456789."))
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp",
    re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?"
               r"(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:?[0-9]{2})?)?$"),
    list("0123456789"))
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)


@dataclass
class YamlDocument:
    """Parsed YAML data together with the line of every key."""

    data: Any
    source: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path`` or, failing that, of its nearest parent that has one."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _record_lines(node: Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                child = (*path, str(key_node.value))
                lines[child] = key_node.start_mark.line + 1
                _record_lines(value_node, child, lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines)


def parse_yaml(text: str, source: str, *, what: str = "file") -> YamlDocument:
    """Parse ``text`` strictly; ``source`` names the file in error messages."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise SlabuilderError(
            f"the {what} is larger than {MAX_BYTES // 1000} kB; is this the right file?",
            file=source)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise SlabuilderError(f"the {what} is empty; write your answers into it "
                              "(`slabuilder example` prints a complete one)", file=source)
    lines: dict[KeyPath, int] = {}
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise SlabuilderError(f"the {what} contains a control character "
                              f"({words.code_point(chr(error.character))}) that YAML does not "
                              "allow; delete it",
                              file=source, line=line) from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except _RefusedError as error:
        key = next((format_path(path) for path, line in lines.items()
                    if line == error.line), None)
        raise SlabuilderError(error.message, file=source, line=error.line, key=key) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or "unreadable YAML").strip()
        raise SlabuilderError(
            f"this is not valid YAML ({problem}); check the indentation and quotes there",
            file=source, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise SlabuilderError(f"this is not valid YAML ({error})", file=source) from None
    except RecursionError:
        raise SlabuilderError(f"the {what} nests lists or groups far too deeply to be answers; "
                              "is this the right file?", file=source) from None
    finally:
        loader.dispose()
    return YamlDocument(data=data, source=source, lines=lines)


def read_yaml_file(path: Path, *, what: str = "file") -> YamlDocument:
    """Read and parse a YAML file, turning every I/O problem into a one-line message."""
    from slabuilder.fsutil import read_input

    source = str(path)
    if not os.path.lexists(path):
        raise SlabuilderError(f"no such {what}; check the path "
                              "(`slabuilder example -o FILE` writes a starting point)",
                              file=source)
    raw = read_input(path, what=what, max_bytes=MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SlabuilderError(f"the {what} is not UTF-8 text; save it as UTF-8",
                              file=source, line=line) from None
    return parse_yaml(text, source, what=what)


def read_mapping(path: Path, what: str, hint: str) -> dict[str, Any]:
    """A YAML file that must be a mapping (an answers file, saved answers); anything else is
    refused with ``hint``, which says what the file should be."""
    data = read_yaml_file(path, what=what).data
    if not isinstance(data, dict):
        raise SlabuilderError(f"this is not {hint}", file=path)
    return data


def parse_scalar(text: str) -> Any:
    """Read one value typed on the command line (``--set key=value``) with the same rules."""
    if not text.strip():
        return ""
    try:
        return parse_yaml(f"v: {text}" if "\n" not in text else text, "--set").data["v"]
    except (SlabuilderError, TypeError, KeyError):
        return text
