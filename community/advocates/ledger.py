"""Every write to the ledger: award (once, whatever the double clicks) and reverse (a new row). Services flush and
never commit; the receivers call them inside the forums' and events' transactions."""

from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.errors import Invalid
from ..core.permissions import has_role
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import rules
from .models import LedgerEntry


def counts_for(member: User) -> bool:
    """Staff (moderators, managers, admins) and suspended accounts earn nothing: they are excluded everywhere."""
    return member is not None and member.suspended_at is None and not has_role(member, "moderator") and \
        member.role == "member"


def _key(kind: str, source_type: str, source_id: int, giver_id: int | None, occurrence: int) -> str:
    return f"{kind}:{source_type}:{source_id}:{giver_id or '-'}:{occurrence}"


def live(member_id: int, kind: str, source_type: str, source_id: int, giver_id: int | None = None):
    """The rows of this award not taken back yet (newest first)."""
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    query = select(LedgerEntry).where(LedgerEntry.member_id == member_id, LedgerEntry.kind == kind,
                                      LedgerEntry.source_type == source_type, LedgerEntry.source_id == source_id,
                                      LedgerEntry.id.not_in(reversed_))
    if giver_id is not None:
        query = query.where(LedgerEntry.giver_id == giver_id)
    return list(db.session.scalars(query.order_by(LedgerEntry.id.desc())))


def award(member: User, kind: str, points: float, source_type: str, source_id: int, *, giver: User | None = None,
          note: str = "", when: datetime | None = None) -> LedgerEntry | None:
    """Write the award unless it stands already (a double click, a second signal): then None. An award taken back
    before may be given again (its next occurrence)."""
    if not counts_for(member):
        return None
    giver_id = giver.id if giver is not None else None
    if live(member.id, kind, source_type, source_id, giver_id):
        return None
    given_before = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.member_id == member.id, LedgerEntry.kind == kind, LedgerEntry.source_type == source_type,
        LedgerEntry.source_id == source_id, LedgerEntry.giver_id.is_(giver_id) if giver_id is None
        else LedgerEntry.giver_id == giver_id))
    entry = LedgerEntry(member_id=member.id, kind=kind, points=points, source_type=source_type,
                        source_id=source_id, giver_id=giver_id, note=note,
                        key=_key(kind, source_type, source_id, giver_id, given_before),
                        created_at=when or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # the same award, written a moment ago by another request
        return None
    return entry


def reverse(entry: LedgerEntry, note: str, when: datetime | None = None) -> LedgerEntry | None:
    """Take an entry back with a new, negative row (once)."""
    row = LedgerEntry(member_id=entry.member_id, kind="reversal", points=-entry.points, source_type="entry",
                      source_id=entry.id, giver_id=entry.giver_id, reverses_id=entry.id, note=note,
                      key=_key("reversal", "entry", entry.id, None, 0), created_at=when or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def reverse_all(member_id: int, kinds, source_type: str, source_id: int, note: str, giver_id: int | None = None):
    done = []
    for kind in kinds:
        for entry in live(member_id, kind, source_type, source_id, giver_id):
            row = reverse(entry, note)
            if row is not None:
                done.append(row)
    return done


def weight(giver: User, now: datetime | None = None) -> tuple[float, str]:
    """w(giver) and its name: 0.25 for new accounts, 1.5 for advocates and moderators, 1.0 otherwise."""
    from ..forums.models import Post
    from .programme import is_advocate

    now = now or utcnow()
    if has_role(giver, "moderator") or is_advocate(giver):
        return 1.5, "trusted"
    young = aware(giver.created_at) > now - timedelta(days=rules.NEW_ACCOUNT_DAYS)
    posts = db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == giver.id,
                                                                          Post.deleted_at.is_(None)))
    if young or posts < rules.NEW_ACCOUNT_POSTS:
        return 0.25, "new"
    return 1.0, "member"


def thanks_points(member: User, giver: User, now: datetime | None = None) -> tuple[float, str]:
    """What a thank-you from `giver` counts for `member` now, with the cap that cut it (if any)."""
    now = now or utcnow()
    points = rules.BY_KIND["thanks"].points * weight(giver, now)[0]
    counted = select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.member_id == member.id, LedgerEntry.kind == "thanks", LedgerEntry.giver_id == giver.id,
        LedgerEntry.points > 0, LedgerEntry.created_at > now - timedelta(days=rules.PAIR_DAYS),
        ~exists().where(_reversal_of(LedgerEntry.id)))
    if db.session.scalar(counted) >= rules.PAIR_CAP:
        return 0, f"not counted: at most {rules.PAIR_CAP} thanks from one person in {rules.PAIR_DAYS} days"
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    earned = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.member_id == member.id, LedgerEntry.kind == "thanks", LedgerEntry.created_at >= today)) or 0
    room = rules.THANKS_POINTS_PER_DAY - earned
    if room <= 0:
        return 0, f"not counted: at most {rules.THANKS_POINTS_PER_DAY} points from thanks a day"
    if points > room:
        return room, f"{room:g} of {points:g}: at most {rules.THANKS_POINTS_PER_DAY} points from thanks a day"
    return points, ""


def _reversal_of(entry_id):
    other = LedgerEntry.__table__.alias("reversal")
    return other.c.reverses_id == entry_id


def award_manually(member: User, points: int, reason: str, by: User) -> LedgerEntry:
    """A manager's award for work off the portal: 1-50 points, with the reason the member reads."""
    low, high = rules.AWARD_RANGE
    if not isinstance(points, int) or not low <= points <= high:
        raise Invalid(f"An award is {low} to {high} points.", field="points")
    if len(reason.strip()) < 10:
        raise Invalid("Say what the award is for, in a sentence: the member reads it in their ledger.",
                      field="reason")
    if not counts_for(member):
        raise Invalid("Staff are outside the programme's scores: awards are for members.", field="member")
    number = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.kind == "award")) + 1
    entry = award(member, "award", points, "award", number, giver=by, note=reason.strip())
    if entry is None:
        raise Invalid("That award was given a moment ago.")
    return entry
