"""Members: who they are, how they sign in, what role they hold."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    username_key: Mapped[str] = mapped_column(String(30), unique=True)  # lower-cased: names are case-blind
    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(80))
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    role: Mapped[str] = mapped_column(String(20), default="member", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Part of every session and remember-me cookie: raising it signs the member out everywhere.
    auth_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Trust levels 0-4 (forums/trust.py computes 0-3 from activity; staff grant 4 or lock a level).
    trust_level: Mapped[int] = mapped_column(default=0, server_default="0")
    trust_level_locked: Mapped[bool] = mapped_column(default=False, server_default="0")
    trust_grace_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # TL3 below 90 % since
    # Mail about forum activity: "immediate", "digest" (daily) or "none".
    email_notifications: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")  # the bell, without a query
    # How often this member's flags were upheld by moderators (flagger accuracy).
    flags_agreed: Mapped[int] = mapped_column(default=0, server_default="0")
    flags_disagreed: Mapped[int] = mapped_column(default=0, server_default="0")
    # The audiences (core.permissions.AUDIENCES) whose private spaces this member enters, space-separated: written
    # by the area that decides (the advocate programme), read without a query on every page.
    audiences: Mapped[str] = mapped_column(String(100), default="", server_default="")

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.suspended_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Visit(db.Model):
    """One row per member per day they used the portal signed in (trust levels count days visited)."""

    __tablename__ = "user_visits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
