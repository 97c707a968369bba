"""A cheap check of how deeply a JSON document nests, made before it is parsed.

Python's ``json`` parser recurses once per level, so a 64 KiB body of ``[[[[...`` raises
``RecursionError`` (a 500) instead of a clear 400. Counting brackets outside strings first is
linear in the body and needs no parser.
"""

from __future__ import annotations

MAX_JSON_DEPTH = 32  # an inquiry nests two levels; anything near this limit is not one

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


def nests_deeper_than(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``raw`` opens more than ``limit`` arrays or objects inside each other.

    Brackets inside strings do not count. The body need not be valid JSON: an invalid one is
    refused by the parser afterwards, once it is known to be shallow enough to parse.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    in_string = False
    escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False
