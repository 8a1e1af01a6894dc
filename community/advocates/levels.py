"""Impact and levels (as Orbit does): impact = Σ weight × 0.9^(whole months since the activity) over 365 days —
a private number — and a public level set by rules, each with its "because…".

  4 Exploring      registered, read, RSVP'd
  3 Participating  asked, replied or attended (or active on 2 days in one week)
  2 Contributing   ≥ 3 accepted answers from ≥ 3 askers, or volunteered or spoke (or active 7 days a month for
                   2 months)
  1 Leading        ≥ 10 accepted answers from ≥ 5 askers and thanks from ≥ 10 members, or co-hosted an event,
                   or in the advocate programme

Promotion is immediate (`refresh` after every activity); demotion only at the quarterly review
(`flask --app wsgi advocates review-levels`), never within 30 days of a promotion, and never announced.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User, Visit
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import celebrations, programme
from .ledger import counts_for
from .models import LedgerEntry, Level

NAMES = {1: "Leading", 2: "Contributing", 3: "Participating", 4: "Exploring"}
WEIGHTS = {"rsvp": 1, "asked": 2, "replied": 3, "thanks": 3, "attended": 5, "accepted_answer": 6,
           "volunteered": 8, "spoke": 10, "cohosted": 11}
YEAR = timedelta(days=365)
GRACE = timedelta(days=30)


@dataclass
class Activity:
    """What a member did in the last 365 days: (kind, when) pairs, and the facts the level rules read."""

    items: list
    accepted: int
    askers: int
    givers: int
    visit_days: list


def activity(member: User, now: datetime | None = None) -> Activity:
    from ..events.models import RSVP
    from ..forums.models import Post, Thanks, Topic

    now = now or utcnow()
    since = now - YEAR
    items = [("rsvp", at) for (at,) in db.session.execute(
        select(RSVP.created_at).where(RSVP.user_id == member.id, RSVP.created_at >= since))]
    for number_one, at in db.session.execute(select(Post.number == 1, Post.created_at).where(
            Post.author_id == member.id, Post.created_at >= since, Post.deleted_at.is_(None))):
        items.append(("asked" if number_one else "replied", at))
    latest = db.session.execute(select(Thanks.user_id, func.max(Thanks.created_at)).join(
        Post, Post.id == Thanks.post_id).where(Post.author_id == member.id, Thanks.user_id != member.id,
                                               Thanks.created_at >= since).group_by(Thanks.user_id)).all()
    items.extend(("thanks", at) for _, at in latest)  # once per distinct giver
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    ledger_rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.created_at, LedgerEntry.source_id).where(
            LedgerEntry.member_id == member.id, LedgerEntry.created_at >= since, LedgerEntry.id.not_in(reversed_),
            LedgerEntry.kind.in_(("attended", "accepted_answer", "volunteered", "spoke", "cohosted")))).all()
    items.extend((kind, at) for kind, at, _ in ledger_rows)
    accepted_posts = [source for kind, _, source in ledger_rows if kind == "accepted_answer"]
    askers = db.session.scalar(select(func.count(func.distinct(Topic.author_id))).join(
        Post, Post.topic_id == Topic.id).where(Post.id.in_(accepted_posts))) if accepted_posts else 0
    days = list(db.session.scalars(select(Visit.day).where(Visit.user_id == member.id,
                                                           Visit.day >= since.date())))
    return Activity(items, len(accepted_posts), askers, len(latest), days)


def impact(found: Activity, now: datetime | None = None) -> float:
    now = now or utcnow()
    total = 0.0
    for kind, at in found.items:
        months = _whole_months(aware(at), now)
        total += WEIGHTS[kind] * 0.9 ** months
    return round(total, 1)


def _whole_months(then: datetime, now: datetime) -> int:
    months = (now.year - then.year) * 12 + now.month - then.month
    return max(0, months - (1 if now.day < then.day else 0))


def placed(found: Activity, in_programme: bool = False) -> tuple[int, str]:
    """The level the rules give, with the sentence that says why."""
    kinds = Counter(kind for kind, _ in found.items)
    if in_programme:
        return 1, "because you are in the advocate programme"
    if kinds["cohosted"]:
        return 1, "because you co-hosted an event that took place"
    if found.accepted >= 10 and found.askers >= 5 and found.givers >= 10:
        return 1, (f"because {found.accepted} of your answers were accepted, for {found.askers} people, and "
                   f"{found.givers} members thanked you")
    if found.accepted >= 3 and found.askers >= 3:
        return 2, f"because {found.accepted} of your answers were accepted, for {found.askers} people"
    if kinds["spoke"] or kinds["volunteered"]:
        return 2, "because you " + ("spoke" if kinds["spoke"] else "volunteered") + " at an event"
    if _busy_months(found.visit_days) >= 2:
        return 2, "because you were here on 7 days a month for 2 months"
    if kinds["asked"] or kinds["replied"] or kinds["attended"]:
        did = [word for kind, word in (("asked", "asked"), ("replied", "replied"), ("attended", "attended an event"))
               if kinds[kind]]
        return 3, "because you " + " and ".join(did)
    if _busy_week(found.visit_days):
        return 3, "because you were here on 2 days in one week"
    return 4, "because you joined the community" + (" and RSVP'd to an event" if kinds["rsvp"] else "")


def _busy_week(days) -> bool:
    weeks = Counter(day.isocalendar()[:2] for day in days)
    return any(count >= 2 for count in weeks.values())


def _busy_months(days) -> int:
    months = Counter((day.year, day.month) for day in days)
    return sum(1 for count in months.values() if count >= 7)


def current(member: User) -> Level | None:
    return db.session.get(Level, member.id)


def refresh(member: User, now: datetime | None = None) -> Level | None:
    """After an activity: promote at once if the rules now place the member higher (never demote here)."""
    if not counts_for(member):
        return None
    now = now or utcnow()
    level, because = placed(activity(member, now), programme.is_advocate(member))
    row = current(member)
    if row is None:
        row = Level(user_id=member.id, level=level, because=because, promoted_at=now if level < 4 else None)
        db.session.add(row)
    elif level < row.level:
        row.level, row.because, row.promoted_at = level, because, now
        if level <= 2:  # (promotions are celebrated; demotions, at the review, never announced)
            celebrations.celebrate(member, "level", f"became a {NAMES[level]} member")
    elif level == row.level:
        row.because = because
    db.session.flush()
    return row


def review(member: User, now: datetime | None = None) -> tuple[int, int] | None:
    """The quarterly review: (old, new) when the member moved, else None. Demotion never within 30 days of a
    promotion."""
    now = now or utcnow()
    row = current(member)
    if row is None or not counts_for(member):
        return None
    level, because = placed(activity(member, now), programme.is_advocate(member))
    old = row.level
    if level < old:
        row.level, row.because, row.promoted_at = level, because, now
    elif level > old and (row.promoted_at is None or aware(row.promoted_at) <= now - GRACE):
        row.level, row.because = level, because
    row.reviewed_at = now
    db.session.flush()
    return (old, row.level) if row.level != old else None
