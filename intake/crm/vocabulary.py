"""The CRM's coded vocabularies, defined once.

Pure (no imports beyond the standard library): the pipeline table, the services, the forms and
the reports all take their codes from here, and the staff labels live in :mod:`intake.crm.labels`.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where an episode stands on the way to care (order and moves: :mod:`intake.crm.pipeline`)."""

    NEW = "new"
    CONTACTED = "contacted"
    PRE_ASSESSMENT = "pre_assessment"
    CLINICAL_REVIEW = "clinical_review"
    OFFER = "offer"
    ADMITTED = "admitted"
    DISCHARGED = "discharged"
    ALUMNI = "alumni"


# The history row that records a close uses this instead of a stage.
CLOSED = "closed"


class CloseReason(StrEnum):
    """Why an episode ended before admission."""

    COULD_NOT_REACH = "could_not_reach"
    CHOSE_OTHER_PROVIDER = "chose_other_provider"
    COST = "cost"
    NOT_APPROPRIATE = "not_appropriate"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    DUPLICATE = "duplicate"
    NOT_REAL = "not_real"


# Episodes closed for these reasons were never a real journey: conversion reports leave them out.
NOT_COUNTED_REASONS = frozenset({CloseReason.DUPLICATE, CloseReason.NOT_REAL})


def counts_for_conversion(close_reason: str | None) -> bool:
    """Whether an episode closed (or not) for ``close_reason`` belongs in conversion reports."""
    return close_reason not in NOT_COUNTED_REASONS


class TaskKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    CALLBACK = "callback"
    FOLLOW_UP = "follow_up"


class Relationship(StrEnum):
    """How a contact is related to the person."""

    UNKNOWN = "unknown"
    PARENT = "parent"
    PARTNER = "partner"
    CHILD = "child"
    SIBLING = "sibling"
    FRIEND = "friend"
    EMPLOYER = "employer"
    DOCTOR = "doctor"
    PROFESSIONAL = "professional"
    OTHER = "other"


class Disclosure(StrEnum):
    """What a contact may be told. Anything beyond acknowledging needs the person's consent
    (the clinical issue's consent ledger); until then every contact gets ``acknowledge_only``."""

    NOTHING = "nothing"
    ACKNOWLEDGE_ONLY = "acknowledge_only"
    ADMISSION_STATUS = "admission_status"


class DuplicateReason(StrEnum):
    """Why two people may be the same."""

    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


class DuplicateStatus(StrEnum):
    """Where a duplicate candidate stands: open until staff decide; ``not_same`` sticks."""

    OPEN = "open"
    NOT_SAME = "not_same"
    MERGED = "merged"
