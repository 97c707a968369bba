"""What triage announces to the rest of the application, as Blinker signals (Flask's own
signal library), so the domains that care listen without triage importing them.

``contact_reached``: the first contact attempt that reached the person of an inquiry was logged
(sent inside the logging transaction; receivers add to that session and never commit).
Keyword arguments: ``inquiry_id``, ``user_id``, ``at`` (the attempt's UTC time).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

contact_reached = _signals.signal("triage.contact-reached")
