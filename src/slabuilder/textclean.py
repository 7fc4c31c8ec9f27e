"""Text from users and files made safe to print: no escape sequences, bells or direction
overrides reach a terminal or a log line.

Low in the house so that any layer may clean what it quotes back (``answers`` quotes a bad
key, the command line every error).
"""

from __future__ import annotations

import re

__all__ = ["CONTROL_IN_TEXT", "control_character", "printable"]

CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
                             "\u202a-\u202e\u2066-\u2069]")
"""What an answer may not hold, and what is escaped before anything is printed: control
characters (escape sequences, NUL) and the direction overrides that make a name read
differently from what it says; tab and line feed are allowed, where text may be long."""


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences, bells, NUL,
    bidirectional overrides) shown as ``\\x1b``-style escapes; tab and line feed kept."""
    return CONTROL_IN_TEXT.sub(lambda found: found.group().encode("unicode_escape")
                            .decode("ascii"), text)


def control_character(text: str) -> str | None:
    """The first character an answer may not hold, or None."""
    found = CONTROL_IN_TEXT.search(text)
    return found.group() if found else None
