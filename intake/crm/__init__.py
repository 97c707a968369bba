"""Admissions CRM: people, contacts, episodes, tasks."""
