"""New Member of the Month (`flask --app wsgi advocates member-of-the-month`, monthly; twice in one month does
nothing twice): of the accounts under 60 days old, the top 2 by the thanks their posts earned this month — each
thank-you weighted by the giver's trust level (1 + level) — divided by (5 + their posts), so that help counts,
not volume."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db
from . import celebrations
from .models import BadgeGrant

YOUNG = timedelta(days=60)
CHOSEN = 2


def candidates(now: datetime | None = None) -> list[tuple[User, float]]:
    """(member, score), best first. 3 queries."""
    from ..forums.models import Post, Thanks

    now = now or utcnow()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    giver = User.__table__.alias("giver")
    earned = dict(db.session.execute(
        select(Post.author_id, func.sum(1 + giver.c.trust_level)).join(Thanks, Thanks.post_id == Post.id)
        .join(giver, giver.c.id == Thanks.user_id)
        .join(User, User.id == Post.author_id)
        .where(Thanks.created_at >= start, Thanks.user_id != Post.author_id, Post.deleted_at.is_(None),
               User.created_at >= now - YOUNG, User.role == "member", User.suspended_at.is_(None),
               User.email_verified_at.is_not(None))
        .group_by(Post.author_id)).all())
    if not earned:
        return []
    posts = dict(db.session.execute(select(Post.author_id, func.count()).where(
        Post.author_id.in_(list(earned)), Post.deleted_at.is_(None)).group_by(Post.author_id)).all())
    members = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(earned))))}
    scored = [(members[i], float(weight) / (5 + posts.get(i, 0))) for i, weight in earned.items()]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].id))


def choose(now: datetime | None = None) -> list[User]:
    """Award this month's badge to the top 2 (once a month), celebrate them; return them."""
    now = now or utcnow()
    month = now.strftime("%B %Y")
    reason = f"New Member of the Month, {month}"
    if db.session.scalar(select(BadgeGrant.id).where(BadgeGrant.badge == "member-of-the-month",
                                                     BadgeGrant.reason == reason)):
        return []
    chosen = [member for member, _ in candidates(now)[:CHOSEN]]
    for member in chosen:
        db.session.add(BadgeGrant(user_id=member.id, badge="member-of-the-month", name="New Member of the Month",
                                  reason=reason, granted_at=now))
        celebrations.celebrate(member, "badge", f"became New Member of the Month ({month})",
                               link=celebrations.path("advocates.badge", key="member-of-the-month"))
    db.session.flush()
    return chosen
