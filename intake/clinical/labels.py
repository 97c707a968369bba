"""Words staff read for the clinical codes (English; translations come with the lead's pass)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from intake.clinical import rules
from intake.vocabulary import (
    AUDIT_C_SEX,
    AsqResult,
    AssessmentDimension,
    CareLevel,
    LevelDecision,
    Programme,
    ReviewDecision,
    SafetyOutcome,
    UseRoute,
)

DIMENSION_LABELS: dict[str, LazyString] = {
    AssessmentDimension.WITHDRAWAL: _l("1. Intoxication and withdrawal"),
    AssessmentDimension.BIOMEDICAL: _l("2. Biomedical conditions"),
    AssessmentDimension.EMOTIONAL: _l("3. Emotional, behavioural or cognitive conditions"),
    AssessmentDimension.USE_RISKS: _l("4. Substance-use-related risks"),
    AssessmentDimension.ENVIRONMENT: _l("5. Recovery environment"),
    AssessmentDimension.PERSON_CENTRED: _l("6. Person-centred considerations"),
}
LEVEL_LABELS: dict[str, LazyString] = {
    CareLevel.OUTPATIENT: _l("Outpatient"),
    CareLevel.INTENSIVE_OUTPATIENT: _l("Intensive outpatient"),
    CareLevel.PARTIAL_HOSPITALISATION: _l("Partial hospitalisation"),
    CareLevel.RESIDENTIAL: _l("Residential"),
    CareLevel.INPATIENT_WITHDRAWAL: _l("Medically monitored inpatient withdrawal management"),
}
PROGRAMME_LABELS: dict[str, LazyString] = {
    Programme.MEDICAL_DETOX: _l("Medical detox with a gradual taper"),
    Programme.INPATIENT: _l("Inpatient programme"),
    Programme.OUTPATIENT: _l("Outpatient programme"),
    Programme.SUPPORT_GROUPS: _l("Support groups"),
    Programme.HOLISTIC: _l("Holistic therapies"),
    Programme.AFTERCARE: _l("Aftercare"),
}
LEVEL_DECISION_LABELS: dict[str, LazyString] = {
    LevelDecision.CONFIRMED: _l("confirmed by the clinician"),
    LevelDecision.OVERRIDDEN: _l("overridden by the clinician"),
}
ASQ_LABELS: dict[str, LazyString] = {
    AsqResult.NOT_DONE: _l("Not done"),
    AsqResult.NEGATIVE: _l("Negative"),
    AsqResult.NON_ACUTE_POSITIVE: _l("Non-acute positive"),
    AsqResult.ACUTE_POSITIVE: _l("Acute positive"),
}
SAFETY_LABELS: dict[str, LazyString] = {
    SafetyOutcome.NOT_NEEDED: _l("Not needed (screens negative)"),
    SafetyOutcome.NO_FURTHER_ACTION: _l("Assessed: no further intervention now"),
    SafetyOutcome.NON_URGENT_EVALUATION: _l("Assessed: further evaluation, not urgent"),
    SafetyOutcome.URGENT_EVALUATION: _l("Assessed: urgent evaluation needed"),
}
ROUTE_LABELS: dict[str, LazyString] = {
    UseRoute.ORAL: _l("By mouth"),
    UseRoute.INTRANASAL: _l("Snorted"),
    UseRoute.SMOKED: _l("Smoked or inhaled"),
    UseRoute.INJECTED: _l("Injected"),
    UseRoute.OTHER: _l("Other"),
}
DECISION_LABELS: dict[str, LazyString] = {
    ReviewDecision.PROCEED: _l("Proceed to assessment"),
    ReviewDecision.NOT_APPROPRIATE: _l("Not appropriate"),
    ReviewDecision.REFER: _l("Refer elsewhere"),
}
AUDIT_C_SEX_LABELS: dict[str, LazyString] = {
    AUDIT_C_SEX[0]: _l("Male (positive at 4)"),
    AUDIT_C_SEX[1]: _l("Female (positive at 3)"),
}
PHQ9_BAND_LABELS: dict[str, LazyString] = {
    "minimal": _l("minimal"),
    "mild": _l("mild"),
    "moderate": _l("moderate"),
    "moderately_severe": _l("moderately severe"),
    "severe": _l("severe"),
}
PROBLEM_MESSAGES: dict[str, LazyString] = {
    rules.OUT_OF_RANGE: _l("This score is out of range."),
    rules.UNKNOWN_CODE: _l("Choose from the list."),
    rules.TOO_LONG: _l("This is too long."),
    rules.INCOMPLETE: _l("Score every item of this screen, or none."),
    rules.REQUIRED: _l("Required before signing."),
    rules.SAFETY_REQUIRED: _l(
        "PHQ-9 item 9 or the ASQ is positive: record the brief safety assessment's outcome."
    ),
    rules.OVERRIDE_REASON: _l("Say why you chose another level than the suggestion."),
}
