"""The optional parts of slabuilder, and the one-line message when a command needs one that
is not installed.

``pip install slabuilder`` gives every command but two: ``calibrate`` needs scikit-learn (the
``calibrate`` extra, with numpy and scipy about 270 MB) and ``sign``/``status`` need pyHanko
(the ``sign`` extra).  ``scripts/setup`` installs both.
"""

from __future__ import annotations

import json
from importlib import metadata, util

from slabuilder.errors import SlabuilderError

__all__ = ["EXTRAS", "MissingExtraError", "install_hint", "require"]

EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "calibrate": ("learning scoring from past leads", ("sklearn", "scipy", "numpy")),
    "sign": ("digital signatures", ("pyhanko", "pyhanko_certvalidator", "cryptography")),
}
"""Each extra: what it is for, and the modules that tell it is installed."""


class MissingExtraError(SlabuilderError):
    """A command needs an optional part of slabuilder that is not installed."""


def require(extra: str) -> None:
    """Refuse in one line when ``extra`` is not installed, naming the command that installs
    it."""
    purpose, modules = EXTRAS[extra]
    if any(util.find_spec(name) is None for name in modules):
        raise MissingExtraError(f"this needs slabuilder's optional part '{extra}' ({purpose}), "
                           f"which is not installed; install it with: {install_hint(extra)}")


def install_hint(extra: str) -> str:
    """The pip command that adds ``extra`` to this installation (from a checkout, that
    checkout)."""
    target = "slabuilder"
    try:
        found = metadata.distribution("slabuilder").read_text("direct_url.json")
        url = json.loads(found or "{}").get("url", "")
        if url.startswith("file://"):
            target = url.removeprefix("file://")
    except (metadata.PackageNotFoundError, ValueError):
        pass
    return f"pip install '{target}[{extra}]'"
