"""Reliability tests for messaging: real SMTP (aiosmtpd), real brokers, real worker processes."""
