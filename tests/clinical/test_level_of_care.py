"""The level-of-care suggestion on documented examples: the highest-risk dimension decides,
never an average, and the suggestion names the dimension that drove it; the table is
configuration, checked at start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.clinical.level_of_care import (
    LevelOfCareConfigError,
    RatingError,
    load_table,
    suggest,
    table_from,
)
from intake.vocabulary import AssessmentDimension, CareLevel, Programme

TABLE = load_table()
D = AssessmentDimension


def _ratings(**given: int) -> dict[str, int]:
    return {d.value: given.get(d.name.lower(), 0) for d in AssessmentDimension}


def test_all_zero_is_outpatient_with_every_dimension_a_driver() -> None:
    s = suggest(_ratings(), TABLE)
    assert s.level is CareLevel.OUTPATIENT
    assert s.drivers == tuple(AssessmentDimension)
    assert Programme.SUPPORT_GROUPS in s.programmes


def test_one_severe_withdrawal_rating_decides_whatever_the_others_say() -> None:
    # The average of 4,0,0,0,0,0 is under 1 (outpatient); the highest-risk dimension decides.
    s = suggest(_ratings(withdrawal=4), TABLE)
    assert s.level is CareLevel.INPATIENT_WITHDRAWAL
    assert s.drivers == (D.WITHDRAWAL,)
    assert Programme.MEDICAL_DETOX in s.programmes


@pytest.mark.parametrize(
    ("given", "level", "drivers"),
    [
        ({"emotional": 3}, CareLevel.PARTIAL_HOSPITALISATION, (D.EMOTIONAL,)),
        ({"environment": 4, "use_risks": 1}, CareLevel.RESIDENTIAL, (D.ENVIRONMENT,)),
        (
            {"biomedical": 2, "use_risks": 2},
            CareLevel.INTENSIVE_OUTPATIENT,
            (D.BIOMEDICAL, D.USE_RISKS),
        ),
        (
            {"person_centred": 4, "emotional": 1},
            CareLevel.PARTIAL_HOSPITALISATION,
            (D.PERSON_CENTRED,),
        ),
        ({"withdrawal": 3, "biomedical": 3}, CareLevel.RESIDENTIAL, (D.WITHDRAWAL, D.BIOMEDICAL)),
    ],
)
def test_documented_examples(given: dict[str, int], level: CareLevel, drivers: tuple) -> None:
    s = suggest(_ratings(**given), TABLE)
    assert (s.level, s.drivers) == (level, drivers)
    assert s.per_dimension[drivers[0]] is level


@pytest.mark.parametrize("bad", [5, -1, "3", None, True, 2.5])
def test_a_rating_out_of_range_or_missing_is_refused(bad: object) -> None:
    ratings: dict[str, object] = dict(_ratings())
    ratings[D.BIOMEDICAL.value] = bad
    with pytest.raises(RatingError) as caught:
        suggest(ratings, TABLE)
    assert caught.value.dimension == D.BIOMEDICAL.value


def test_the_default_says_it_is_not_the_asam_criteria() -> None:
    assert "NOT the ASAM Criteria" in TABLE.note


def test_a_clinic_table_replaces_the_default(tmp_path: Path) -> None:
    data = json.loads(Path("intake/clinical/level_of_care.json").read_text("utf-8"))
    data["ratings"][D.PERSON_CENTRED.value][4] = CareLevel.RESIDENTIAL.value
    path = tmp_path / "loc.json"
    path.write_text(json.dumps(data), "utf-8")
    s = suggest(_ratings(person_centred=4), load_table(path))
    assert s.level is CareLevel.RESIDENTIAL


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["ratings"].pop("biomedical"), "missing biomedical"),
        (lambda d: d["ratings"]["biomedical"].pop(), "five levels"),
        (lambda d: d["programmes"].update({"outpatient": ["yoga"]}), "unknown code 'yoga'"),
        (lambda d: d.update({"levels": []}), "levels"),
    ],
)
def test_a_malformed_table_is_refused_with_the_key(change: object, message: str) -> None:
    data = json.loads(Path("intake/clinical/level_of_care.json").read_text("utf-8"))
    change(data)  # type: ignore[operator]
    with pytest.raises(LevelOfCareConfigError, match=message):
        table_from(data)


def test_an_unreadable_file_stops_the_app_with_the_variable_named(tmp_path: Path) -> None:
    from intake import create_app

    with pytest.raises(LevelOfCareConfigError, match="LEVEL_OF_CARE_FILE"):
        create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
                "CELERY": {"broker_url": "memory://"},
                "LEVEL_OF_CARE_FILE": str(tmp_path / "none.json"),
            },
        )
