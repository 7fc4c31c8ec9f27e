"""Where the shipped templates, questionnaires and examples are found.

In a wheel they live inside the package (``slabuilder/_data``); in a source checkout (an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder holding the shipped ``templates``, ``questionnaires`` or ``examples``."""
    inside = _PACKAGE_DIR / "_data" / name
    if inside.is_dir():
        return inside
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    msg = f"slabuilder is installed without its {name} folder; reinstall the package"
    raise RuntimeError(msg)


def templates_dir() -> Path:
    return data_dir("templates")


def questionnaires_dir() -> Path:
    return data_dir("questionnaires")


def example_answers_path() -> Path:
    return data_dir("examples") / "acme.yaml"
