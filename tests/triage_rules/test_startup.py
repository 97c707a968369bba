"""Importing the rules is cheap: the lexicons compile once, on first use, not at import."""

from __future__ import annotations

import subprocess
import sys

from intake.triage.rules import RULESET_VERSION, score
from intake.triage.rules.engine import compiled_lexicon
from intake.triage.rules.lexicon import lexicon_digest

PROBE = """
import intake.triage.rules.engine as engine
print(engine._compiled_once.cache_info().currsize)
engine.score({"message": "I need help", "language": "en"})
print(engine._compiled_once.cache_info().currsize)
"""


def test_importing_the_rules_compiles_nothing_until_the_first_score() -> None:
    output = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    assert output == ["0", "1"]


def test_the_ruleset_version_names_the_compiled_lexicons() -> None:
    assert compiled_lexicon().digest == lexicon_digest()
    assert RULESET_VERSION.endswith(f"+lex.{lexicon_digest()}")
    assert score({"message": "I need help", "language": "en"}).ruleset == RULESET_VERSION


def test_the_rules_import_without_flask_sqlalchemy_or_the_settings() -> None:
    probe = (
        "import sys, intake.triage.rules\n"
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'config', 'celery') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert output == "[]"
