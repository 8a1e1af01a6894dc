"""Leaderboards: the last 30 days (so newcomers can top it), this quarter, all time; overall or per forum
category. Sums of the ledger; staff, suspended members and members who opted out are never listed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db
from .models import LedgerEntry, Preference

PERIODS = {"month": "Last 30 days", "quarter": "This quarter", "all": "All time"}
SHOWN = 20


@dataclass
class Line:
    place: int
    member: User
    points: float


def since(period: str, now: datetime | None = None) -> datetime | None:
    now = now or utcnow()
    if period == "month":
        return now - timedelta(days=30)
    if period == "quarter":
        return now.replace(month=(now.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return None


def board(period: str = "month", category=None, now: datetime | None = None, limit: int = SHOWN) -> list[Line]:
    """The top members by points earned in the period (in a category: points from its posts). 1 query."""
    from ..forums.models import Post, Topic

    total = func.sum(LedgerEntry.points).label("total")
    query = (select(User, total).join(LedgerEntry, LedgerEntry.member_id == User.id)
             .outerjoin(Preference, Preference.user_id == User.id)
             .where(User.role == "member", User.suspended_at.is_(None),
                    Preference.hidden_from_leaderboards.is_not(True)))
    start = since(period, now)
    if start is not None:
        query = query.where(LedgerEntry.created_at >= start)
    if category is not None:
        original = LedgerEntry.__table__.alias("original")  # a reversal counts where what it reverses counted
        source = func.coalesce(original.c.source_id, LedgerEntry.source_id)
        query = (query.outerjoin(original, original.c.id == LedgerEntry.reverses_id)
                 .join(Post, Post.id == source).join(Topic, Topic.id == Post.topic_id)
                 .where(func.coalesce(original.c.source_type, LedgerEntry.source_type) == "post",
                        Topic.category_id == category.id))
    rows = db.session.execute(query.group_by(User.id).having(total > 0).order_by(total.desc(), User.id)
                              .limit(limit)).all()
    return [Line(place, user, float(points)) for place, (user, points) in enumerate(rows, start=1)]


def hidden(member) -> bool:
    row = db.session.get(Preference, member.id)
    return bool(row and row.hidden_from_leaderboards)


def set_hidden(member, value: bool) -> None:
    row = db.session.get(Preference, member.id)
    if row is None:
        row = Preference(user_id=member.id)
        db.session.add(row)
    row.hidden_from_leaderboards = value
    db.session.flush()
