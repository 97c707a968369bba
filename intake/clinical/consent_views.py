"""Pages of the consent ledger, the disclosure log, the intake summary, the FHIR export and
break-glass. Views parse and render; :mod:`intake.clinical.consent_use_cases` commits. Every page
showing a person's data writes its audit row first; every refusal is a message under the field
(the form shown again with a 4xx) or a flash, never a 500.

Who sees what is decided in :mod:`intake.clinical.consents`' docstring.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth.access import FieldGroup, may_read
from intake.auth.models import User
from intake.auth.permissions import Permission, require_access, require_permission
from intake.clinical import break_glass, consent_use_cases, consents, disclosures, fhir, summary
from intake.clinical import services as clinical_services
from intake.clinical.consent_forms import (
    CHANNEL_LABELS,
    DEFAULT_REVOCATION,
    DISCLOSURE_CHANNEL_LABELS,
    END_LABELS,
    PURPOSE_LABELS,
    SCOPE_LABELS,
    SIGNATURE_LABELS,
    STATE_LABELS,
    BreakGlassForm,
    ConsentForm,
    DisclosureForm,
    EndConsentForm,
    ExportForm,
    ReviewForm,
)
from intake.clinical.consent_models import BreakGlassGrant, Consent
from intake.clinical.consents import ConsentInput, ConsentRefusalError
from intake.clinical.disclosures import DisclosureInput
from intake.core.types import utcnow
from intake.crm.labels import RELATIONSHIP_LABELS
from intake.crm.models import Contact, Person
from intake.extensions import db
from intake.messaging.oncall import local_to_utc
from intake.vocabulary import ConsentEnd, ConsentScope, DisclosureChannel

bp = Blueprint("consent", __name__, url_prefix="/staff")


@bp.context_processor
def _consent_words() -> dict[str, Any]:
    return {
        "purpose_labels": PURPOSE_LABELS,
        "scope_labels": SCOPE_LABELS,
        "state_labels": STATE_LABELS,
        "end_labels": END_LABELS,
        "signature_labels": SIGNATURE_LABELS,
        "request_channel_labels": CHANNEL_LABELS,
        "disclosure_channel_labels": DISCLOSURE_CHANNEL_LABELS,
        "relationship_labels": RELATIONSHIP_LABELS,
        "ConsentEnd": ConsentEnd,
        "DisclosureChannel": DisclosureChannel,
        "FieldGroup": FieldGroup,
    }


@bp.app_template_global("consent_panel")
def consent_panel(person: Person) -> list[dict[str, Any]] | None:
    """The person page's "what may we tell whom today" rows, in words, or None for a reader who
    may not see them (the panel is then left out)."""
    if not current_user.is_authenticated or not current_user.can(Permission.CONSENT_VIEW):
        return None
    return [
        {
            "consent_id": row.consent_id,
            "recipient": row.recipient,
            "relation": str(RELATIONSHIP_LABELS.get(row.relation, row.relation))
            if row.relation
            else "",
            "scope": str(SCOPE_LABELS.get(row.scope, row.scope)),
            "purpose": str(PURPOSE_LABELS.get(row.purpose, row.purpose)),
            "until": row.until,
            "until_event": row.until_event,
        }
        for row in consents.may_tell_today(person.id)
    ]


@bp.app_template_global("redisclosure_notice")
def redisclosure_notice() -> str:
    """The § 2.32 notice every disclosed or printed record carries (a template, so a clinic can
    replace the words without touching code)."""
    return render_template("consent/_redisclosure_notice.txt").strip()


@bp.record_once
def _register(state: Any) -> None:
    break_glass.init_app(state.app)


def _person(person_id: int, group: FieldGroup = FieldGroup.RECORD) -> Person:
    person = db.get_or_404(Person, person_id)
    require_access(person, group)
    return person


def _audit_view(tag: AuditTag, person: Person, **detail: Any) -> None:
    record_view(
        tag,
        target_type="person",
        target_id=person.id,
        detail={"page": request.endpoint or "", **detail},
    )


def _audit_clinical_read(person: Person, page: str) -> None:
    """Audit a page that shows clinical fields; under a break-glass grant the row says so."""
    if current_user.can(Permission.CLINICAL_READ):
        _audit_view(AuditTag.SUMMARY_VIEWED, person, what=page)
        return
    grant = break_glass.live_grant(current_user.id, person.id)
    _audit_view(
        AuditTag.BREAK_GLASS_READ,
        person,
        what=page,
        grant_id=grant.id if grant else None,
        prominent=True,
    )


def _timezone() -> str:
    return str(current_app.config["CLINIC_TIMEZONE"])


def _utc(local: datetime | None) -> datetime | None:
    return local_to_utc(local, _timezone()) if local is not None else None


def _names() -> dict[int, str]:
    return {user.id: user.display_name for user in db.session.scalars(db.select(User)).all()}


def _refused(form: Any, action: Callable[[], object]) -> ConsentRefusalError | None:
    """Run a use case; a refusal is shown under the field it names (or above the form) and
    returned, for the view to show the form again with its status."""
    try:
        action()
    except ConsentRefusalError as refused:
        field = getattr(form, refused.field, None) if refused.field else None
        if field is not None:
            field.errors = [*field.errors, str(refused.message)]
        else:
            form.form_errors.append(str(refused.message))
        return refused
    return None


def _submit(
    form: Any,
    action: Callable[[], object],
    again: Callable[[int], Any],
    done: str,
    then: str,
) -> Any:
    """Run a use case from a form page: on a refusal the page ``again`` with the reason under its
    field; otherwise flash ``done`` and go on to ``then``."""
    refused = _refused(form, action)
    if refused is not None:
        return again(refused.status_code)
    flash(done, "success")
    return redirect(then)


def _act(back: str, action: Callable[[], object], done: str) -> Response:
    """Run a use case from a one-button form and go back, flashing what happened."""
    try:
        action()
    except ConsentRefusalError as refused:
        flash(str(refused.message), "error")
        return redirect(back)
    flash(done, "success")
    return redirect(back)


# Consents ---------------------------------------------------------------------------------------


@bp.get("/people/<int:person_id>/consents")
@require_permission(Permission.CONSENT_VIEW)
def ledger(person_id: int) -> str:
    person = _person(person_id)
    _audit_view(AuditTag.CONSENTS_VIEWED, person)
    return render_template(
        "consent/ledger.html",
        person=person,
        panel=consents.may_tell_today(person.id),
        ledger=consents.consents_of(person.id),
        names=_names(),
        end_form=EndConsentForm(),
    )


def _contacts(person: Person) -> list[Contact]:
    return list(
        db.session.scalars(
            db.select(Contact).where(Contact.person_id == person.id).order_by(Contact.id)
        )
    )


def _consent_form(person: Person, form: ConsentForm | None = None) -> ConsentForm:
    if form is None:
        form = ConsentForm(
            data={
                "disclosing_party": current_app.config["CLINIC_NAME"],
                "revocation_text": str(DEFAULT_REVOCATION),
            }
        )
    contacts = _contacts(person)
    readable = may_read(current_user, person, FieldGroup.CONTACT)

    def shown(contact: Contact) -> str:
        name = (
            (contact.name or _("name not given")) if readable else _("contact %(n)d", n=contact.id)
        )
        return f"{name} ({RELATIONSHIP_LABELS.get(contact.relation, contact.relation)})"

    form.recipient_contact_id.choices = [(0, _("None: name the recipient below"))] + [
        (contact.id, shown(contact)) for contact in contacts
    ]
    return form


def _render_new_consent(person: Person, form: ConsentForm, status: int = 200) -> Any:
    return render_template("consent/new.html", person=person, form=form), status


@bp.route("/people/<int:person_id>/consents/new", methods=["GET", "POST"])
@require_permission(Permission.CONSENT_MANAGE)
def new_consent(person_id: int) -> Any:
    person = _person(person_id, FieldGroup.CONTACT)
    if request.method == "GET":
        _audit_view(AuditTag.CONSENTS_VIEWED, person)
        return _render_new_consent(person, _consent_form(person))
    form = _consent_form(person, ConsentForm())
    if not form.validate_on_submit():
        return _render_new_consent(person, form, 400)
    data = ConsentInput(
        purpose=form.purpose.data or "",
        scope=form.scope.data or "",
        information=form.information.data or "",
        purpose_text=form.purpose_text.data or "",
        revocation_text=form.revocation_text.data or "",
        disclosing_party=form.disclosing_party.data or "",
        signature_method=form.signature_method.data or "",
        signed_name=form.signed_name.data or "",
        given_via=form.given_via.data or "",
        explicit=bool(form.explicit.data),
        recipient_contact_id=form.recipient_contact_id.data or None,
        recipient_name=form.recipient_name.data or "",
        recipient_organisation=form.recipient_organisation.data or "",
        patient_name=form.patient_name.data or "",
        starts_at=_utc(form.starts_at.data),
        expires_at=_utc(form.expires_at.data),
        expiry_event=form.expiry_event.data or "",
        signed_at=_utc(form.signed_at.data),
    )
    return _submit(
        form,
        lambda: consent_use_cases.record_consent(person, data, current_user.id),
        lambda status: _render_new_consent(person, form, status),
        _("Consent recorded."),
        url_for("consent.ledger", person_id=person.id),
    )


@bp.post("/consents/<int:consent_id>/end")
@require_permission(Permission.CONSENT_MANAGE)
def end_consent(consent_id: int) -> Response:
    consent = db.get_or_404(Consent, consent_id)
    person = _person(consent.person_id)
    back = url_for("consent.ledger", person_id=person.id)
    form = EndConsentForm()
    if not form.validate_on_submit():
        flash(_("The form had expired or was not filled in properly. Try again."), "error")
        return redirect(back)
    return _act(
        back,
        lambda: consent_use_cases.end_consent(
            consent,
            request.form.get("kind", ""),
            current_user.id,
            form.channel.data or None,
            form.note.data,
        ),
        _("Consent ended. It stays in the ledger."),
    )


# Disclosures ------------------------------------------------------------------------------------


def _live_choices(person: Person) -> list[tuple[int, str]]:
    return [(0, _("None"))] + [
        (
            consent.id,
            f"{consent.recipient_name} · {PURPOSE_LABELS.get(consent.purpose, consent.purpose)}"
            f" · {SCOPE_LABELS.get(consent.scope, consent.scope)}",
        )
        for consent in consents.live_consents(person.id)
    ]


def _render_disclosure(person: Person, form: DisclosureForm, status: int = 200) -> Any:
    return render_template("consent/disclose.html", person=person, form=form), status


@bp.route("/people/<int:person_id>/disclosures/new", methods=["GET", "POST"])
@require_permission(Permission.DISCLOSURE_RECORD)
def new_disclosure(person_id: int) -> Any:
    person = _person(person_id, FieldGroup.CLINICAL)
    if request.method == "GET":
        _audit_view(AuditTag.CONSENTS_VIEWED, person)
        channel = request.args.get("channel")
        form = DisclosureForm(
            data={
                "channel": channel if channel in DisclosureChannel.codes() else None,
                "scope": ConsentScope.CLINICAL_SUMMARY
                if channel == DisclosureChannel.PRINTED_SUMMARY
                else None,
            }
        )
        form.consent_id.choices = _live_choices(person)
        return _render_disclosure(person, form)
    form = DisclosureForm()
    form.consent_id.choices = _live_choices(person)
    if not form.validate_on_submit():
        return _render_disclosure(person, form, 400)
    data = DisclosureInput(
        scope=form.scope.data or "",
        channel=form.channel.data or "",
        information=form.information.data or "",
        consent_id=form.consent_id.data or None,
        emergency=bool(form.emergency.data),
        recipient_name=form.recipient_name.data or "",
        recipient_facility=form.recipient_facility.data or "",
        emergency_nature=form.emergency_nature.data or "",
    )
    return _submit(
        form,
        lambda: consent_use_cases.record_disclosure(person, data, current_user.id),
        lambda status: _render_disclosure(person, form, status),
        _("Disclosure recorded."),
        url_for("consent.accounting", person_id=person.id),
    )


@bp.get("/people/<int:person_id>/disclosures")
@require_permission(Permission.DISCLOSURE_VIEW)
def accounting(person_id: int) -> str:
    person = _person(person_id)
    rows = disclosures.accounting(person.id)
    _audit_view(AuditTag.DISCLOSURES_VIEWED, person, rows=len(rows))
    return render_template("consent/accounting.html", person=person, rows=rows, names=_names())


@bp.get("/people/<int:person_id>/disclosures.csv")
@require_permission(Permission.DISCLOSURE_VIEW)
def accounting_csv(person_id: int) -> Response:
    person = _person(person_id)
    rows = disclosures.accounting(person.id)
    _audit_view(AuditTag.DISCLOSURES_EXPORTED, person, rows=len(rows))
    body = disclosures.accounting_csv(rows, _names())
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=disclosures-{person.id}.csv",
            "Cache-Control": "no-store",
        },
    )


# Intake summary and FHIR export -----------------------------------------------------------------


@bp.get("/people/<int:person_id>/summary")
@require_permission(Permission.PERSON_VIEW)
def intake_summary(person_id: int) -> str:
    person = _person(person_id, FieldGroup.CLINICAL)
    _audit_clinical_read(person, "summary")
    return render_template(
        "consent/summary.html",
        data=summary.intake_summary(person),
        person=person,
        pdf=summary.pdf_available(),
        now=utcnow(),
    )


@bp.get("/people/<int:person_id>/summary.pdf")
@require_permission(Permission.PERSON_VIEW)
def intake_summary_pdf(person_id: int) -> Response:
    person = _person(person_id, FieldGroup.CLINICAL)
    if not summary.pdf_available():
        flash(_("PDF is not available on this server: print the page instead."), "warning")
        return redirect(url_for("consent.intake_summary", person_id=person.id))
    _audit_clinical_read(person, "summary_pdf")
    html = render_template(
        "consent/summary_pdf.html",
        data=summary.intake_summary(person),
        person=person,
        now=utcnow(),
    )
    body = summary.render_pdf(html)
    if body is None:
        flash(_("PDF is not available on this server: print the page instead."), "warning")
        return redirect(url_for("consent.intake_summary", person_id=person.id))
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"inline; filename=intake-summary-{person.id}.pdf",
            "Cache-Control": "no-store",
        },
    )


def _render_export(person: Person, form: ExportForm, status: int = 200) -> Any:
    return render_template("consent/export.html", person=person, form=form), status


@bp.route("/people/<int:person_id>/fhir", methods=["GET", "POST"])
@require_permission(Permission.DISCLOSURE_RECORD)
def fhir_export(person_id: int) -> Any:
    person = _person(person_id, FieldGroup.CLINICAL)
    form = ExportForm()
    form.consent_id.choices = _live_choices(person)
    if request.method == "GET":
        _audit_view(AuditTag.CONSENTS_VIEWED, person)
        return _render_export(person, form)
    if not form.validate_on_submit():
        return _render_export(person, form, 400)
    # Every record is checked before anything is disclosed.
    records = clinical_services.signed_records_of(person.id)
    for record in records:
        require_access(record, FieldGroup.CLINICAL)
    chosen = {consent.id: consent.scope for consent in consents.live_consents(person.id)}
    scope = fhir.export_scope(chosen.get(form.consent_id.data or 0))
    data = DisclosureInput(
        scope=scope,
        channel=DisclosureChannel.FHIR_EXPORT,
        information=_(
            "FHIR R4 Bundle: intake answers, consents, signed assessments and their signatures"
        )
        if scope != ConsentScope.FULL_RECORD
        else _(
            "FHIR R4 Bundle: intake answers, consents, signed assessments and notes, and their"
            " signatures"
        ),
        consent_id=form.consent_id.data or None,
    )
    refused = _refused(
        form, lambda: consent_use_cases.record_disclosure(person, data, current_user.id)
    )
    if refused is not None:
        return _render_export(person, form, refused.status_code)
    bundle = fhir.intake_bundle(
        summary.intake_summary(person), redisclosure_notice(), records, scope
    )
    return Response(
        json.dumps(bundle, ensure_ascii=False, indent=2),
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": f"attachment; filename=intake-{person.id}.fhir.json",
            "Cache-Control": "no-store",
        },
    )


# Break-glass -------------------------------------------------------------------------------------


def _render_break_glass(person: Person, form: BreakGlassForm, status: int = 200) -> Any:
    grant = break_glass.live_grant(current_user.id, person.id)
    return (
        render_template(
            "consent/break_glass.html",
            person=person,
            form=form,
            grant=grant,
            minutes=break_glass.grant_minutes(),
            confirm=ReviewForm(),
        ),
        status,
    )


@bp.route("/people/<int:person_id>/break-glass", methods=["GET", "POST"])
@require_permission(Permission.BREAK_GLASS_REQUEST)
def request_break_glass(person_id: int) -> Any:
    person = _person(person_id)
    form = BreakGlassForm()
    if request.method == "GET":
        return _render_break_glass(person, form)
    if not form.validate_on_submit():
        return _render_break_glass(person, form, 400)
    refused = _refused(
        form, lambda: consent_use_cases.request_break_glass(current_user, person, form.reason.data)
    )
    if refused is not None:
        return _render_break_glass(person, form, refused.status_code)
    flash(
        _(
            "Emergency access granted for %(n)d minutes. The clinical lead has been alerted and "
            "will review it.",
            n=break_glass.grant_minutes(),
        ),
        "warning",
    )
    return redirect(url_for("consent.intake_summary", person_id=person.id))


@bp.post("/break-glass/<int:grant_id>/end")
@require_permission(Permission.BREAK_GLASS_REQUEST)
def end_break_glass(grant_id: int) -> Response:
    grant = db.get_or_404(BreakGlassGrant, grant_id)
    back = url_for("consent.request_break_glass", person_id=grant.person_id)
    if not ReviewForm().validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return redirect(back)
    return _act(
        back,
        lambda: consent_use_cases.end_break_glass(grant, current_user.id),
        _("Emergency access closed."),
    )


@bp.get("/break-glass")
@require_permission(Permission.BREAK_GLASS_REVIEW)
def break_glass_review() -> str:
    grants = break_glass.grants_for_review()
    record_view(AuditTag.CONSENTS_VIEWED, detail={"page": "break_glass_review"})
    return render_template(
        "consent/break_glass_review.html",
        grants=grants,
        names=_names(),
        form=ReviewForm(),
    )


@bp.post("/break-glass/<int:grant_id>/review")
@require_permission(Permission.BREAK_GLASS_REVIEW)
def review_break_glass(grant_id: int) -> Response:
    grant = db.get_or_404(BreakGlassGrant, grant_id)
    back = url_for("consent.break_glass_review")
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("The form had expired or the note is too long. Try again."), "error")
        return redirect(back)
    return _act(
        back,
        lambda: consent_use_cases.review_break_glass(grant, current_user.id, form.note.data),
        _("Marked reviewed."),
    )
