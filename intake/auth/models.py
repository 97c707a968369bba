"""Staff users and their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.permissions import Permission, Role, permissions_for
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.security.fields import EncryptedText
from intake.vocabulary import DEFAULT_LANGUAGE


class User(UserMixin, Model):
    """A staff member. Staff email addresses are work addresses, not patient data."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on password change: every session carries the version it was opened with.
    session_version: Mapped[int] = mapped_column(default=1)
    # An encrypted column type, so `flask keys rotate` re-encrypts it with the personal data.
    # Deferred: loaded (and decrypted) only when two-factor is checked, not with every request's
    # user.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText(), deferred=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column()
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language of the emails the application writes to this staff member (a ``Language``).
    # Deferred: read only when an email to them is written, not with every request's user.
    language: Mapped[str] = mapped_column(
        String(5),
        default=DEFAULT_LANGUAGE.value,
        server_default=DEFAULT_LANGUAGE.value,
        deferred=True,
    )

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if Role(row.role) in roles]
        have = {Role(row.role) for row in keep}
        self.role_rows = keep + [UserRole(role=role.value) for role in sorted(roles - have)]

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def can(self, permission: Permission) -> bool:
        return self.active and permission in permissions_for(self.roles)

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        # The session id includes the version, so a password change ends other sessions.
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class StaffSession(Model):
    """A signed-in session, known to the server. The cookie carries a random token whose hash is
    stored here; signing out, changing the password or deactivation end the row, and a cookie
    whose row has ended opens nothing, even if it was copied before."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # logout, password_changed, deactivated, expired, password_set
    end_reason: Mapped[str | None] = mapped_column(String(20))


class SignInThrottle(Model):
    """Failed sign-ins for one account from one client address (an IPv6 /64 counts as one).

    Counting the pair, not the account, means failures from elsewhere never lock out the real
    user's own address. ``last_success_at`` marks an address the account signed in from.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Model):
    """A single-use two-factor recovery code, stored only as a keyed hash."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user_id_code_hash", "user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
