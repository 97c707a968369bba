"""The inquiry API for the clinic's other websites (``docs/api.md``)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, TooManyRequests
from werkzeug.wrappers import Response

from intake.auth.permissions import public
from intake.core.types import utcnow
from intake.extensions import csrf, limiter
from intake.public.api_keys import authenticate
from intake.public.guidance import build_guidance
from intake.public.json_depth import MAX_JSON_DEPTH, nests_deeper_than
from intake.public.limits import with_retry_after
from intake.public.models import ApiKey
from intake.public.openapi import OPENAPI_DOCUMENT
from intake.public.services import SubmissionConflictError, body_hash
from intake.public.validation import IDEMPOTENCY_KEY_MAX, validate_inquiry
from intake.usecases.accept_inquiry import accept_inquiry
from intake.usecases.api_keys import refuse_api_request
from intake.vocabulary import Language

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.after_request
def _never_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TooManyRequests)
def _rate_limited(error: TooManyRequests) -> Response:
    response = jsonify(
        error=_(
            "Too many requests from this website. "
            "Wait for the Retry-After seconds, then send again."
        )
    )
    response.status_code = 429
    return with_retry_after(response, error)


def _api_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _authenticated_key() -> ApiKey | None:
    """The request's API key, checked once per request and kept on ``g``."""
    if "api_key" not in g:
        g.api_key = authenticate(request.headers.get("Authorization"))
    key: ApiKey | None = g.api_key
    return key


def _key_or_address() -> str:
    # Rate-limit by the verified key; anything else by address, so made-up keys share a bucket.
    key = _authenticated_key()
    return f"key:{key.id}" if key is not None else f"addr:{request.remote_addr or 'unknown'}"


def _errors(status: int, errors: dict[str, list[Any]]) -> tuple[Response, int]:
    return jsonify(
        errors={name: [str(m) for m in messages] for name, messages in errors.items()}
    ), status


def _parse_body() -> tuple[Any, tuple[Response, int] | None]:
    if not request.is_json:
        return None, _errors(
            400, {"_body": [_("Send the inquiry as JSON with Content-Type: application/json.")]}
        )
    if nests_deeper_than(request.get_data(cache=True), MAX_JSON_DEPTH):
        return None, _errors(
            400,
            {
                "_body": [
                    _(
                        "The JSON nests more than %(max)d levels deep. An inquiry needs two.",
                        max=MAX_JSON_DEPTH,
                    )
                ]
            },
        )
    try:
        return request.get_json(), None
    except BadRequest:
        return None, _errors(400, {"_body": [_("The body is not valid JSON.")]})


@bp.post("/inquiries")
@public
@limiter.limit(_api_limit, key_func=_key_or_address)
def create_inquiry() -> tuple[Response, int]:
    """Accept an inquiry from a website; answer with what to show the person next."""
    key = _authenticated_key()
    if key is None:
        refuse_api_request("api.create_inquiry")
        response = jsonify(error=_("A valid API key is required."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="harbor-intake"'
        return response, 401
    payload, problem = _parse_body()
    if problem is not None:
        return problem
    if isinstance(payload, dict) and payload.get("language") in Language.codes():
        g.page_language = payload["language"]
    data, errors = validate_inquiry(payload)
    if data is None:
        return _errors(422 if isinstance(payload, dict) else 400, errors)
    idempotency = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency) > IDEMPOTENCY_KEY_MAX:
        # Cutting it would make two long keys that share a beginning one key.
        return _errors(
            400,
            {
                "Idempotency-Key": [
                    _(
                        "Use an Idempotency-Key of at most %(max)d characters.",
                        max=IDEMPOTENCY_KEY_MAX,
                    )
                ]
            },
        )
    submission_key = (
        hashlib.sha256(f"api:{key.id}:{idempotency}".encode()).hexdigest() if idempotency else None
    )
    try:
        accepted = accept_inquiry(
            data,
            source=key.source,
            api_key=key,
            submission_key=submission_key,
            payload_hash=body_hash(payload),
        )
    except SubmissionConflictError:
        # The IETF Idempotency-Key draft: a key reused with another body is a client error
        # (422), never the first request's answer given to a different message.
        return _errors(
            422,
            {
                "Idempotency-Key": [
                    _(
                        "This Idempotency-Key was already used for an inquiry with a different "
                        "body. Send a new inquiry with a new key; repeat a key only to resend "
                        "exactly the same body."
                    )
                ]
            },
        )
    guidance = build_guidance(
        accepted.triage.priority,
        data.country,
        data.language,
        utcnow(),
        current_app.config["CLINIC_TIMEZONE"],
        accepted.triage.flag_codes,
    )
    body = {"reference": accepted.inquiry.reference, "guidance": guidance.as_json()}
    return jsonify(body), 200 if accepted.duplicate else 201


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(OPENAPI_DOCUMENT)
