"""A per-user cache of the compiled lexicons, so a new process does not compile them again.

Compiling the lexicons and concepts takes seconds (parsing a few thousand patterns, working
out where each can start, expanding word forms). The result is a plain data structure: the
regexes inside compile lazily on first use (``fastscan.FastRegex``). It is pickled to
``$HARBOR_TRIAGE_CACHE`` or ``~/.cache/harbor-intake/`` under a name made of the engine
version and the digest of every lexicon and concept file, so any edit makes a new file and
an old one is simply never read again.

A pickle runs code when it is loaded, so the folder must belong to this user and be writable
by no one else; otherwise, or when nothing can be written (a read-only container), the cache
is skipped and the lexicons are compiled in memory as before. It never raises.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

try:  # CPython's regex internals: compiled code is stored, not the pattern parsed again
    import _sre
    import re._compiler as _sre_compiler
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover - another Python: patterns are pickled as usual
    _sre = None  # type: ignore[assignment,unused-ignore]

# The byte code of ``re`` changes between Python versions: part of the file name.
_FORMAT = f"py{sys.version_info[0]}{sys.version_info[1]}-sre{getattr(_sre, 'MAGIC', 0)}"


def _rebuild_pattern(source: str, flags: int, code: list[int], groups: int,
                     groupindex: dict[str, int], indexgroup: tuple[str | None, ...]
                     ) -> re.Pattern[str]:  # fmt: skip
    try:
        return _sre.compile(source, flags, code, groups, groupindex, indexgroup)  # type: ignore[no-any-return,unused-ignore]
    except Exception:  # pragma: no cover - never expected within one Python version
        return re.compile(source, flags & ~re.UNICODE)


def _reduce_pattern(pattern: re.Pattern[str]) -> tuple[object, ...]:
    """Pickle a compiled regex as its byte code (what ``re._compiler.compile`` produces).

    Loading it is then a copy of an int list instead of parsing the pattern again, which is
    what made starting a process slow.
    """
    parsed = _sre_parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    code = _sre_compiler._code(parsed, pattern.flags & ~re.UNICODE)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (
        _rebuild_pattern,
        (pattern.pattern, int(pattern.flags | parsed.state.flags), [int(op) for op in code],
         parsed.state.groups - 1,
         groupindex, tuple(indexgroup)),
    )  # fmt: skip


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    if _sre is not None:
        table: dict[type, Any] = dict(copyreg.dispatch_table)
        table[re.Pattern] = _reduce_pattern
        pickler.dispatch_table = table
    pickler.dump(value)
    return buffer.getvalue()


def _folder() -> Path | None:
    configured = os.environ.get("HARBOR_TRIAGE_CACHE")
    if configured == "":
        return None  # explicitly off
    base = Path(configured) if configured else Path.home() / ".cache" / "harbor-intake"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = base.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return base


def load_or_build(key: str, build: Callable[[], T]) -> T:
    """The cached value for ``key``, or ``build()`` (then stored for the next process)."""
    folder = _folder()
    name = f"triage-{key}-{_FORMAT}.pickle"
    if folder is not None:
        path = folder / name
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)  # noqa: S301 - our own file in a private folder
        except Exception:  # noqa: S110 - missing, truncated or stale: rebuild and overwrite it
            pass
    value = build()
    tmp = ""
    if folder is not None:
        try:
            data = _dumps(value)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".triage-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, folder / name)
        except Exception:  # unwritable, disk full: the next process compiles again
            with contextlib.suppress(Exception):
                os.unlink(tmp)
    return value
