"""The field registry: what each key of an answers file is, read from the answers model.

One walk over :class:`slabuilder.answers.Answers` lists every key once, in one dialect: a
dotted path in which any item of a list is ``[]`` and any key of a free mapping is ``*``
(``agreement.signatories[].name``, ``scoring.signals.*.points``).  Each field has

- its **title**, the ``title`` on its pydantic field (``Revenue target``);
- its **kind**, how its value is written (``rate`` as 60%, ``days`` as 14 days), from the
  :class:`slabuilder.answers.Shown` marker its type carries, else from the type itself
  (yes/no, a date, a number, a list, text) and never from the field's name.

``schema``, ``diff``, the questionnaire's checks and the answers file's messages read fields
here, and :func:`owner_of` is the one way from a key to the model that checks it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from slabuilder.answers import Answers, Shown
from slabuilder.keypath import KeyPath, parse_key
from slabuilder.words import Kind

__all__ = ["AnswerField", "field_at", "kind_of", "model_at", "model_in", "owner_of",
           "pattern_of", "registry"]

Holds = Literal["value", "section", "list", "sections", "mapping"]


@dataclass(frozen=True)
class AnswerField:
    """One key of the answers model."""

    path: str
    """``agreement.signatories[].name``: lists as ``[]``, free mapping keys as ``*``."""
    name: str
    title: str
    kind: Kind
    info: FieldInfo
    owner: type[BaseModel]
    """The model the field belongs to (the one whose rules check it)."""
    holds: Holds
    """A plain value, one section, a list of values, a list of sections, or a mapping."""
    model: type[BaseModel] | None = None
    """The section model below it, for ``section``, ``sections`` and a mapping of sections."""


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and type(None) in get_args(annotation) \
            and len(args) == 1:
        return args[0]
    return annotation


def _bare(annotation: Any) -> Any:
    """The type under ``| None`` and ``Annotated[...]``."""
    bare = _strip_optional(annotation)
    while get_origin(bare) is Annotated:
        bare = _strip_optional(get_args(bare)[0])
    return bare


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The section model an annotation holds, directly, in a list, or among a union."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def _holds(annotation: Any) -> Holds:
    bare = _strip_optional(annotation)
    origin = get_origin(bare)
    if origin is dict:
        return "mapping"
    if origin is list:
        return "sections" if model_in(bare) is not None else "list"
    return "section" if model_in(bare) is not None else "value"


def _markers(annotation: Any, metadata: list[Any]) -> Iterator[Any]:
    yield from metadata
    yield from getattr(annotation, "__metadata__", ())
    for arg in get_args(annotation):
        yield from _markers(arg, [])


def kind_of(info: FieldInfo) -> Kind:
    """How a field's value is written: its type's :class:`Shown` marker, else its type."""
    for marker in _markers(info.annotation, list(info.metadata)):
        if isinstance(marker, Shown):
            return marker.kind
    bare = _bare(info.annotation)
    if get_origin(bare) is list:
        return "list"
    if bare is bool:
        return "bool"
    if bare is dt.date:
        return "date"
    if bare in (int, Decimal):
        return "count"
    return "text"


@functools.cache
def registry() -> dict[str, AnswerField]:
    """Every key of the answers model, in the model's order."""
    found: dict[str, AnswerField] = {}
    _walk(Answers, "", found)
    return found


def _walk(model: type[BaseModel], prefix: str, found: dict[str, AnswerField]) -> None:
    for name, info in model.model_fields.items():
        path = prefix + name
        holds = _holds(info.annotation)
        inner = model_in(info.annotation) if holds != "value" else None
        found[path] = AnswerField(path, name, info.title or name.replace("_", " ").capitalize(),
                                  kind_of(info), info, model, holds, inner)
        if inner is None:
            continue
        below = {"section": ".", "sections": "[].", "mapping": ".*."}.get(holds)
        if below is not None:
            _walk(inner, path + below, found)


def pattern_of(key: str | KeyPath) -> str | None:
    """``agreement.signatories[1].name`` -> ``agreement.signatories[].name``;
    ``scoring.signals.demo_request`` -> ``scoring.signals.*`` (None: not a key)."""
    parts = parse_key(key) if isinstance(key, str) else key
    fields = registry()
    pattern = ""
    for part in parts:
        if isinstance(part, int):
            pattern += "[]"
            continue
        named = f"{pattern}.{part}" if pattern else part
        holder = fields.get(pattern)
        if named in fields:
            pattern = named
        elif holder is not None and holder.holds == "mapping":
            pattern = f"{pattern}.*"
        else:
            return None
    return pattern or None


def field_at(key: str | KeyPath) -> AnswerField | None:
    """The field a key (concrete or a pattern) names, or None."""
    if isinstance(key, str) and key in registry():
        return registry()[key]
    pattern = pattern_of(key)
    return None if pattern is None else registry().get(pattern)


def model_at(path: KeyPath) -> type[BaseModel] | None:
    """The section model whose keys sit at ``path`` (``()`` is the whole file)."""
    if not path:
        return Answers
    found = field_at(path)
    return None if found is None else found.model


def owner_of(key: str) -> tuple[type[BaseModel], KeyPath, KeyPath]:
    """The model that checks ``key``, the path to it and the rest of the key.

    ``agreement.signatories[1].name`` gives ``(Signatory, ("agreement", "signatories", 1),
    ("name",))``; ``scoring.signals.demo_request`` gives ``(Scoring, ("scoring",),
    ("signals", "demo_request"))``.  Raises KeyError when a part is not in the model.
    """
    parts = parse_key(key)
    model: type[BaseModel] = Answers
    index = 0
    while True:
        name = parts[index]
        if not isinstance(name, str) or name not in model.model_fields:
            raise KeyError(f"{key}: {name} is not a key of {model.__name__}")
        if index == len(parts) - 1:
            return model, parts[:index], parts[index:]
        holds = _holds(model.model_fields[name].annotation)
        inner = model_in(model.model_fields[name].annotation)
        if holds == "mapping":
            if index + 2 != len(parts):
                raise KeyError(f"{key}: too deep below {name}")
            return model, parts[:index], parts[index:]
        if holds in ("list", "sections"):
            if not isinstance(parts[index + 1], int):
                raise KeyError(f"{key}: {name} is a list; give an item number such as [0]")
            if holds == "list":
                if index + 2 != len(parts):
                    raise KeyError(f"{key}: too deep below {name}")
                return model, parts[:index], parts[index:]
            assert inner is not None
            model, index = inner, index + 2
            continue
        if inner is None:
            raise KeyError(f"{key}: {name} has no keys below it")
        model, index = inner, index + 1
