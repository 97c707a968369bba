"""Imports every model module so the metadata (and Alembic) sees all tables."""

from intake.audit.models import AuditEvent
from intake.auth.models import User, UserRole
from intake.core.models import WorkerHeartbeat
from intake.messaging.models import OnCallShift

__all__ = ["AuditEvent", "OnCallShift", "User", "UserRole", "WorkerHeartbeat"]
