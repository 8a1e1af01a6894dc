"""The advocate programme's one ledger: every recognised contribution is a row; totals are sums."""

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db


class LedgerEntry(db.Model):
    """(member, kind, points, source, giver, created_at), append-only. `key` is unique per member — kind, source,
    giver and the award's occurrence — so a double click awards once; a reversal is a new row (kind "reversal")
    whose `reverses_id` names the row it takes back, and an award given again after a reversal (an answer accepted
    once more) is the next occurrence."""

    __tablename__ = "advocate_ledger"
    __table_args__ = (
        UniqueConstraint("member_id", "key", name="uq_advocate_ledger_once"),
        Index("ix_advocate_ledger_member_time", "member_id", "created_at"),
        Index("ix_advocate_ledger_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    points: Mapped[float] = mapped_column(Float)  # halves at most (thanks from a new account: 0.5)
    source_type: Mapped[str] = mapped_column(String(20))  # post, event, award, entry
    source_id: Mapped[int] = mapped_column()
    giver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("advocate_ledger.id", ondelete="SET NULL"),
                                                    unique=True)
    key: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")  # a manager's reason; why a row counts less or nothing
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    giver: Mapped[User | None] = relationship(foreign_keys=[giver_id])


class StarAction(db.Model):
    """What a manager did about a rising star: invited them, offered a task, "not now" (snoozed for 60 days) or
    dismissed — always with who, when and why. The queue leaves out snoozed and dismissed members."""

    __tablename__ = "advocate_star_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # invite, task, snooze, dismiss
    message: Mapped[str] = mapped_column(Text, default="")  # the personal message, the task, or the reason
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a snooze's end
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class Preference(db.Model):
    """A member's choices about the programme: leaving the public leaderboards."""

    __tablename__ = "advocate_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    hidden_from_leaderboards: Mapped[bool] = mapped_column(default=False)


class Level(db.Model):
    """A member's level (1 Leading … 4 Exploring) and the rule that placed them there. Promotion is immediate;
    demotion waits for the quarterly review and never comes within 30 days of a promotion."""

    __tablename__ = "advocate_levels"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(default=4)
    because: Mapped[str] = mapped_column(Text, default="")
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BadgeGrant(db.Model):
    """A badge a member holds (or held: `revoked_at` once its basis was taken back). Automatic badges are granted
    and revoked by their rule; manual ones by a manager, with a reason."""

    __tablename__ = "advocate_badges"
    __table_args__ = (Index("ix_advocate_badges_badge", "badge", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    badge: Mapped[str] = mapped_column(String(60))  # a key of badges.BADGES, or "manual:<slug>"
    name: Mapped[str] = mapped_column(String(80))  # a manual badge's name
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Celebration(db.Model):
    """Something to celebrate, shown on the spotlight page and the home page's strip: a badge, a level, hosting an
    event, or a customer's own milestone entered by a manager — shown only once the member agreed."""

    __tablename__ = "advocate_celebrations"
    __table_args__ = (Index("ix_advocate_celebrations_shown", "shown_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # badge, level, cohost, milestone
    text: Mapped[str] = mapped_column(String(200))  # "earned the Host badge", "went live with Harbor"
    link: Mapped[str] = mapped_column(String(300), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    shown_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: waiting for consent
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    member: Mapped[User] = relationship(foreign_keys=[member_id])


class Programme(db.Model):
    """A member's place in the advocate programme: their stage (spotted → nominated/applied → invited → onboarding →
    advocate → alumni, or declined), the onboarding checklist (code of conduct, mentor, first task within 14 days)
    and the yearly renewal. Every change of stage is a `StageChange` row: who, when, why."""

    __tablename__ = "advocate_programme"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    stage_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    invitation: Mapped[str] = mapped_column(Text, default="")  # the manager's personal message
    onboarding_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conduct_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_task: Mapped[str] = mapped_column(Text, default="")
    first_task_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    advocate_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    renewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the last yearly review kept them

    member: Mapped[User] = relationship(foreign_keys=[user_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])


class StageChange(db.Model):
    """One move in the programme, with who made it and why (a nomination, an application, a manager's reason)."""

    __tablename__ = "advocate_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    why: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class Nomination(db.Model):
    """A member's nomination of another for the programme, with their reason; once per nominator and nominee."""

    __tablename__ = "advocate_nominations"
    __table_args__ = (UniqueConstraint("nominee_id", "nominator_id", name="uq_advocate_nominations_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nominator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    nominee: Mapped[User] = relationship(foreign_keys=[nominee_id])
    nominator: Mapped[User] = relationship(foreign_keys=[nominator_id])
