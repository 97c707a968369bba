"""Clinical review: what clinicians record, and what may be told to whom.

The consent ledger, the disclosure log, break-glass grants, the printable intake summary and the
FHIR export live in the ``consent*``, ``disclosures``, ``break_glass``, ``summary`` and ``fhir``
modules; their pages are ``consent_views.bp``.
"""
