"""Rising stars (managers only) and the ring detector. Scores nominate, managers decide.

Over the last 30 days, for each non-staff member m:
  A accepted answers (asker ≠ m), U distinct askers among them, T = Σ over givers of min(2, thanks) × w(giver),
  G distinct givers, D distinct days active, P replies posted, E event credit (from the ledger).
  helpful = 10·A + 2·T + E;  efficiency = (10·A + 2·T) / (5 + P);  rising = helpful × min(1, U/3) × min(1, D/4)
  listed only if A ≥ 2, U ≥ 2, G ≥ 3, D ≥ 3, no upheld flag in 90 days, not in a ring, not snoozed or dismissed.
Ring: a pair with ≥ 5 thanks each way in 30 days making ≥ 40 % of either's thanks received; three or more
accounts joined by such pairs are one ring. Shown to managers, never punishing by itself.

Every figure comes from a fixed number of grouped queries, whatever the community's size.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from ..accounts.models import User, Visit
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import rules
from .models import LedgerEntry, Programme, StarAction

WINDOW = timedelta(days=30)
FLAG_QUIET = timedelta(days=90)
SHOWN = 5
RING_THANKS, RING_SHARE = 5, 0.4
EVENT_KINDS = {"attended": "attended", "volunteered": "volunteered at", "spoke": "spoke at",
               "cohosted": "co-hosted"}


@dataclass
class Star:
    member: User
    accepted: int = 0  # A
    askers: int = 0  # U
    thanks: float = 0.0  # T
    givers: int = 0  # G
    days: int = 0  # D
    replies: int = 0  # P
    events: float = 0.0  # E
    event_counts: dict = field(default_factory=dict)
    flagged: bool = False
    in_ring: bool = False

    @property
    def helpful(self) -> float:
        return 10 * self.accepted + 2 * self.thanks + self.events

    @property
    def efficiency(self) -> float:
        return (10 * self.accepted + 2 * self.thanks) / (5 + self.replies)

    @property
    def rising(self) -> float:
        return self.helpful * min(1, self.askers / 3) * min(1, self.days / 4)

    def passes_gates(self) -> bool:
        return (self.accepted >= 2 and self.askers >= 2 and self.givers >= 3 and self.days >= 3
                and not self.flagged and not self.in_ring)

    def evidence(self) -> str:
        """"3 accepted answers for 3 people, thanks from 6 members, co-hosted 1 meetup, active 9 days"."""
        parts = [f"{self.accepted} accepted {'answer' if self.accepted == 1 else 'answers'} for {self.askers} "
                 f"{'person' if self.askers == 1 else 'people'}",
                 f"thanks from {self.givers} {'member' if self.givers == 1 else 'members'}"]
        for kind, verb in EVENT_KINDS.items():
            count = self.event_counts.get(kind, 0)
            if count:
                parts.append(f"{verb} {count} {'event' if count == 1 else 'events'}")
        parts.append(f"active {self.days} {'day' if self.days == 1 else 'days'}")
        return ", ".join(parts)


def _not_reversed():
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return LedgerEntry.id.not_in(reversed_)


def _members(ids) -> dict[int, User]:
    """Members who count: not staff, not suspended, confirmed."""
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(
        User.id.in_(ids), User.role == "member", User.suspended_at.is_(None), User.email_verified_at.is_not(None)))}


def thanks_pairs(since: datetime) -> dict[tuple[int, int], int]:
    """(giver, recipient) → thanks in the window, on posts that stand. 1 query."""
    from ..forums.models import Post, Thanks

    rows = db.session.execute(
        select(Thanks.user_id, Post.author_id, func.count()).join(Post, Post.id == Thanks.post_id)
        .where(Thanks.created_at >= since, Post.deleted_at.is_(None), Thanks.user_id != Post.author_id)
        .group_by(Thanks.user_id, Post.author_id))
    return {(giver, recipient): count for giver, recipient, count in rows}


def rings(pairs: dict[tuple[int, int], int]) -> list[set[int]]:
    """Groups of accounts thanking each other (see the module's rule); pairs alone are groups of two."""
    received = defaultdict(int)
    for (_, recipient), count in pairs.items():
        received[recipient] += count
    linked = defaultdict(set)
    for (a, b), there in pairs.items():
        back = pairs.get((b, a), 0)
        if a < b and there >= RING_THANKS and back >= RING_THANKS and (
                there / received[b] >= RING_SHARE or back / received[a] >= RING_SHARE):
            linked[a].add(b)
            linked[b].add(a)
    groups, seen = [], set()
    for start in linked:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            member = todo.pop()
            if member not in group:
                group.add(member)
                todo.extend(linked[member] - group)
        seen |= group
        groups.append(group)
    return groups


def stars(now: datetime | None = None, limit: int | None = SHOWN) -> tuple[list[Star], list[set[int]]]:
    """The queue (top `limit` by rising, ties by efficiency) and the rings found. A fixed number of queries."""
    from ..forums.models import Flag, Post, Topic

    now = now or utcnow()
    since = now - WINDOW
    accepted = db.session.execute(
        select(LedgerEntry.member_id, func.count(LedgerEntry.id), func.count(func.distinct(Topic.author_id)))
        .join(Post, Post.id == LedgerEntry.source_id).join(Topic, Topic.id == Post.topic_id)
        .where(LedgerEntry.kind == "accepted_answer", LedgerEntry.created_at >= since, _not_reversed(),
               Topic.author_id != LedgerEntry.member_id)
        .group_by(LedgerEntry.member_id)).all()
    pairs = thanks_pairs(since)
    found_rings = rings(pairs)
    members = _members({member_id for member_id, _, _ in accepted})
    board = {member_id: Star(members[member_id], accepted=a, askers=u) for member_id, a, u in accepted
             if member_id in members}
    if not board:
        return [], found_rings
    ids = list(board)
    weights = _weights({giver for giver, recipient in pairs if recipient in board}, now)
    for (giver, recipient), count in pairs.items():
        if recipient in board:
            board[recipient].thanks += min(rules.PAIR_CAP, count) * weights.get(giver, 1.0)
            board[recipient].givers += 1
    for user_id, days in db.session.execute(select(Visit.user_id, func.count()).where(
            Visit.user_id.in_(ids), Visit.day >= since.date()).group_by(Visit.user_id)):
        board[user_id].days = days
    for author_id, replies in db.session.execute(select(Post.author_id, func.count()).where(
            Post.author_id.in_(ids), Post.number > 1, Post.created_at >= since, Post.deleted_at.is_(None))
            .group_by(Post.author_id)):
        board[author_id].replies = replies
    for member_id, kind, count, total in db.session.execute(
            select(LedgerEntry.member_id, LedgerEntry.kind, func.count(), func.sum(LedgerEntry.points))
            .where(LedgerEntry.member_id.in_(ids), LedgerEntry.kind.in_(list(EVENT_KINDS)),
                   LedgerEntry.created_at >= since, _not_reversed())
            .group_by(LedgerEntry.member_id, LedgerEntry.kind)):
        board[member_id].events += total
        board[member_id].event_counts[kind] = count
    for (author_id,) in db.session.execute(select(Post.author_id).join(Flag, Flag.post_id == Post.id).where(
            Post.author_id.in_(ids), Flag.resolution == "agreed", Flag.resolved_at >= now - FLAG_QUIET).distinct()):
        board[author_id].flagged = True
    ringed = set().union(*found_rings) if found_rings else set()
    for member_id in ringed & set(board):
        board[member_id].in_ring = True
    decided = _decided(ids, now)
    ranked = sorted((star for star in board.values() if star.passes_gates() and star.member.id not in decided),
                    key=lambda star: (-star.rising, -star.efficiency, star.member.id))
    return (ranked[:limit] if limit else ranked), found_rings


def _weights(ids, now: datetime) -> dict[int, float]:
    """w(giver) for many givers at once (ledger.weight's rule): 3 queries."""
    from ..core.permissions import rank
    from ..forums.models import Post

    if not ids:
        return {}
    posts = dict(db.session.execute(select(Post.author_id, func.count()).where(
        Post.author_id.in_(ids), Post.deleted_at.is_(None)).group_by(Post.author_id)).all())
    advocates = set(db.session.scalars(select(Programme.user_id).where(Programme.user_id.in_(ids),
                                                                       Programme.stage == "advocate")))
    weights = {}
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        if rank(user.role) >= rank("moderator") or user.id in advocates:
            weights[user.id] = 1.5
        elif aware(user.created_at) > now - timedelta(days=rules.NEW_ACCOUNT_DAYS) or \
                posts.get(user.id, 0) < rules.NEW_ACCOUNT_POSTS:
            weights[user.id] = 0.25
        else:
            weights[user.id] = 1.0
    return weights


def _decided(ids, now: datetime) -> set[int]:
    """Members a manager dismissed, invited, or snoozed until later than now, and those already invited into the
    programme, onboarding or advocates."""
    from .programme import TAKEN

    rows = db.session.execute(select(StarAction.member_id).where(StarAction.member_id.in_(ids), or_(
        StarAction.action.in_(("dismiss", "invite")), and_(StarAction.action == "snooze", StarAction.until > now))))
    inside = db.session.scalars(select(Programme.user_id).where(Programme.user_id.in_(ids),
                                                                Programme.stage.in_(TAKEN)))
    return {member_id for (member_id,) in rows} | set(inside)


def ring_members(groups: list[set[int]]) -> list[list[User]]:
    """The rings' accounts, for the managers' page (staff included: a ring is a ring). 1 query."""
    ids = set().union(*groups) if groups else set()
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [sorted((users[i] for i in group if i in users), key=lambda user: user.username) for group in groups]


def snoozed_until(now: datetime) -> datetime:
    return aware(now) + timedelta(days=60)
