"""Triage: explainable risk rules and the staff triage queue."""
