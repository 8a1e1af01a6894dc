"""Tables of the shared kernel."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import utcnow


class MailMessage(db.Model):
    """The mail outbox: written in the request's transaction, sent after commit, kept as the record of what went out."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Text attachments ([{"filename", "content_type", "text"}]): an event's .ics invitation.
    attachments: Mapped[list | None] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class UsedToken(db.Model):
    """Single-use tokens: a token's digest is written here when it is spent, and a second use is refused."""

    __tablename__ = "used_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchOutbox(db.Model):
    """Search-index work: written in the same transaction as the change, applied to the index after the commit by
    whichever process takes the index's writer lock, and deleted only once applied (so a crash loses nothing).

    A row names a document (`post:12`, `thread:3`, `member:7`); applying it reads that document's current state from
    the database, so rows may be applied twice or out of order with the same result."""

    __tablename__ = "search_outbox"
    # SQLite would give a deleted row's id to the next row; a process that read ids 1-3 and then waited for the
    # lock would later delete someone else's new rows 1-3 with its own. AUTOINCREMENT never reuses an id.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
