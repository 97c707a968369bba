"""The layering the next domains build on, checked by reading the source with ``ast``.

Views parse and render; services own transactions: a view module that commits splits a
request's work between layers, so nothing in it may call ``.commit(``. The modules are parsed,
so a comment or a docstring that mentions committing is not mistaken for a call.

The front door (``intake/public``) parses, validates and renders; it reaches the staff domains
only through the use cases above them (``intake/usecases``), which own the transaction. The
domain services a use case calls each do one unit of work and never commit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

INTAKE = Path(__file__).resolve().parents[2] / "intake"


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


# Staff domains the front door must not import, whether as ``import x`` or ``from x import y``.
STAFF_DOMAINS = ("intake.crm", "intake.triage", "intake.messaging", "intake.audit.services")


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``: read by mypy, never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def _imported_modules(path: Path, package: str) -> Iterator[tuple[int, str]]:
    """Every module a file imports at run time (module level or inside functions), with its line.

    ``from a import b`` yields both ``a`` and ``a.b``, so ``from intake import crm`` counts as
    importing ``intake.crm``; relative imports are resolved against ``package``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_public_package_imports_no_staff_domain_except_through_usecases() -> None:
    files = sorted((INTAKE / "public").glob("*.py"))
    assert len(files) > 10, "the walk found the public package"
    offences = [
        f"{path.relative_to(INTAKE.parent)}:{line} imports {module}"
        for path in files
        for line, module in _imported_modules(path, "intake.public")
        if any(_is_within(module, domain) for domain in STAFF_DOMAINS)
    ]
    assert offences == [], "\n".join(offences)


def test_the_import_walk_catches_every_spelling_of_a_staff_import(tmp_path: Path) -> None:
    """The check above would see each way a view could reach a staff domain."""
    sample = tmp_path / "views.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import intake.crm.services\n"
        "from intake import messaging\n"
        "from intake.audit.services import record\n"
        "from ..triage import services\n"
        "def late():\n"
        "    from intake.triage.services import current_result\n"
        "if TYPE_CHECKING:\n"
        "    from intake.crm.models import Person\n"
        "from intake.audit.tags import AuditTag\n"
        "from intake.usecases.accept_inquiry import accept_inquiry\n",
        encoding="utf-8",
    )
    flagged = sorted(
        line
        for line, module in _imported_modules(sample, "intake.public")
        if any(_is_within(module, domain) for domain in STAFF_DOMAINS)
    )
    assert sorted(set(flagged)) == [2, 3, 4, 5, 7]


# The domain services :mod:`intake.usecases.accept_inquiry` composes, by module and function.
ACCEPT_INQUIRY_STEPS = {
    "crm/services.py": (
        "place_inquiry",
        "match_person",
        "match_or_create_person",
        "find_people",
        "find_person",
    ),
    "crm/episodes.py": ("open_or_join_episode",),
    "crm/assignment.py": ("take_turn", "assign_new"),
    "crm/duplicates.py": ("propose_for_new",),
    "triage/services.py": ("record_first_outcome", "record_outcome", "open_case", "current_result"),
    "crm/referrals.py": ("record_source",),
    "messaging/outbox.py": ("add_all_to_outbox", "add_to_outbox", "add_outbox_to_batch"),
    "audit/services.py": ("record",),
    "audit/chain.py": ("add_recorded_to_batch",),
    "core/batch.py": ("add", "include", "notify", "write"),
    "public/services.py": (
        "find_submission",
        "find_by_reference",
        "new_reference",
        "insert_inquiry",
    ),
}


def test_domain_services_that_accept_inquiry_composes_never_commit() -> None:
    offences = []
    for relative, names in ACCEPT_INQUIRY_STEPS.items():
        tree = ast.parse((INTAKE / relative).read_text(encoding="utf-8"))
        functions = {
            node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
        }
        for name in names:
            assert name in functions, f"{relative} has no {name}"
            for node in ast.walk(functions[name]):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"commit", "rollback"}
                ):
                    offences.append(f"{relative}:{node.lineno} {name} calls {node.func.attr}()")
    assert offences == [], "\n".join(offences)


# The domains messaging must not know: each plugs its kinds, alert policy and subject links into
# ``intake.messaging.registry`` from its own package.
DOMAIN_PACKAGES = ("intake.public", "intake.triage", "intake.crm", "intake.usecases")


def test_messaging_imports_no_domain_package() -> None:
    files = sorted((INTAKE / "messaging").rglob("*.py"))
    assert len(files) > 10, "the walk found the messaging package"
    offences = [
        f"{path.relative_to(INTAKE.parent)}:{line} imports {module}"
        for path in files
        for line, module in _imported_modules(path, "intake.messaging")
        if any(_is_within(module, domain) for domain in DOMAIN_PACKAGES)
    ]
    assert offences == [], "\n".join(offences)
