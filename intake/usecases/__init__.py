"""Use cases that span domains, above them: each owns its transaction and commits once.

The domains below (``crm``, ``triage``, ``messaging``, ``audit``, ``public``) each do one unit of
work and never commit. ``public`` reaches a staff domain only through this package.
"""
