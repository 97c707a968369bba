"""Encryption at rest, blind indexes, password hashing and safe redirects."""
