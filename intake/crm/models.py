"""People who reached out. Personal fields are encrypted; email and phone are blind-indexed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.auth.access import PERSON_FIELD_PERMISSIONS, FieldGroup, GuardedRecord
from intake.auth.permissions import Permission
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model
from intake.security.fields import EncryptedText
from intake.vocabulary import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from intake.public.models import Inquiry


class Person(GuardedRecord, Model):
    """The prospective client. Created by the first inquiry; matched by exact email or phone."""

    __tablename__ = "people"
    field_permissions: ClassVar[Mapping[FieldGroup, Permission]] = PERSON_FIELD_PERMISSIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str | None] = mapped_column(EncryptedText())
    email: Mapped[str | None] = mapped_column(EncryptedText())
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(5), default=DEFAULT_LANGUAGE.value)
    country: Mapped[str | None] = mapped_column(String(2))

    inquiries: Mapped[list[Inquiry]] = relationship(
        back_populates="person", order_by="Inquiry.received_at"
    )

    def __repr__(self) -> str:
        return f"<Person {self.id}>"
