"""The advocate programme's pipeline: spotted → nominated/applied → invited → onboarding → advocate → alumni.

Members enter from the rising-star queue, from two independent peer nominations, by applying against the published
criteria, or by a manager's invitation. Onboarding is a checklist — the code of conduct (the member), a mentor and a
first task within 14 days (a manager) — and ends, once all three are done, with the member an advocate: the
Advocate badge, Level 1, the private advocates' category, co-host rights and light moderation. Each year a manager
reviews every advocate with the year's ledger laid out; inactive advocates become alumni, never deleted.
Every change of stage is logged with who made it and why. Services flush and never commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import mail
from ..core.errors import Conflict, Invalid, NotAllowed
from ..core.permissions import has_role
from ..core.timeutil import aware, utcnow
from ..core.urls import public_url
from ..extensions import db
from .ledger import counts_for
from .models import LedgerEntry, Nomination, Programme, StageChange

STAGES = {
    "spotted": "Spotted",
    "nominated": "Nominated",
    "applied": "Applied",
    "invited": "Invited",
    "onboarding": "Onboarding",
    "advocate": "Advocate",
    "alumni": "Alumni",
    "declined": "Declined",
}
PIPELINE = ("spotted", "nominated", "applied", "invited", "onboarding", "advocate", "alumni", "declined")
INSIDE = ("onboarding", "advocate")  # they enter the advocates' category
TAKEN = ("invited", "onboarding", "advocate")  # not to be spotted, nominated or invited again
AUDIENCE = "advocates"
NOMINATIONS_NEEDED = 2
FIRST_TASK_DAYS = 14
RENEW_EVERY = timedelta(days=365)
ACTIVE_WITHIN = timedelta(days=180)  # the renewal review's suggestion: active if the ledger moved in 6 months
MEMBER_FOR = timedelta(days=90)
LOUNGE = {"name": "Advocates' lounge", "slug": "advocates-lounge", "kind": "discussion", "colour": "#7a3e9d",
          "description": "The advocate programme's own room: plans, first tasks, questions for the community team."}


@dataclass
class Criterion:
    text: str
    met: bool
    detail: str


def record(member: User) -> Programme | None:
    return db.session.get(Programme, member.id)


def stage_of(member: User) -> str | None:
    row = record(member)
    return row.stage if row else None


def is_advocate(user) -> bool:
    """An advocate now (not onboarding, not alumni). No query for members outside the programme's audience."""
    if not getattr(user, "is_authenticated", False) or AUDIENCE not in (user.audiences or "").split():
        return False
    row = db.session.get(Programme, user.id)
    return row is not None and row.stage == "advocate"


def history(member: User) -> list[StageChange]:
    return list(db.session.scalars(select(StageChange).where(StageChange.user_id == member.id)
                                   .options(joinedload(StageChange.by)).order_by(StageChange.id)))


def _move(member: User, to: str, by: User | None, why: str, now: datetime | None = None) -> Programme:
    """Put `member` at stage `to`, log it, and keep their audiences in step (the advocates' category)."""
    now = now or utcnow()
    row = record(member)
    was = row.stage if row else None
    if row is None:
        row = Programme(user_id=member.id, stage=to, stage_since=now)
        db.session.add(row)
    row.stage, row.stage_since = to, now
    db.session.add(StageChange(user_id=member.id, from_stage=was, to_stage=to, by_id=by.id if by else None,
                               why=why.strip()[:2000], created_at=now))
    names = [name for name in (member.audiences or "").split() if name != AUDIENCE]
    member.audiences = " ".join(names + ([AUDIENCE] if to in INSIDE else []))
    db.session.flush()
    return row


def _sentence(text: str, field: str, who: str) -> str:
    text = (text or "").strip()
    if len(text) < 10:
        raise Invalid(f"Write a sentence (10 characters or more): {who}", field=field)
    if len(text) > 2000:
        raise Invalid("Keep it under 2,000 characters.", field=field)
    return text


def _candidate(member: User) -> None:
    if not counts_for(member):
        raise Invalid("Staff are outside the programme: it is for members.", field="member")
    if member.email_verified_at is None:
        raise Invalid(f"{member.name} has not confirmed their address yet.", field="member")


# Entry ------------------------------------------------------------------------------------------------------------

def spot(member: User, by: User, why: str, now: datetime | None = None) -> Programme:
    """A manager notes a member worth watching (from the rising-star queue: "offer a task")."""
    _candidate(member)
    if stage_of(member) not in (None, "declined", "alumni"):
        return record(member)
    return _move(member, "spotted", by, why, now)


def nominate(nominee: User, nominator: User, reason: str, now: datetime | None = None) -> Nomination:
    """A member nominates another. Two independent nominations (different people, none of them in a thanks ring
    with the nominee or each other) put the nominee at "nominated" for the managers to look at."""
    now = now or utcnow()
    reason = _sentence(reason, "reason", "say what they did, the community team reads it.")
    if nominee.id == nominator.id:
        raise Invalid("You can't nominate yourself: apply instead, against the published criteria.")
    _candidate(nominee)
    if nominator.email_verified_at is None:
        raise NotAllowed("Confirm your address to nominate a member.")
    if stage_of(nominee) in TAKEN:
        raise Conflict(f"{nominee.name} is already {STAGES[stage_of(nominee)].lower()} in the programme: thank you.")
    before = db.session.scalar(select(Nomination).where(Nomination.nominee_id == nominee.id,
                                                        Nomination.nominator_id == nominator.id))
    if before is not None:
        raise Conflict(f"You nominated {nominee.name} already, on {aware(before.created_at):%-d %B %Y}.")
    row = Nomination(nominee_id=nominee.id, nominator_id=nominator.id, reason=reason, created_at=now)
    db.session.add(row)
    db.session.flush()
    independent = independent_nominators(nominee, now)
    if len(independent) >= NOMINATIONS_NEEDED and stage_of(nominee) in (None, "spotted", "declined", "alumni"):
        names = ", ".join(f"@{user.username}" for user in independent)
        _move(nominee, "nominated", None, f"Nominated by {len(independent)} members independently ({names}).", now)
    return row


def independent_nominators(nominee: User, now: datetime | None = None) -> list[User]:
    """The nominators who count: anyone in a thanks ring (the last 30 days) with the nominee or with another
    nominator is left out, as friends vouching for each other are."""
    from .rising import WINDOW, rings, thanks_pairs

    now = now or utcnow()
    rows = list(db.session.scalars(select(Nomination).where(Nomination.nominee_id == nominee.id)
                                   .options(joinedload(Nomination.nominator)).order_by(Nomination.id)))
    people = {row.nominator_id for row in rows} | {nominee.id}
    ringed = set()
    for group in rings(thanks_pairs(now - WINDOW)):
        inside = group & people
        if len(inside) >= 2:
            ringed |= inside
    return [row.nominator for row in rows if row.nominator_id not in ringed]


def criteria(member: User, now: datetime | None = None) -> list[Criterion]:
    """The published criteria for applying, each with where the member stands (from their ledger and level)."""
    from ..forums.models import Flag, Post
    from .levels import NAMES, current

    now = now or utcnow()
    age = now - aware(member.created_at)
    level = current(member)
    upheld = db.session.scalar(select(func.count()).select_from(Flag).join(Post, Post.id == Flag.post_id).where(
        Post.author_id == member.id, Flag.resolution == "agreed", Flag.resolved_at >= now - MEMBER_FOR))
    return [
        Criterion("A member for 90 days or more", age >= MEMBER_FOR,
                  f"you joined {age.days} day{'s' if age.days != 1 else ''} ago"),
        Criterion("Level 2 Contributing or 1 Leading: accepted answers for 3 people, or you volunteered or spoke at "
                  "an event", level is not None and level.level <= 2,
                  f"you are {level.level} {NAMES[level.level]}, {level.because}" if level else "no level yet"),
        Criterion("No post of yours removed after a flag in the last 90 days", upheld == 0,
                  "none" if upheld == 0 else f"{upheld} in the last 90 days"),
    ]


def apply(member: User, statement: str, now: datetime | None = None) -> Programme:
    """A member applies, in their own words, once they meet every published criterion."""
    statement = _sentence(statement, "statement", "say why you'd like to join; the community team reads it.")
    _candidate(member)
    if stage_of(member) in TAKEN:
        raise Conflict(f"You are already {STAGES[stage_of(member)].lower()} in the programme.")
    if stage_of(member) == "applied":
        raise Conflict("Your application is with the community team already: they answer every one.")
    missing = [item.text for item in criteria(member, now) if not item.met]
    if missing:
        raise Invalid("Not yet: " + "; ".join(missing).lower() + ". The list below shows where you stand.",
                      field="statement")
    return _move(member, "applied", member, statement, now)


def invite(member: User, by: User, message: str, now: datetime | None = None) -> Programme:
    """A manager invites the member, with a personal message they receive by mail with a link to answer."""
    message = _sentence(message, "message", "the member reads it.")
    _candidate(member)
    if stage_of(member) in TAKEN:
        raise Conflict(f"{member.name} is already {STAGES[stage_of(member)].lower()}.")
    row = _move(member, "invited", by, message, now)
    row.invitation = message
    _mail(member, "invitation", f"An invitation to the {current_app.config['COMMUNITY_NAME']} advocates", by=by,
          message=message)
    return row


def answer(member: User, accept: bool, note: str = "", now: datetime | None = None) -> Programme:
    """The invited member says yes (onboarding starts: the advocates' category opens) or no (declined)."""
    if stage_of(member) != "invited":
        raise Conflict("There is no invitation waiting for you." if stage_of(member) not in INSIDE
                       else "You said yes already: your onboarding checklist is below.")
    now = now or utcnow()
    if not accept:
        return _move(member, "declined", member, note.strip() or "Said no to the invitation.", now)
    row = _move(member, "onboarding", member, note.strip() or "Said yes to the invitation.", now)
    row.onboarding_since = now
    lounge()
    return row


# Onboarding -------------------------------------------------------------------------------------------------------

def checklist(row: Programme, now: datetime | None = None) -> list[tuple[str, bool, str]]:
    """(what, done, detail) for the onboarding checklist, as the member and the managers see it."""
    now = now or utcnow()
    due = first_task_due(row)
    late = due is not None and row.first_task_at is None and now > due
    return [
        ("Accept the code of conduct", row.conduct_accepted_at is not None,
         f"accepted on {aware(row.conduct_accepted_at):%-d %B %Y}" if row.conduct_accepted_at
         else "the member accepts it on their programme page"),
        ("Enter the private advocates' category", row.stage in INSIDE, "open since onboarding began"),
        ("Meet a mentor", row.mentor_id is not None,
         f"{row.mentor.name}" if row.mentor is not None else "a manager names an advocate or a team member"),
        (f"A first task, offered within {FIRST_TASK_DAYS} days", row.first_task_at is not None,
         row.first_task if row.first_task_at else
         (f"overdue since {due:%-d %B}" if late else f"due by {due:%-d %B %Y}") if due else "not started"),
    ]


def first_task_due(row: Programme) -> datetime | None:
    return aware(row.onboarding_since) + timedelta(days=FIRST_TASK_DAYS) if row.onboarding_since else None


def _onboarding(member: User) -> Programme:
    row = record(member)
    if row is None or row.stage != "onboarding":
        raise Conflict(f"{member.name} is not onboarding" + (f" ({STAGES[row.stage].lower()})." if row else "."))
    return row


def accept_conduct(member: User, now: datetime | None = None) -> Programme:
    row = _onboarding(member)
    if row.conduct_accepted_at is None:
        row.conduct_accepted_at = now or utcnow()
        db.session.flush()
    return _complete_if_done(member, row, member, now)


def assign_mentor(member: User, mentor: User | None, by: User, now: datetime | None = None) -> Programme:
    row = _onboarding(member) if stage_of(member) != "advocate" else record(member)
    if mentor is None:
        raise Invalid("No member has that username.", field="mentor")
    if mentor.id == member.id:
        raise Invalid("A mentor is someone else: an advocate or a member of the community team.", field="mentor")
    if not (is_advocate(mentor) or has_role(mentor, "moderator")):
        raise Invalid(f"{mentor.name} is not an advocate or a member of the team: a mentor is one of them.",
                      field="mentor")
    row.mentor_id = mentor.id
    db.session.flush()
    db.session.refresh(row, ["mentor"])
    _mail(member, "mentor", f"Meet your mentor, {mentor.name}", by=by, mentor=mentor)
    _mail(mentor, "mentee", f"Would you mentor {member.name}? They are joining the advocates", by=by, mentee=member,
          mentee_ledger=public_url("advocates.member_ledger", username=member.username))
    return _complete_if_done(member, row, by, now)


def offer_first_task(member: User, by: User, task: str, now: datetime | None = None) -> Programme:
    task = _sentence(task, "task", "the member reads it.")
    row = _onboarding(member)
    row.first_task, row.first_task_at = task, now or utcnow()
    db.session.flush()
    _mail(member, "task", "Your first task as an advocate", by=by, message=task)
    return _complete_if_done(member, row, by, now)


def _complete_if_done(member: User, row: Programme, by: User, now: datetime | None) -> Programme:
    """With the code of conduct accepted, a mentor and a first task, the member becomes an advocate."""
    from . import badges, levels

    if row.stage != "onboarding" or not (row.conduct_accepted_at and row.mentor_id and row.first_task_at):
        return row
    now = now or utcnow()
    row = _move(member, "advocate", by, "Onboarding complete: code of conduct accepted, mentor met, first task "
                "offered.", now)
    row.advocate_since, row.renewed_at = now, None
    badges.sync(member, now)
    levels.refresh(member, now)
    _mail(member, "welcome", f"Welcome to the {current_app.config['COMMUNITY_NAME']} advocates", by=by)
    return row


# Staying in, stepping out -----------------------------------------------------------------------------------------

@dataclass
class Renewal:
    member: User
    row: Programme
    due: datetime
    points: float
    accepted: int
    thanks: int
    events: int
    last_active: datetime | None

    def summary(self) -> str:
        parts = [f"{self.points:g} points", f"{self.accepted} accepted answer{'s' if self.accepted != 1 else ''}",
                 f"{self.thanks} thank-you{'s' if self.thanks != 1 else ''}",
                 f"{self.events} event credit{'s' if self.events != 1 else ''}"]
        last = f"last active {self.last_active:%-d %B %Y}" if self.last_active else "no activity in the ledger"
        return "In the year: " + ", ".join(parts) + f"; {last}."


def renewal_due(row: Programme) -> datetime:
    return aware(row.renewed_at or row.advocate_since or row.stage_since) + RENEW_EVERY


def renewals(now: datetime | None = None) -> list[Renewal]:
    """Advocates whose year is up, each with the year's ledger laid out (a fixed number of queries)."""
    now = now or utcnow()
    rows = [row for row in db.session.scalars(select(Programme).where(Programme.stage == "advocate")
                                              .options(joinedload(Programme.member)))
            if renewal_due(row) <= now]
    if not rows:
        return []
    since = now - RENEW_EVERY
    ids = [row.user_id for row in rows]
    totals: dict[int, dict] = {i: {"points": 0.0, "accepted": 0, "thanks": 0, "events": 0, "last": None} for i in ids}
    for member_id, kind, count, points, last in db.session.execute(
            select(LedgerEntry.member_id, LedgerEntry.kind, func.count(), func.sum(LedgerEntry.points),
                   func.max(LedgerEntry.created_at))
            .where(LedgerEntry.member_id.in_(ids), LedgerEntry.created_at >= since)
            .group_by(LedgerEntry.member_id, LedgerEntry.kind)):
        found = totals[member_id]
        found["points"] += points or 0
        if kind == "accepted_answer":
            found["accepted"] += count
        elif kind == "thanks":
            found["thanks"] += count
        elif kind in ("attended", "volunteered", "spoke", "cohosted"):
            found["events"] += count
        if kind != "reversal" and (found["last"] is None or aware(last) > found["last"]):
            found["last"] = aware(last)
    return [Renewal(row.member, row, renewal_due(row), round(totals[row.user_id]["points"], 1),
                    totals[row.user_id]["accepted"], totals[row.user_id]["thanks"], totals[row.user_id]["events"],
                    totals[row.user_id]["last"]) for row in sorted(rows, key=renewal_due)]


def suggestion(renewal: Renewal, now: datetime | None = None) -> tuple[str, str]:
    """The review's pre-filled decision and reason, from the ledger: renew the active, thank the others."""
    now = now or utcnow()
    active = renewal.last_active is not None and renewal.last_active >= now - ACTIVE_WITHIN
    if active:
        return "renew", renewal.summary() + " Renewed for another year."
    return "alumni", renewal.summary() + " Thank you for all you did: alumni keep their history and badges earned."


def renew(member: User, by: User, why: str, now: datetime | None = None) -> Programme:
    why = _sentence(why, "why", "the log keeps why.")
    row = record(member)
    if row is None or row.stage != "advocate":
        raise Conflict(f"{member.name} is not an advocate now.")
    now = now or utcnow()
    row = _move(member, "advocate", by, "Renewed: " + why, now)
    row.renewed_at = now
    return row


def to_alumni(member: User, by: User, why: str, now: datetime | None = None) -> Programme:
    """An advocate (or an onboarding member) steps out: alumni, never deleted. The Advocate badge goes (its basis
    is gone); the level follows at the next quarterly review."""
    from . import badges

    why = _sentence(why, "why", "the log keeps why.")
    if stage_of(member) not in INSIDE:
        raise Conflict(f"{member.name} is not in the programme now.")
    now = now or utcnow()
    row = _move(member, "alumni", by, why, now)
    badges.sync(member, now)
    _mail(member, "alumni", f"Thank you from the {current_app.config['COMMUNITY_NAME']} team", by=by, message=why)
    return row


# Reading ----------------------------------------------------------------------------------------------------------

def pipeline() -> dict[str, list[Programme]]:
    """Everyone in the programme's records, by stage (2 queries)."""
    found: dict[str, list[Programme]] = {stage: [] for stage in PIPELINE}
    for row in db.session.scalars(select(Programme).options(joinedload(Programme.member), joinedload(Programme.mentor))
                                  .order_by(Programme.stage_since.desc())):
        found.setdefault(row.stage, []).append(row)
    return found


def nominations(member: User) -> list[Nomination]:
    return list(db.session.scalars(select(Nomination).where(Nomination.nominee_id == member.id)
                                   .options(joinedload(Nomination.nominator)).order_by(Nomination.id)))


def nominated_by(member: User, nominator) -> bool:
    if not getattr(nominator, "is_authenticated", False):
        return False
    return db.session.scalar(select(func.count()).select_from(Nomination).where(
        Nomination.nominee_id == member.id, Nomination.nominator_id == nominator.id)) > 0


def lounge_if_any():
    from ..forums.models import Category

    return db.session.scalar(select(Category).where(Category.min_role == AUDIENCE).order_by(Category.id).limit(1))


def lounge():
    """The advocates' private category (created the first time someone is onboarded)."""
    from ..forums.models import Category

    found = db.session.scalar(select(Category).where(Category.min_role == AUDIENCE).order_by(Category.id))
    if found is None:
        position = db.session.scalar(select(func.coalesce(func.max(Category.position), 0))) + 1
        found = Category(min_role=AUDIENCE, position=position, **LOUNGE)
        db.session.add(found)
        db.session.flush()
    return found


def _mail(member: User, kind: str, subject: str, **context) -> None:
    mail.queue(member.email, subject, "advocates/programme", category=f"advocates.programme.{kind}", member=member,
               kind=kind, page=public_url("advocates.programme_page"),
               ledger=public_url("advocates.member_ledger", username=member.username), **context)
