"""The OpenAPI 3 description of the inquiry API, built from the same constants as validation.

Every ``enum`` list comes from :mod:`intake.vocabulary`, so the schema cannot name a code the API
refuses or miss one it accepts.
"""

from __future__ import annotations

from typing import Any

from intake.public.json_depth import MAX_JSON_DEPTH
from intake.public.validation import (
    BEST_TIME_MAX,
    COUNTRY_CODES,
    DEFAULT_FOR_WHOM,
    IDEMPOTENCY_KEY_MAX,
    MESSAGE_MAX,
    NAME_MAX,
)
from intake.vocabulary import (
    AUDIT_C_ITEMS,
    AUDIT_C_SEX,
    DEFAULT_LANGUAGE,
    RISK_ITEMS,
    SCREEN_ANSWERS,
    SCREEN_ITEMS,
    SCREEN_THOUGHTS_NOW,
    SCREEN_TRIED_WHEN,
    SUBSTANCES,
    TRIED_WHEN,
    ContactChannel,
    ForWhom,
    GuidanceLevel,
    Language,
)

_ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by field name; `_body` for the request as a whole.",
        }
    },
}

_INQUIRY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["message", "consent"],
    "description": "Give `email` or `phone` (or both).",
    "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": MESSAGE_MAX},
        "name": {"type": "string", "maxLength": NAME_MAX},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": "string", "description": "Parsed with `country` as the region hint."},
        "preferred_channel": {"type": "string", "enum": list(ContactChannel.codes())},
        "safe_to_leave_message": {"type": "boolean", "default": False},
        "best_time": {"type": "string", "maxLength": BEST_TIME_MAX},
        "country": {
            "type": "string",
            "enum": sorted(COUNTRY_CODES),
            "description": (
                "ISO 3166-1 alpha-2 (lower case is read as upper case). Optional: leave it out "
                "when unknown; null and the empty string are refused."
            ),
        },
        "language": {
            "type": "string",
            "enum": list(Language.codes()),
            "default": DEFAULT_LANGUAGE.value,
        },
        "for_whom": {
            "type": "string",
            "enum": list(ForWhom.codes()),
            "default": DEFAULT_FOR_WHOM.value,
        },
        "substances": {"type": "array", "items": {"type": "string", "enum": list(SUBSTANCES)}},
        "screen": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                **{item: {"type": "string", "enum": list(SCREEN_ANSWERS)} for item in SCREEN_ITEMS},
                SCREEN_TRIED_WHEN: {"type": "string", "enum": list(TRIED_WHEN)},
                SCREEN_THOUGHTS_NOW: {"type": "string", "enum": list(SCREEN_ANSWERS)},
            },
        },
        "risk": {
            "type": "object",
            "additionalProperties": False,
            "properties": {item: {"type": "boolean"} for item in RISK_ITEMS},
        },
        "consent": {"type": "boolean", "enum": [True]},
        "audit_c": {
            "type": "object",
            "additionalProperties": False,
            "description": "Optional AUDIT-C alcohol screen.",
            "properties": {
                **{item: {"type": "integer", "minimum": 0, "maximum": 4} for item in AUDIT_C_ITEMS},
                "sex": {"type": "string", "enum": list(AUDIT_C_SEX)},
            },
        },
    },
}

_GUIDANCE = {
    "type": "object",
    "required": ["level", "emergency_number", "helplines", "message"],
    "properties": {
        "level": {"type": "string", "enum": list(GuidanceLevel.codes())},
        "emergency_number": {"type": "string"},
        "helplines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "hours": {"type": "string"},
                },
            },
        },
        "message": {"type": "string", "description": "In the inquiry's language."},
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERRORS}}}


OPENAPI_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Harbor Intake inquiry API",
        "version": "1",
        "description": "For the clinic's websites: send an inquiry, receive what to show next.",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Inquiry": _INQUIRY, "Guidance": _GUIDANCE, "Errors": _ERRORS},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/inquiries": {
            "post": {
                "summary": "Send one inquiry",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
                        "description": (
                            "The same key with the same body stores the inquiry once (200 on "
                            "repeats); the same key with another body is refused with 422."
                        ),
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Inquiry"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Stored. Show the person the guidance.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "reference": {"type": "string"},
                                        "guidance": {"$ref": "#/components/schemas/Guidance"},
                                    },
                                }
                            }
                        },
                    },
                    "200": {
                        "description": "Already stored under this Idempotency-Key and body.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "reference": {"type": "string"},
                                        "guidance": {"$ref": "#/components/schemas/Guidance"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error_response(
                        "The body is not JSON, not an object, or nested more than "
                        f"{MAX_JSON_DEPTH} levels deep; or the Idempotency-Key is too long."
                    ),
                    "401": {"description": "No valid API key."},
                    "413": {"description": "The body is larger than the limit."},
                    "422": _error_response(
                        "A field is missing or wrong; each error names it. The error named "
                        "`Idempotency-Key` means the key was already used with another body."
                    ),
                    "429": {
                        "description": "Too many requests; send again after Retry-After seconds.",
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds to wait before sending again.",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        },
                    },
                },
            }
        }
    },
}
