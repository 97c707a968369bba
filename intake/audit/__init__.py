"""Audit trail: an append-only record of who did what to which record, and from where."""
