"""Shared plumbing: column types, time, request context helpers, health checks."""
