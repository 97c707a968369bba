"""Audit trail: an append-only record of who did what to which record, and from where."""

# The chain's session hooks must be registered before the first audit row is written.
from intake.audit import chain as _chain  # noqa: F401
