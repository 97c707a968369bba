"""Views parse and render; services own transactions (issue 9: one owner per transaction).

A view module that commits splits a request's work between layers, so nothing in it may call
``.commit(``. The modules are parsed, so a comment or a docstring that mentions committing is
not mistaken for a call.
"""

from __future__ import annotations

import ast
from pathlib import Path

INTAKE = Path(__file__).resolve().parent.parent / "intake"


def _is_view_module(path: Path) -> bool:
    return path.name in {"views.py", "api.py"} or path.name.endswith("_views.py")


def _commit_calls(source: str) -> list[int]:
    """Line numbers of every ``<anything>.commit(...)`` call in ``source``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_the_check_finds_a_commit_call_and_ignores_comments_and_strings() -> None:
    source = (
        "# db.session.commit() in a comment\n"
        '"""Docstring: the service calls db.session.commit()."""\n'
        "def view():\n"
        "    db.session.commit()\n"
    )
    assert _commit_calls(source) == [4]


def test_view_modules_are_found() -> None:
    found = {path.relative_to(INTAKE).as_posix() for path in INTAKE.rglob("*.py")}
    view_modules = {name for name in found if _is_view_module(Path(name))}
    # The modules that used to commit are all among those checked.
    assert {
        "auth/views.py",
        "auth/admin_views.py",
        "public/admin_views.py",
        "public/api.py",
        "audit/views.py",
        "messaging/views.py",
        "triage/views.py",
        "triage/quarantine_views.py",
    } <= view_modules


def test_no_view_module_commits() -> None:
    offenders = [
        f"{path.relative_to(INTAKE).as_posix()}:{line}"
        for path in sorted(INTAKE.rglob("*.py"))
        if _is_view_module(path)
        for line in _commit_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "views must call a service that owns the transaction"
