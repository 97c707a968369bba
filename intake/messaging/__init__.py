"""Messaging: the on-call rota, alerts, the outbox and deliveries."""
