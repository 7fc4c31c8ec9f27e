"""Which country and region codes the public-holiday calendar knows, and one country's
calendar, cheaply.

``holidays.list_supported_countries()`` imports every one of its country modules (a tenth of
a second or more), and so does importing any one country the usual way, since the package
``holidays.countries`` imports them all.  Every command that loads an answers file checks the
company's code, and every report builds one country's calendar.  The country codes are read
instead from the ``holidays`` registry's source, without running the package, and a country is
imported on its own.  Should the registry's layout ever change, the package's own ways are
used.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any


@cache
def country_codes() -> frozenset[str]:
    """Every country code (with its aliases, such as UK and USA) the calendar knows."""
    found = _codes_from_registry_source()
    if found:
        return found
    import holidays

    return frozenset(holidays.list_supported_countries())


def subdivisions(country: str) -> list[str]:
    """The region codes of one known country (imports that country's module only)."""
    return list(country_class(country).subdivisions)


def country_class(code: str) -> Any:
    """The ``holidays`` class of one country code, importing that country's module alone."""
    import holidays

    module = next((name for name, entities in _registry().items() if code in entities[1:]),
                  None)
    if module is None:
        return getattr(holidays, code)
    name = f"holidays.countries.{module}"
    if name not in sys.modules:
        _import_without_package_init(name)
    return getattr(sys.modules[name], code)


def _import_without_package_init(name: str) -> None:
    """Import ``holidays.countries.<one>`` while its package's ``__init__`` (which imports
    every country) stands aside: the package is there, unexecuted, for the time it takes."""
    package = "holidays.countries"
    if package in sys.modules:
        importlib.import_module(name)
        return
    spec = importlib.util.find_spec(package)
    if spec is None:
        importlib.import_module(name)
        return
    sys.modules[package] = importlib.util.module_from_spec(spec)
    try:
        importlib.import_module(name)
    finally:
        del sys.modules[package]


@cache
def _registry() -> dict[str, tuple[str, ...]]:
    from holidays.registry import COUNTRIES

    return dict(COUNTRIES)


_BLOCK = re.compile(r"^COUNTRIES\b[^=]*=\s*\{(.*?)^\}", re.MULTILINE | re.DOTALL)
_ENTRY = re.compile(r"""["'][a-z_]+["']\s*:\s*\(([^)]*)\)""")
_NAME = re.compile(r"""["']([^"']+)["']""")


def _codes_from_registry_source() -> frozenset[str]:
    spec = importlib.util.find_spec("holidays")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            source = (Path(folder) / "registry.py").read_text(encoding="utf-8")
        except (OSError, ValueError):
            continue
        block = _BLOCK.search(source)
        if block is None:
            return frozenset()
        # As holidays' own EntityLoader: after the class name, the codes of 2 or 3 letters.
        return frozenset(code for entry in _ENTRY.findall(block.group(1))
                         for code in _NAME.findall(entry)[1:] if 2 <= len(code) <= 3)
    return frozenset()
