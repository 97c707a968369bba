"""Celery worker entry point, tasks and the beat schedule. Tasks are thin: they call services."""
