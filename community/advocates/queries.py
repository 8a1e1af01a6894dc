"""Reads for the programme's pages: a member's totals, rank and ledger, each in a fixed number of queries."""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..extensions import db
from . import rules
from .models import LedgerEntry

PER_PAGE = 50


@dataclass
class Standing:
    points: float
    accepted: int  # accepted answers that still count
    askers: int  # distinct askers among them
    rank: str
    next_rank: tuple[str, float, str] | None  # (name, points still to earn, what else it asks)

    @property
    def shown_points(self) -> str:
        return f"{self.points:,.1f}".replace(".0", "") if self.points % 1 else f"{int(self.points):,}"


def standing(member: User) -> Standing:
    """Lifetime points (a sum of the ledger), accepted answers and distinct askers, the rank they give. 2 queries."""
    from ..forums.models import Post, Topic

    points = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                               .where(LedgerEntry.member_id == member.id)) or 0
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    accepted, askers = db.session.execute(
        select(func.count(LedgerEntry.id), func.count(func.distinct(Topic.author_id)))
        .select_from(LedgerEntry).join(Post, Post.id == LedgerEntry.source_id).join(Topic, Topic.id == Post.topic_id)
        .where(LedgerEntry.member_id == member.id, LedgerEntry.kind == "accepted_answer",
               LedgerEntry.id.not_in(reversed_))).one()
    return Standing(float(points), accepted, askers, *rank_of(float(points), accepted, askers))


def rank_of(points: float, accepted: int, askers: int):
    """The highest rank whose thresholds are met (a gate, once set, holds for the ranks above), and the next."""
    reached, gate = rules.RANKS[0][0], (0, 0)
    for name, needed, answers, people in rules.RANKS:
        gate = (max(gate[0], answers), max(gate[1], people))
        if points >= needed and accepted >= gate[0] and askers >= gate[1]:
            reached = name
            continue
        more = []
        if accepted < gate[0] or askers < gate[1]:
            more.append(f"{gate[0]} accepted answers from {gate[1]} different people (now {accepted} from {askers})")
        return reached, (name, max(0.0, needed - points), "; ".join(more))
    return reached, None


def member_or_404(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username.lower()[:30]))
    if user is None or user.email_verified_at is None:
        abort(404)
    return user


def entries(member: User, before: int | None = None, per_page: int = PER_PAGE) -> tuple[list[LedgerEntry], int | None]:
    """The member's ledger, newest first, keyset-paged by id. 1 query (givers joined)."""
    query = select(LedgerEntry).where(LedgerEntry.member_id == member.id).options(joinedload(LedgerEntry.giver))
    if before is not None:
        query = query.where(LedgerEntry.id < before)
    rows = list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(per_page + 1)))
    return rows[:per_page], (rows[per_page - 1].id if len(rows) > per_page else None)


def sources(rows: list[LedgerEntry]) -> dict[int, LedgerEntry]:
    """The rows that reversals among `rows` take back (to link a reversal to what it reverses). 1 query."""
    ids = {row.reverses_id for row in rows if row.reverses_id}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(LedgerEntry).where(LedgerEntry.id.in_(ids)))}


@dataclass
class Recognition:
    """What an author card shows of a member's standing: rank, level, a few badges."""

    username: str
    rank: str
    level: str | None
    badges: list[str]
    title: str = ""  # "Advocate", next to the name


def recognition(users) -> dict[int, Recognition]:
    """For the authors on a page: their rank (from lifetime points and accepted answers), level and badges.
    4 queries for any number of authors (none when none of them is in the programme's scores), 5 when one of them
    belongs to the programme's audience (their title)."""
    from ..forums.models import Post, Topic
    from .levels import NAMES
    from .models import BadgeGrant, Level

    members = {user.id: user for user in users if user is not None and user.role == "member"}
    if not members:
        return {}
    ids = list(members)
    points = dict(db.session.execute(select(LedgerEntry.member_id, func.sum(LedgerEntry.points))
                                     .where(LedgerEntry.member_id.in_(ids)).group_by(LedgerEntry.member_id)).all())
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    answers = {member_id: (count, askers) for member_id, count, askers in db.session.execute(
        select(LedgerEntry.member_id, func.count(LedgerEntry.id), func.count(func.distinct(Topic.author_id)))
        .join(Post, Post.id == LedgerEntry.source_id).join(Topic, Topic.id == Post.topic_id)
        .where(LedgerEntry.member_id.in_(ids), LedgerEntry.kind == "accepted_answer",
               LedgerEntry.id.not_in(reversed_)).group_by(LedgerEntry.member_id))}
    levels = dict(db.session.execute(select(Level.user_id, Level.level).where(Level.user_id.in_(ids))).all())
    tiers = {"gold": 0, "silver": 1, "bronze": 2}
    from .badges import BY_KEY

    held: dict[int, list] = {}
    for user_id, badge, name in db.session.execute(select(BadgeGrant.user_id, BadgeGrant.badge, BadgeGrant.name)
                                                   .where(BadgeGrant.user_id.in_(ids),
                                                          BadgeGrant.revoked_at.is_(None))):
        tier = tiers.get(BY_KEY[badge].tier, 1) if badge in BY_KEY else 1
        held.setdefault(user_id, []).append((tier, name))
    from .models import Programme
    from .programme import AUDIENCE, STAGES

    inside = [user_id for user_id, user in members.items() if AUDIENCE in (user.audiences or "").split()]
    titles = dict(db.session.execute(select(Programme.user_id, Programme.stage).where(
        Programme.user_id.in_(inside), Programme.stage == "advocate")).all()) if inside else {}
    found = {}
    for user_id, user in members.items():
        accepted, askers = answers.get(user_id, (0, 0))
        rank, _ = rank_of(float(points.get(user_id) or 0), accepted, askers)
        level = levels.get(user_id)
        found[user_id] = Recognition(user.username, rank, NAMES.get(level) if level else None,
                                     [name for _, name in sorted(held.get(user_id, []))[:3]],
                                     STAGES[titles[user_id]] if user_id in titles else "")
    return found
