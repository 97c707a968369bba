"""The admissions pipeline as one table: which stages a clinic uses, in what order, and which
moves are allowed.

Pure: importable without Flask, SQLAlchemy or configuration. The services ask the table
(:meth:`Pipeline.can_move`); a clinic changes it in configuration (``PIPELINE_FILE``, a JSON file
of the same shape as :data:`DEFAULT_TABLE`), checked when the application starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.crm.vocabulary import Stage

# The default table. ``stages``: the order (the first is where an episode opens). ``moves``:
# where staff may move an episode from each stage. ``automatic``: stages reached by an event,
# never by hand ("contacted" by the first contact attempt that reaches the person). ``closable``:
# stages from which an episode may close with a reason. ``ended``: stages after which a new
# inquiry opens a new episode (a readmission) instead of joining this one.
DEFAULT_TABLE: dict[str, Any] = {
    "stages": [stage.value for stage in Stage],
    "moves": {
        Stage.NEW: [Stage.CONTACTED],
        Stage.CONTACTED: [Stage.PRE_ASSESSMENT],
        Stage.PRE_ASSESSMENT: [Stage.CLINICAL_REVIEW],
        Stage.CLINICAL_REVIEW: [Stage.OFFER, Stage.PRE_ASSESSMENT],
        Stage.OFFER: [Stage.ADMITTED, Stage.CLINICAL_REVIEW],
        Stage.ADMITTED: [Stage.DISCHARGED],
        Stage.DISCHARGED: [Stage.ALUMNI],
        Stage.ALUMNI: [],
    },
    "automatic": [Stage.CONTACTED],
    "closable": [
        Stage.NEW,
        Stage.CONTACTED,
        Stage.PRE_ASSESSMENT,
        Stage.CLINICAL_REVIEW,
        Stage.OFFER,
    ],
    "ended": [Stage.DISCHARGED, Stage.ALUMNI],
}


class PipelineConfigError(ValueError):
    """The pipeline table is malformed; the message says where."""


@dataclass(frozen=True)
class Pipeline:
    stages: tuple[Stage, ...]
    moves: Mapping[Stage, frozenset[Stage]]
    automatic: frozenset[Stage]
    closable: frozenset[Stage]
    ended: frozenset[Stage]

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def can_move(self, from_stage: str, to_stage: str) -> bool:
        """Whether the table allows ``from_stage`` -> ``to_stage`` at all (by hand or by event)."""
        try:
            return Stage(to_stage) in self.moves.get(Stage(from_stage), frozenset())
        except ValueError:
            return False

    def is_open(self, stage: str) -> bool:
        """Whether an episode at ``stage`` (and not closed) is still going on."""
        return stage not in self.ended

    def position(self, stage: str) -> int:
        """The stage's place in the order (unknown stages sort last)."""
        try:
            return self.stages.index(Stage(stage))
        except ValueError:
            return len(self.stages)


def _stage(code: Any, where: str) -> Stage:
    try:
        return Stage(code)
    except ValueError:
        raise PipelineConfigError(
            f"{where}: unknown stage {code!r} (known: {', '.join(Stage)})"
        ) from None


def _stage_set(table: Mapping[str, Any], key: str, stages: tuple[Stage, ...]) -> frozenset[Stage]:
    raw = table.get(key, [])
    if not isinstance(raw, list):
        raise PipelineConfigError(f"{key}: must be a list of stages")
    chosen = frozenset(_stage(code, key) for code in raw)
    outside = chosen - set(stages)
    if outside:
        raise PipelineConfigError(f"{key}: {sorted(outside)} not in stages")
    return chosen


def pipeline_from(table: Mapping[str, Any]) -> Pipeline:
    """Check a table (the shape of :data:`DEFAULT_TABLE`) and build the pipeline it describes."""
    if not isinstance(table, Mapping):
        raise PipelineConfigError("the pipeline table must be a JSON object")
    raw_stages = table.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise PipelineConfigError("stages: must be a non-empty list")
    stages = tuple(_stage(code, "stages") for code in raw_stages)
    if len(set(stages)) != len(stages):
        raise PipelineConfigError("stages: a stage is listed twice")
    raw_moves = table.get("moves")
    if not isinstance(raw_moves, Mapping):
        raise PipelineConfigError("moves: must be an object of stage -> list of stages")
    moves: dict[Stage, frozenset[Stage]] = {}
    for source, targets in raw_moves.items():
        from_stage = _stage(source, "moves")
        if from_stage not in stages:
            raise PipelineConfigError(f"moves: {from_stage} is not in stages")
        if not isinstance(targets, list):
            raise PipelineConfigError(f"moves.{from_stage}: must be a list of stages")
        to_stages = frozenset(_stage(code, f"moves.{from_stage}") for code in targets)
        if not to_stages <= set(stages) or from_stage in to_stages:
            raise PipelineConfigError(f"moves.{from_stage}: a target is not another listed stage")
        moves[from_stage] = to_stages
    return Pipeline(
        stages=stages,
        moves=moves,
        automatic=_stage_set(table, "automatic", stages),
        closable=_stage_set(table, "closable", stages),
        ended=_stage_set(table, "ended", stages),
    )


def load_pipeline(path: str | None = None, table: Mapping[str, Any] | None = None) -> Pipeline:
    """The pipeline from ``table``, else from the JSON file at ``path``, else the default."""
    if table is not None:
        return pipeline_from(table)
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PipelineConfigError(f"PIPELINE_FILE {path!r} cannot be read: {exc}") from exc
        return pipeline_from(data)
    return DEFAULT_PIPELINE


DEFAULT_PIPELINE = pipeline_from(DEFAULT_TABLE)
