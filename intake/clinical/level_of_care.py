"""The level-of-care suggestion: from six dimension ratings (0-4) to a level, and the clinic's
programmes for that level.

Pure: no Flask, no database. The suggestion is the most intensive level any one dimension calls
for; ratings are never averaged (one severe dimension, such as a withdrawal that needs medical
management, is not diluted by five mild ones), and the suggestion names the dimension(s) that
drove it so the clinician sees the working.

The table is configuration, not code: ``level_of_care.json`` beside this module is a plain
default written for this project. It is **not** the ASAM Criteria (those are licensed); a clinic
points ``LEVEL_OF_CARE_FILE`` at its own file of the same shape, checked when the app starts.
Shape: ``levels`` (every level, least intensive first), ``ratings`` (dimension -> five levels,
for ratings 0..4) and ``programmes`` (level -> the clinic's programme codes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.vocabulary import AssessmentDimension, CareLevel, Programme

DEFAULT_FILE = Path(__file__).with_name("level_of_care.json")
MIN_RATING = 0
MAX_RATING = 4


class LevelOfCareConfigError(ValueError):
    """The level-of-care table is malformed; the message says where."""


class RatingError(ValueError):
    """A dimension rating is missing or outside 0-4; the message names the dimension."""

    def __init__(self, dimension: str, value: object) -> None:
        super().__init__(f"{dimension}: {value!r} is not a rating from 0 to 4")
        self.dimension = dimension
        self.value = value


@dataclass(frozen=True)
class LevelTable:
    """A checked table: levels by intensity, per-dimension rating -> level, level -> programmes."""

    levels: tuple[CareLevel, ...]
    ratings: Mapping[AssessmentDimension, tuple[CareLevel, ...]]
    programmes: Mapping[CareLevel, tuple[Programme, ...]]
    note: str = ""

    def intensity(self, level: CareLevel) -> int:
        return self.levels.index(level)


@dataclass(frozen=True)
class Suggestion:
    """A suggested level, the dimension(s) that drove it (in dimension order), what each
    dimension alone called for, and the clinic's programmes for the level."""

    level: CareLevel
    drivers: tuple[AssessmentDimension, ...]
    per_dimension: Mapping[AssessmentDimension, CareLevel]
    programmes: tuple[Programme, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "drivers": [d.value for d in self.drivers],
            "per_dimension": {d.value: lvl.value for d, lvl in self.per_dimension.items()},
            "programmes": [p.value for p in self.programmes],
        }


def _code(enum: Any, value: Any, where: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(enum.codes())
        raise LevelOfCareConfigError(f"{where}: unknown code {value!r} (known: {known})") from None


def table_from(data: Mapping[str, Any]) -> LevelTable:
    """Check a table (the shape of ``level_of_care.json``) and build it."""
    if not isinstance(data, Mapping):
        raise LevelOfCareConfigError("the level-of-care table must be a JSON object")
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise LevelOfCareConfigError("levels: must be a non-empty list, least intensive first")
    levels = tuple(_code(CareLevel, code, "levels") for code in raw_levels)
    if len(set(levels)) != len(levels):
        raise LevelOfCareConfigError("levels: a level is listed twice")
    raw_ratings = data.get("ratings")
    if not isinstance(raw_ratings, Mapping):
        raise LevelOfCareConfigError("ratings: must be an object of dimension -> five levels")
    ratings: dict[AssessmentDimension, tuple[CareLevel, ...]] = {}
    for key, row in raw_ratings.items():
        dimension = _code(AssessmentDimension, key, "ratings")
        if not isinstance(row, list) or len(row) != MAX_RATING - MIN_RATING + 1:
            raise LevelOfCareConfigError(f"ratings.{dimension}: must list five levels (0-4)")
        mapped = tuple(_code(CareLevel, code, f"ratings.{dimension}") for code in row)
        if not set(mapped) <= set(levels):
            raise LevelOfCareConfigError(f"ratings.{dimension}: a level is not in levels")
        ratings[dimension] = mapped
    missing = [d.value for d in AssessmentDimension if d not in ratings]
    if missing:
        raise LevelOfCareConfigError(f"ratings: missing {', '.join(missing)}")
    raw_programmes = data.get("programmes", {})
    if not isinstance(raw_programmes, Mapping):
        raise LevelOfCareConfigError("programmes: must be an object of level -> programmes")
    programmes: dict[CareLevel, tuple[Programme, ...]] = {}
    for key, row in raw_programmes.items():
        level = _code(CareLevel, key, "programmes")
        if not isinstance(row, list):
            raise LevelOfCareConfigError(f"programmes.{level}: must be a list")
        programmes[level] = tuple(_code(Programme, code, f"programmes.{level}") for code in row)
    note = data.get("note", "")
    return LevelTable(levels, ratings, programmes, note if isinstance(note, str) else "")


def load_table(path: str | Path | None = None) -> LevelTable:
    """The table from the JSON file at ``path``, else the shipped default."""
    source = Path(path) if path else DEFAULT_FILE
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LevelOfCareConfigError(f"LEVEL_OF_CARE_FILE {str(source)!r}: {exc}") from exc
    return table_from(data)


def check_rating(dimension: str, value: object) -> int:
    """``value`` as a rating 0-4, or :class:`RatingError`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RatingError(dimension, value)
    if not MIN_RATING <= value <= MAX_RATING:
        raise RatingError(dimension, value)
    return value


def suggest(ratings: Mapping[str, object], table: LevelTable) -> Suggestion:
    """The level the highest-risk dimension calls for (never an average), with its drivers.

    Every one of the six dimensions must be rated 0-4 (:class:`RatingError` otherwise): a
    suggestion that silently skipped a dimension would understate the need.
    """
    per_dimension: dict[AssessmentDimension, CareLevel] = {}
    for dimension in AssessmentDimension:
        rating = check_rating(dimension.value, ratings.get(dimension.value))
        per_dimension[dimension] = table.ratings[dimension][rating]
    top = max(per_dimension.values(), key=table.intensity)
    drivers = tuple(d for d, level in per_dimension.items() if level == top)
    return Suggestion(top, drivers, per_dimension, table.programmes.get(top, ()))
