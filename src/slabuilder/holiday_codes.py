"""Which country and region codes the public-holiday calendar knows, cheaply.

``holidays.list_supported_countries()`` imports every one of its country modules (a tenth of
a second or more), and every command that loads an answers file checks the company's code.
The country codes are read instead from the ``holidays`` registry's source, without running
the package; only a region code (``US-CA``) imports the one country it belongs to.  Should
the registry's layout ever change, the package's own list is used.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path


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
    import holidays

    return list(getattr(holidays, country).subdivisions)


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
