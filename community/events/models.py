"""Event tables: chapters, events, hosts, RSVPs (the seats ledger), the audit log, invitations, series, reminders,
planning tasks and survey answers.

`events.seats_taken` is the ledger's running total: only `seats.take` / `seats.release` change it, with one
conditional UPDATE in the same transaction as the RSVP row (see seats.py)."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db

KINDS = ("in_person", "online", "hybrid")
VISIBILITIES = ("public", "members")
JOIN_POLICIES = ("open", "approval", "invite")
STATUSES = ("draft", "published", "cancelled")
WAITLIST_MODES = ("auto", "offer")
HOST_ROLES = ("host", "cohost", "helper")
# RSVP states. Seats are held by going, offered and checked_in (1 + guests each).
STATES = ("going", "not_going", "waitlisted", "offered", "pending", "cancelled", "checked_in", "no_show")
HOLDING = ("going", "offered", "checked_in")
WAITING = ("waitlisted", "offered")
TASK_STATUSES = ("todo", "doing", "done")

chapter_organisers = Table(
    "chapter_organisers",
    db.metadata,
    Column("chapter_id", ForeignKey("chapters.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Chapter(db.Model):
    """A meetup group: a city's customers, or an online group around a topic."""

    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    city: Mapped[str | None] = mapped_column(String(80))  # None: an online or topic chapter
    topic: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisers: Mapped[list[User]] = relationship(secondary=chapter_organisers, order_by=User.id)


class ChapterMember(db.Model):
    __tablename__ = "chapter_members"

    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Series(db.Model):
    """A recurring series: an RRULE on local wall time in `time_zone`; each occurrence is a real Event."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))  # RRULE text without DTSTART, e.g. FREQ=WEEKLY;COUNT=10
    time_zone: Mapped[str] = mapped_column(String(64))
    first_local: Mapped[datetime] = mapped_column(DateTime)  # the first occurrence's wall time (naive, local)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("seats_taken >= 0", name="seats_not_negative"),
        Index("ix_events_listing", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapters.id", ondelete="SET NULL"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id", ondelete="SET NULL"), index=True)
    series_index: Mapped[int | None] = mapped_column(Integer)  # 0, 1, 2… within the series
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="in_person")
    venue: Mapped[str] = mapped_column(String(200), default="")  # shown to all: "Kulturbrauerei, Berlin"
    address: Mapped[str] = mapped_column(Text, default="")  # shown only to those going
    online_url: Mapped[str] = mapped_column(String(500), default="")  # shown only to those going
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_start: Mapped[datetime] = mapped_column(DateTime)  # wall time in time_zone, as entered (naive)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_guests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rsvp_opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rsvp_closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    join_policy: Mapped[str] = mapped_column(String(10), default="open")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    waitlist_mode: Mapped[str] = mapped_column(String(10), default="auto")
    claim_hours: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    offer_cutoff_hours: Mapped[int | None] = mapped_column(Integer, default=48)  # offers, not auto-confirm, inside
    final_cutoff_hours: Mapped[int] = mapped_column(Integer, default=2, server_default="2")  # no promotion inside
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # iCalendar SEQUENCE
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no-shows marked (close-past)
    survey_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    chapter: Mapped[Chapter | None] = relationship()
    series: Mapped[Series | None] = relationship()
    hosts: Mapped[list["EventHost"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                    order_by="EventHost.position")

    @property
    def is_online(self) -> bool:
        return self.kind in ("online", "hybrid")

    @property
    def is_in_person(self) -> bool:
        return self.kind in ("in_person", "hybrid")

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


class EventHost(db.Model):
    """Hosts and co-hosts lead the event (usually advocates); helpers check people in at the door."""

    __tablename__ = "event_hosts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), default="cohost")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="hosts")
    user: Mapped[User] = relationship()


class RSVP(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_rsvps_event_member"),
        CheckConstraint("guests >= 0", name="guests_not_negative"),
        Index("ix_rsvps_queue", "event_id", "state", "priority", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    guests: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first in the queue (organisers set it)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # join time on the waitlist
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ticket_secret: Mapped[str] = mapped_column(String(43), unique=True)  # the QR code at the door
    show_in_list: Mapped[bool] = mapped_column(default=False)  # opt-in: other attendees see my name
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    walk_in: Mapped[bool] = mapped_column(default=False)
    contribution: Mapped[str | None] = mapped_column(String(12))  # "volunteered" or "spoke", confirmed by a host
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def seats(self) -> int:
        return 1 + self.guests


class EventLog(db.Model):
    """The event's audit log: who did what to whom, when and why (organiser overrides, offers that expired)."""

    __tablename__ = "event_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    member: Mapped[User | None] = relationship(foreign_keys=[member_id])


class Invitation(db.Model):
    """A personal invite link: it lets one person RSVP to an invite-only event, skipping approval."""

    __tablename__ = "event_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who used it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CalendarFeed(db.Model):
    """The secret token of a member's personal calendar feed (regenerating it retires the old address)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderSent(db.Model):
    """One row per reminder sent: (RSVP, kind, the start it was about). A moved event is a new start: reminded
    again; running the command twice finds the row and sends nothing."""

    __tablename__ = "event_reminders_sent"
    __table_args__ = (UniqueConstraint("rsvp_id", "kind", "starts_at", name="uq_reminder_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # "7d", "1d", "survey"
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Task(db.Model):
    """A planning task, due `offset_days` from the event's start (moving the event moves it)."""

    __tablename__ = "event_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    offset_days: Mapped[int] = mapped_column(Integer, default=0)  # -45: 45 days before the start
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="todo")
    notes: Mapped[str] = mapped_column(Text, default="")
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)

    assignee: Mapped[User | None] = relationship()


class SurveyAnswer(db.Model):
    """"How likely are you to recommend…?" (0-10) and a comment, once per checked-in attendee."""

    __tablename__ = "event_survey_answers"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_survey_once"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_0_to_10"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
