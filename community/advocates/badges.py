"""Badges: each a rule members can read, a progress indicator, a page of holders; granted when the rule holds and
revoked when its basis is taken back. Manual badges are granted by managers, always with a reason."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core.errors import Invalid
from ..core.timeutil import aware, utcnow
from ..extensions import db
from . import celebrations, programme
from .ledger import counts_for
from .models import BadgeGrant, LedgerEntry

GROUPS = ("Getting started", "Helping", "Events", "Community", "Milestones")


@dataclass(frozen=True)
class Badge:
    key: str
    name: str
    tier: str  # bronze, silver, gold
    group: str
    rule: str
    need: int  # the progress bar's end


BADGES = (
    Badge("first-answer", "First accepted answer", "bronze", "Getting started",
          "One of your replies was accepted as the solution.", 1),
    Badge("answers-10", "10 accepted answers", "bronze", "Helping", "10 of your replies were accepted.", 10),
    Badge("answers-50", "50 accepted answers", "silver", "Helping", "50 of your replies were accepted.", 50),
    Badge("answers-150", "150 accepted answers", "gold", "Helping", "150 of your replies were accepted.", 150),
    Badge("unsung-helper", "Unsung Helper", "silver", "Helping",
          "5 or more accepted answers that nobody thanked, a quarter or more of all your accepted answers.", 5),
    Badge("revival", "Revival", "bronze", "Helping",
          "Your answer was accepted on a question more than 60 days old.", 1),
    Badge("welcomer", "Welcomer", "silver", "Community",
          "You were first to help 5 newcomers with their first question.", 5),
    Badge("host", "Host", "silver", "Events", "You co-hosted an event that took place.", 1),
    Badge("regular", "Regular", "bronze", "Events", "You were checked in at 5 events.", 5),
    Badge("anniversary", "Anniversary", "bronze", "Milestones", "A year a member, and active in it.", 1),
    Badge("member-of-the-month", "New Member of the Month", "gold", "Community",
          "Chosen from the members who joined in the last 60 days, for the thanks their posts earned.", 1),
    Badge("advocate", "Advocate", "gold", "Community",
          "You are in the advocate programme: invited, onboarded, and renewed each year while you help.", 1),
)
BY_KEY = {badge.key: badge for badge in BADGES}


def _live(member_id: int, kinds):
    reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return select(LedgerEntry).where(LedgerEntry.member_id == member_id, LedgerEntry.kind.in_(kinds),
                                     LedgerEntry.id.not_in(reversed_))


def progress(member: User, now: datetime | None = None) -> dict[str, int]:
    """How far the member is towards each automatic badge (the count its rule reads). A fixed set of queries."""
    from ..forums.models import Post, Thanks

    now = now or utcnow()
    rows = list(db.session.scalars(_live(member.id, ("accepted_answer", "welcome", "attended", "cohosted"))))
    accepted = [row.source_id for row in rows if row.kind == "accepted_answer"]
    found = {"accepted": len(accepted), "welcome": sum(1 for r in rows if r.kind == "welcome"),
             "attended": len({r.source_id for r in rows if r.kind == "attended"}),
             "cohosted": sum(1 for r in rows if r.kind == "cohosted"), "unthanked": 0, "revival": 0}
    if accepted:
        thanked = set(db.session.scalars(select(Thanks.post_id).where(Thanks.post_id.in_(accepted)).distinct()))
        found["unthanked"] = len(set(accepted) - thanked)
        found["revival"] = _revivals(accepted)
    days_active = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.author_id == member.id, Post.created_at >= now - timedelta(days=365)))
    found["anniversary"] = int(aware(member.created_at) <= now - timedelta(days=365) and days_active > 0)
    return {
        "first-answer": found["accepted"], "answers-10": found["accepted"], "answers-50": found["accepted"],
        "answers-150": found["accepted"],
        "unsung-helper": found["unthanked"] if found["unthanked"] * 4 >= max(1, found["accepted"]) else 0,
        "revival": found["revival"], "welcomer": found["welcome"], "host": found["cohosted"],
        "regular": found["attended"], "anniversary": found["anniversary"],
        "advocate": int(programme.stage_of(member) == "advocate"),
    }


def _revivals(accepted) -> int:
    """Accepted answers posted more than 60 days after their question (compared in Python: date arithmetic
    differs between SQLite and PostgreSQL, and a member has few accepted answers)."""
    from ..forums.models import Post, Topic

    rows = db.session.execute(select(Post.created_at, Topic.created_at).join(Topic, Topic.id == Post.topic_id)
                              .where(Post.id.in_(accepted)))
    return sum(1 for answered, asked in rows if aware(answered) - aware(asked) > timedelta(days=60))


def held(member: User) -> list[BadgeGrant]:
    return list(db.session.scalars(select(BadgeGrant).where(BadgeGrant.user_id == member.id,
                                                            BadgeGrant.revoked_at.is_(None))
                                   .order_by(BadgeGrant.granted_at)))


def sync(member: User, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Grant the automatic badges whose rule now holds and revoke those whose basis is gone; (granted, revoked)."""
    if not counts_for(member):
        return [], []
    now = now or utcnow()
    have = {grant.badge: grant for grant in held(member)}
    counts = progress(member, now)
    granted, revoked = [], []
    for key, count in counts.items():
        earned = count >= BY_KEY[key].need
        if earned and key not in have:
            db.session.add(BadgeGrant(user_id=member.id, badge=key, name=BY_KEY[key].name, granted_at=now))
            granted.append(key)
            celebrations.celebrate(member, "badge", f"earned the {BY_KEY[key].name} badge",
                                   link=celebrations.path("advocates.badge", key=key))
        elif not earned and key in have:
            have[key].revoked_at = now
            revoked.append(key)
    db.session.flush()
    return granted, revoked


def grant_manually(member: User, name: str, reason: str, by: User) -> BadgeGrant:
    name = " ".join(name.split())
    if not 3 <= len(name) <= 80:
        raise Invalid("Name the badge in 3 to 80 characters.", field="name")
    if len(reason.strip()) < 10:
        raise Invalid("Say why, in a sentence: the member and everyone who sees the badge read it.", field="reason")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50]
    grant = BadgeGrant(user_id=member.id, badge=f"manual:{slug}", name=name, reason=reason.strip(),
                       granted_by_id=by.id)
    db.session.add(grant)
    db.session.flush()
    return grant


def holders(key: str, limit: int = 200) -> list[BadgeGrant]:
    return list(db.session.scalars(select(BadgeGrant).where(BadgeGrant.badge == key, BadgeGrant.revoked_at.is_(None))
                                   .options(joinedload(BadgeGrant.user)).order_by(BadgeGrant.granted_at)
                                   .limit(limit)))


def holder_counts() -> dict[str, int]:
    return dict(db.session.execute(select(BadgeGrant.badge, func.count()).where(BadgeGrant.revoked_at.is_(None))
                                   .group_by(BadgeGrant.badge)).all())
