"""Staff account services: sign-in with lockout, two-factor, invitations, roles, passwords.

Each function changes the session and records its audit events; the caller (a view or a CLI
command) commits, so the change and its audit row land together.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import RecoveryCode, SignInThrottle, StaffSession, User
from intake.auth.network import address_key
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.security.passwords import hash_password, needs_rehash, verify_password
from intake.vocabulary import Language

INVITE_VALID_FOR = timedelta(hours=72)
TOTP_ISSUER = "Harbor Intake"


class SignInOutcome(StrEnum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


FAILURE_MEMORY = timedelta(hours=24)
KNOWN_ADDRESS_FOR = timedelta(days=30)


def _throttle_for(user: User, address: str) -> SignInThrottle | None:
    return db.session.scalar(
        select(SignInThrottle).where(
            SignInThrottle.user_id == user.id, SignInThrottle.address == address_key(address)
        )
    )


def _throttle_row(user: User, address: str) -> SignInThrottle:
    """The (account, address) counter, created on first use; a concurrent creator wins."""
    row = _throttle_for(user, address)
    if row is not None:
        return row
    row = SignInThrottle(user_id=user.id, address=address_key(address), failures=0)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = _throttle_for(user, address)
        if existing is None:
            raise
        return existing
    return row


def _known_address(row: SignInThrottle | None, now: datetime) -> bool:
    return bool(row and row.last_success_at and now - row.last_success_at < KNOWN_ADDRESS_FOR)


def locked_until(user: User, address: str) -> datetime | None:
    """When ``address`` may try again for ``user``'s account, or None if it may now.

    The address's own counter decides first; the account-wide cool-down (a flood from many
    addresses) does not apply to an address the account recently signed in from.
    """
    now = utcnow()
    row = _throttle_for(user, address)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    if user.locked_until is not None and user.locked_until > now and not _known_address(row, now):
        return user.locked_until
    return None


def is_locked(user: User, address: str) -> bool:
    return locked_until(user, address) is not None


def _count_failure(user: User, address: str) -> tuple[int, bool]:
    """Count a failed password or code; return (failures from this address, now locked?).

    From one address, LOGIN_MAX_FAILURES failures lock it for LOGIN_LOCKOUT_FIRST_SECONDS,
    and each further one doubles the wait up to LOGIN_LOCKOUT_MINUTES. Across all addresses,
    LOGIN_ACCOUNT_MAX_FAILURES start a short account-wide cool-down.
    """
    config = current_app.config
    now = utcnow()
    row = _throttle_row(user, address)
    if row.last_failure_at is not None and now - row.last_failure_at > FAILURE_MEMORY:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    locked = False
    over = row.failures - int(config["LOGIN_MAX_FAILURES"])
    if over >= 0:
        cap = 60 * int(config["LOGIN_LOCKOUT_MINUTES"])
        seconds = min(int(config["LOGIN_LOCKOUT_FIRST_SECONDS"]) * 2 ** min(over, 20), cap)
        row.locked_until = now + timedelta(seconds=seconds)
        locked = True
        record(
            AuditTag.LOGIN_LOCKED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"scope": "address", "seconds": seconds, "failures": row.failures},
        )
    user.failed_logins += 1
    if user.failed_logins >= int(config["LOGIN_ACCOUNT_MAX_FAILURES"]):
        minutes = int(config["LOGIN_ACCOUNT_COOLDOWN_MINUTES"])
        user.locked_until = now + timedelta(minutes=minutes)
        user.failed_logins = 0
        locked = locked or not _known_address(row, now)
        record(
            AuditTag.LOGIN_LOCKED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"scope": "account", "minutes": minutes},
        )
    return row.failures, locked


def check_password_sign_in(email: str, password: str, *, address: str) -> SignInResult:
    """Check a password, counting failures per account and client address.

    Unknown users and wrong passwords give the same outcome, so the form cannot be used to
    find out who has an account.
    """
    user = find_user_by_email(email)
    if user is None:
        verify_password(None, password)
        record(AuditTag.LOGIN_FAILED, detail={"reason": "unknown_user"})
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if is_locked(user, address):
        record(AuditTag.LOGIN_LOCKED, target_type="user", target_id=user.id, actor_id=user.id)
        return SignInResult(SignInOutcome.LOCKED, user)
    if not verify_password(user.password_hash, password):
        failures, locked = _count_failure(user, address)
        record(
            AuditTag.LOGIN_FAILED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"reason": "wrong_password", "failures": failures},
        )
        if locked:
            return SignInResult(SignInOutcome.LOCKED, user)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not user.active:
        record(
            AuditTag.LOGIN_FAILED,
            target_type="user",
            target_id=user.id,
            actor_id=user.id,
            detail={"reason": "deactivated"},
        )
        return SignInResult(SignInOutcome.DEACTIVATED, user)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # Counters are cleared only once every factor has passed (complete_sign_in).
    if user.two_factor_enabled:
        return SignInResult(SignInOutcome.NEEDS_SECOND_FACTOR, user)
    return SignInResult(SignInOutcome.OK, user)


def complete_sign_in(user: User, *, second_factor: bool, address: str) -> str:
    """Record a successful sign-in once every factor has been checked; open its session.

    Returns the new session's token, for the cookie.
    """
    now = utcnow()
    user.last_login_at = now
    user.failed_logins = 0
    user.locked_until = None
    row = _throttle_row(user, address)
    row.failures = 0
    row.locked_until = None
    row.last_success_at = now
    record(
        AuditTag.LOGIN_SUCCEEDED,
        target_type="user",
        target_id=user.id,
        actor_id=user.id,
        detail={"second_factor": second_factor},
    )
    return open_staff_session(user)


# Server-side sessions ---------------------------------------------------------------------

SESSION_ROWS_KEPT_FOR = timedelta(days=30)


def open_staff_session(user: User) -> str:
    """Start a server-side session for ``user``; return the token the cookie will carry.

    Only the token's hash is stored. Rows of this user that ended long ago are removed.
    """
    now = utcnow()
    cutoff = now - SESSION_ROWS_KEPT_FOR
    db.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id,
            or_(StaffSession.ended_at < cutoff, StaffSession.expires_at < cutoff),
        )
    )
    token = secrets.token_urlsafe(32)
    hours = int(current_app.config["SESSION_ABSOLUTE_HOURS"])
    db.session.add(
        StaffSession(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def staff_session_problem(user_id: int, token: object) -> str | None:
    """None when ``token`` names a live session of ``user_id``; else why it does not."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return "missing"
    row = db.session.scalar(
        select(StaffSession).where(StaffSession.token_hash == _token_hash(token))
    )
    if row is None or row.user_id != user_id:
        return "unknown"
    if row.ended_at is not None:
        return f"ended_{row.end_reason or 'unknown'}"
    if row.expires_at <= utcnow():
        return "ended_expired"
    return None


def end_staff_session(token: object, reason: str) -> None:
    """End one session (sign-out, expiry): its cookie opens nothing from now on."""
    if not isinstance(token, str) or not token:
        return
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all_sessions(user: User, reason: str) -> int:
    """End every live session of ``user``; return how many there were."""
    result = db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out(user: User, token: object) -> None:
    """Sign out: audited, and the session ends on the server, not just in this browser."""
    record(AuditTag.LOGOUT, target_type="user", target_id=user.id)
    end_staff_session(token, "logout")


# Two-factor -------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def qr_code_svg_data_uri(uri: str) -> str:
    """An SVG QR code as a data URI, made locally (no third-party service sees the secret)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def _accept_totp(secret: str, code: str, last_step: int | None) -> int | None:
    """Return the accepted time step, or None. A step is used once, so a code cannot replay."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # "١٢٣٤٥٦" is isdigit too
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // totp.interval
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def enable_two_factor(user: User, secret: str, code: str) -> list[str] | None:
    """Turn on TOTP for ``user`` when ``code`` proves their app holds ``secret``.

    Returns ten fresh recovery codes to show once, or None if the code was wrong.
    """
    step = _accept_totp(secret, code, None)
    if step is None:
        record(AuditTag.TWO_FACTOR_FAILED, target_type="user", target_id=user.id, actor_id=user.id)
        return None
    user.totp_secret = secret  # encrypted by the column type
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    record(AuditTag.TWO_FACTOR_ENROLLED, target_type="user", target_id=user.id, actor_id=user.id)
    return issue_recovery_codes(user)


@dataclass(frozen=True)
class SecondFactorResult:
    ok: bool
    locked: bool = False
    used_recovery_code: bool = False
    recovery_codes_left: int = 0


def verify_second_factor(user: User, code: str, *, address: str) -> SecondFactorResult:
    """Check a TOTP code, or a recovery code, at sign-in; failures count like passwords."""
    cleaned = "".join(code.split())
    if cleaned.isdigit() and len(cleaned) == 6:
        secret = user.totp_secret
        if secret is not None:
            step = _accept_totp(secret, cleaned, user.totp_last_step)
            if step is not None:
                user.totp_last_step = step
                return SecondFactorResult(ok=True)
    elif use_recovery_code(user, cleaned):
        return SecondFactorResult(
            ok=True, used_recovery_code=True, recovery_codes_left=recovery_codes_left(user)
        )
    failures, locked = _count_failure(user, address)
    record(
        AuditTag.TWO_FACTOR_FAILED,
        target_type="user",
        target_id=user.id,
        actor_id=user.id,
        detail={"failures": failures},
    )
    return SecondFactorResult(ok=False, locked=locked)


# Recovery codes ---------------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
RECOVERY_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def _normalise_recovery_code(text: str) -> str | None:
    code = "".join(text.split()).replace("-", "").lower()
    if len(code) != RECOVERY_CODE_LENGTH or any(c not in RECOVERY_CODE_ALPHABET for c in code):
        return None
    return code


def _recovery_code_hash(user_id: int, code: str) -> str:
    # Keyed, and bound to the account: a copied table gives neither the codes nor a way to
    # test guesses offline.
    key = str(current_app.config["BLIND_INDEX_KEY"]).encode()
    message = f"recovery-code:{user_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with ten new ones; return them to show once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_code_hash(user.id, code))
        for code in codes
    )
    record(
        AuditTag.RECOVERY_CODES_ISSUED,
        target_type="user",
        target_id=user.id,
        detail={"count": len(codes)},
    )
    half = RECOVERY_CODE_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def use_recovery_code(user: User, text: str) -> bool:
    """Spend one recovery code (each works once, even when two requests race)."""
    code = _normalise_recovery_code(text)
    if code is None:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_code_hash(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record(
        AuditTag.RECOVERY_CODE_USED,
        target_type="user",
        target_id=user.id,
        actor_id=user.id,
        detail={"left": recovery_codes_left(user)},
    )
    return True


def regenerate_recovery_codes(user: User, password: str) -> list[str] | None:
    """New recovery codes after re-checking the password; None if the password is wrong."""
    if not verify_password(user.password_hash, password):
        record(
            AuditTag.TWO_FACTOR_FAILED,
            target_type="user",
            target_id=user.id,
            detail={"reason": "recovery_codes_password"},
        )
        return None
    return issue_recovery_codes(user)


# Accounts ---------------------------------------------------------------------------------


def create_user(
    *, email: str, display_name: str, roles: set[Role], password: str | None = None
) -> User:
    """Create a staff account; without a password it can only be entered through an invite."""
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password) if password else None,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    record(
        AuditTag.USER_CREATED,
        target_type="user",
        target_id=user.id,
        detail={"roles": ",".join(sorted(roles))},
    )
    return user


def email_taken(email: str) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == normalise_email(email))
        )
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(*, email: str, display_name: str, roles: set[Role]) -> tuple[User, str]:
    """Create an account with a one-time invitation token; return the user and the token.

    Only the token's hash is stored, so a copy of the database cannot be used to accept it.
    """
    user = create_user(email=email, display_name=display_name, roles=roles)
    token = issue_invite(user)
    return user, token


def issue_invite(user: User) -> str:
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = _token_hash(token)
    user.invite_expires_at = utcnow() + INVITE_VALID_FOR
    record(AuditTag.USER_INVITED, target_type="user", target_id=user.id)
    return token


def user_for_invite(token: str) -> User | None:
    """The user a live invitation token belongs to, or None if unknown or expired."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.invite_token_hash == _token_hash(token)))
    if user is None or user.invite_expires_at is None or user.invite_expires_at < utcnow():
        return None
    return user


def accept_invite(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.session_version += 1
    end_all_sessions(user, "password_set")
    record(AuditTag.INVITE_ACCEPTED, target_type="user", target_id=user.id, actor_id=user.id)


def change_password(user: User, current_password: str, new_password: str) -> str | None:
    """Change a password after re-checking the current one.

    Every session of the user ends on the server, this one included; the returned token opens
    the new session this browser goes on with. None when the current password is wrong.
    """
    if not verify_password(user.password_hash, current_password):
        record(AuditTag.PASSWORD_CHANGE_FAILED, target_type="user", target_id=user.id)
        return None
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    ended = end_all_sessions(user, "password_changed")
    record(AuditTag.PASSWORD_CHANGED, target_type="user", target_id=user.id)
    record(
        AuditTag.SESSIONS_ENDED,
        target_type="user",
        target_id=user.id,
        detail={"reason": "password_changed", "sessions": ended},
    )
    return open_staff_session(user)


def set_active(user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    # Ending live sessions is immediate: the loader refuses inactive users on every request,
    # and the server-side rows end too, so reactivation does not revive an old cookie.
    user.session_version += 1
    ended = 0 if active else end_all_sessions(user, "deactivated")
    record(
        AuditTag.USER_REACTIVATED if active else AuditTag.USER_DEACTIVATED,
        target_type="user",
        target_id=user.id,
        detail={} if active else {"sessions_ended": ended},
    )


def change_roles(user: User, roles: set[Role]) -> None:
    before = user.roles
    if before == roles:
        return
    user.set_roles(roles)
    record(
        AuditTag.USER_ROLES_CHANGED,
        target_type="user",
        target_id=user.id,
        detail={"before": ",".join(sorted(before)), "after": ",".join(sorted(roles))},
    )


def count_active_admins() -> int:
    from intake.auth.models import UserRole

    return (
        db.session.scalar(
            select(func.count(func.distinct(User.id)))
            .join(UserRole)
            .where(User.active.is_(True), UserRole.role == Role.ADMIN.value)
        )
        or 0
    )


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.display_name)).all())


def set_language(user: User, language: str) -> bool:
    """Set the language of the emails written to ``user``; False (nothing changed) for a code
    that is not a :class:`~intake.vocabulary.Language`. The caller commits."""
    if language not in Language.codes():
        return False
    user.language = language
    return True
