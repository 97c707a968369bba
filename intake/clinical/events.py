"""What the consent ledger announces to the rest of the application, as Blinker signals, so the
domains that hang on a consent listen without the ledger importing them.

``consent_ended``: a consent was revoked or its expiry event happened (sent inside the ending
transaction; receivers add to that session and never commit). Keyword arguments:
``consent_id``, ``purpose`` (a ``ConsentPurpose`` code), ``actor_id`` (None when the person
withdrew it themselves).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

consent_ended = _signals.signal("clinical.consent-ended")
