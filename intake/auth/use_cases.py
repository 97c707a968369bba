"""What the sign-in and account pages do, one transaction each.

Every function here is the unit of work of one request: it calls :mod:`intake.auth.services`
(which never commit, so CLI commands and other services can combine them) and commits, so a
change and its audit rows land together. Views call exactly one of these and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth import services
from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db


@dataclass(frozen=True)
class PasswordSignIn:
    """The outcome of the password step; ``token`` opens the new session when signed in."""

    outcome: services.SignInOutcome
    user: User | None = None
    token: str | None = None


def _complete(user: User, *, second_factor: bool, address: str, refused_next_on: str | None) -> str:
    if refused_next_on is not None:
        # A foreign ``next`` was ignored; auditing it belongs to the sign-in it came with.
        record(AuditTag.UNSAFE_REDIRECT_BLOCKED, detail={"endpoint": refused_next_on})
    return services.complete_sign_in(user, second_factor=second_factor, address=address)


def sign_in_with_password(
    email: str, password: str, *, address: str, refused_next_on: str | None = None
) -> PasswordSignIn:
    """Check a password and, when no second factor is needed, sign in. Commits.

    Failures, lockouts and their audit rows are committed too. ``refused_next_on`` names the
    endpoint whose unsafe ``next`` was ignored; it is audited only if the sign-in completes.
    """
    result = services.check_password_sign_in(email, password, address=address)
    token = None
    if result.outcome is services.SignInOutcome.OK and result.user is not None:
        token = _complete(
            result.user, second_factor=False, address=address, refused_next_on=refused_next_on
        )
    db.session.commit()
    return PasswordSignIn(result.outcome, result.user, token)


def sign_in_with_code(
    user: User, code: str, *, address: str, refused_next_on: str | None = None
) -> tuple[services.SecondFactorResult, str | None]:
    """Check a second-factor code and, if it is right, sign in. Commits.

    Returns the check's result and the new session's token (None unless signed in). A locked
    account is refused before the code is looked at.
    """
    if services.is_locked(user, address):
        db.session.commit()
        return services.SecondFactorResult(ok=False, locked=True), None
    result = services.verify_second_factor(user, code, address=address)
    token = None
    if result.ok:
        token = _complete(
            user, second_factor=True, address=address, refused_next_on=refused_next_on
        )
    db.session.commit()
    return result, token


def sign_out(user: User, token: object) -> None:
    """Sign out and end the session on the server. Commits."""
    services.sign_out(user, token)
    db.session.commit()


def enable_two_factor(user: User, secret: str, code: str) -> list[str] | None:
    """Turn on two-factor sign-in if ``code`` matches; return the recovery codes. Commits.

    A wrong code is audited and committed too, and gives None.
    """
    codes = services.enable_two_factor(user, secret, code)
    db.session.commit()
    return codes


def change_password(user: User, current_password: str, new_password: str) -> str | None:
    """Change the user's password and end their other sessions. Commits.

    Returns the token of this browser's new session, or None if the current password is wrong
    (the failed attempt is audited and committed).
    """
    token = services.change_password(user, current_password, new_password)
    db.session.commit()
    return token


def regenerate_recovery_codes(user: User, password: str) -> list[str] | None:
    """Replace the user's recovery codes after re-checking the password. Commits.

    None (and a committed audit row) when the password is wrong.
    """
    codes = services.regenerate_recovery_codes(user, password)
    db.session.commit()
    return codes


def accept_invite(user: User, password: str) -> None:
    """Set the invited user's password, spending the invitation. Commits."""
    services.accept_invite(user, password)
    db.session.commit()


# Administrators --------------------------------------------------------------------------


def invite_staff_member(*, email: str, display_name: str, roles: set[Role]) -> tuple[User, str]:
    """Create an account with an invitation; return the user and the token. Commits."""
    user, token = services.invite_user(email=email, display_name=display_name, roles=roles)
    db.session.commit()
    return user, token


def reissue_invite(user: User) -> str:
    """Give ``user`` a fresh invitation (the old link stops working); return its token. Commits."""
    token = services.issue_invite(user)
    db.session.commit()
    return token


def change_roles(user: User, roles: set[Role]) -> None:
    """Give ``user`` exactly ``roles``. Commits."""
    services.change_roles(user, roles)
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate an account. Commits."""
    services.set_active(user, active)
    db.session.commit()


def set_language(user: User, language: str) -> bool:
    """Set the language of the emails the application writes to ``user``. Commits."""
    changed = services.set_language(user, language)
    db.session.commit()
    return changed
