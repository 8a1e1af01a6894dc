"""Trust levels (TL0-TL3 from activity, TL4 from staff), reading records. (The new-member limits are in limits.py.)

Reading is recorded as one `topic_views` row per member, topic and UTC day (posts_read is the most posts the member
saw on that topic that day), and visiting as one `user_visits` row per member and UTC day. The figures behind each
level are a fixed number of aggregate queries per member, run by `recompute()`: after a new member posts, and for
everyone by `flask --app wsgi forums trust` (cron, daily).
"""

import math
from datetime import timedelta
from typing import NamedTuple

import click
from flask import current_app
from flask_login import user_logged_in
from sqlalchemy import Date, case, distinct, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User, Visit
from ..core.db import write_intent, writing
from ..core.errors import Invalid, NotAllowed
from ..core.permissions import has_role, rule
from ..core.timeutil import aware, utcnow
from ..extensions import db
from .models import Flag, Post, Thanks, Topic, TopicView, Watch

NAMES = {0: "New", 1: "Basic", 2: "Member", 3: "Regular", 4: "Leader"}
PERIOD_DAYS = 100  # TL3 looks at the last 100 days
GRACE_DAYS = 14  # a Regular who falls below KEEP_SHARE of a figure keeps TL3 this long
KEEP_SHARE = 0.9
READING_SECONDS_PER_POST = 20  # config FORUM_READING_SECONDS_PER_POST: 30 posts ≈ 10 minutes


class Need(NamedTuple):
    label: str
    need: float  # a count; with `of`, a share of that figure (new topics or posts in the period), capped at `cap`
    of: str | None = None
    cap: int | None = None
    at_most: bool = False


REQUIREMENTS = {
    1: {"topics_entered": Need("Topics entered", 5), "posts_read": Need("Posts read", 30),
        "minutes_read": Need("Minutes spent reading", 10)},
    2: {"topics_entered": Need("Topics entered", 20), "posts_read": Need("Posts read", 100),
        "minutes_read": Need("Minutes spent reading", 60), "days_visited": Need("Days visited", 15),
        "thanks_given": Need("Thanks given", 1), "thanks_received": Need("Thanks received", 1),
        "topics_replied": Need("Other members' topics replied to", 3)},
    3: {"recent_days_visited": Need("Days visited in the last 100 days", 50),
        "recent_topics_replied": Need("Other members' topics replied to in the last 100 days", 10),
        "recent_topics_read": Need("Topics read of those opened in the last 100 days", 0.25, "new_topics", 500),
        "recent_posts_read": Need("Posts read of those written in the last 100 days", 0.25, "new_posts", 20_000),
        "topics_entered": Need("Topics entered", 200), "posts_read": Need("Posts read", 500),
        "recent_posts_flagged": Need("Your posts whose flags a moderator upheld (at most)", 5, at_most=True),
        "recent_flaggers": Need("Members whose flags on your posts were upheld (at most)", 5, at_most=True),
        "recent_thanks_given": Need("Thanks given in the last 100 days", 30),
        "recent_thanks_received": Need("Thanks received in the last 100 days", 20),
        "recent_thanks_days": Need("Days you received thanks on (last 100 days)", 7),
        "recent_thankers": Need("Members who thanked you (last 100 days)", 5)},
}


class Requirement(NamedTuple):
    label: str
    have: int
    need: int
    met: bool


# Recording -----------------------------------------------------------------------------------------------------

def _insert(conn, model):
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(model)


def record_topic_view(viewer, topic, posts_read: int, last_number: int = 0) -> None:
    """A member read a page of a topic: one row a day per topic (the most posts seen), one view a day counted; and
    if they watch or track it (a watch row for the topic), their read position rises to `last_number`, the highest
    post number on the page (never down: an earlier page leaves it where it was)."""
    key = {"user_id": viewer.id, "topic_id": topic.id, "day": utcnow().date()}
    with writing() as conn:
        inserted = conn.execute(_insert(conn, TopicView).values(**key, posts_read=posts_read)
                                .on_conflict_do_nothing().returning(TopicView.day)).first()
        if inserted is not None:
            conn.execute(update(Topic).where(Topic.id == topic.id).values(view_count=Topic.view_count + 1))
        else:
            conn.execute(update(TopicView).where(*(getattr(TopicView, k) == v for k, v in key.items()),
                                                 TopicView.posts_read < posts_read).values(posts_read=posts_read))
        if last_number > 0:
            conn.execute(update(Watch).where(Watch.user_id == viewer.id, Watch.topic_id == topic.id,
                                             Watch.last_read_number < last_number)
                         .values(last_read_number=last_number))


def record_visit(viewer) -> None:
    """A member used the portal: one row a day. Costs no query once today is recorded (last_seen_at is today)."""
    if viewer.last_seen_at is None or aware(viewer.last_seen_at).date() != utcnow().date():
        _write_visit(viewer)


@user_logged_in.connect
def _visited_when_signing_in(app, user, **extra):
    """Signing in sets last_seen_at (accounts.services.authenticate), which would hide the day: write it now."""
    _write_visit(user)


def _write_visit(member) -> None:
    now = utcnow()
    with writing() as conn:
        conn.execute(_insert(conn, Visit).values(user_id=member.id, day=now.date()).on_conflict_do_nothing())
        conn.execute(update(User).where(User.id == member.id).values(last_seen_at=now))
    set_committed_value(member, "last_seen_at", now)


# Figures -------------------------------------------------------------------------------------------------------

SOURCE_OF = {}  # figure name → the aggregate query that gives it (with its siblings)


def _gives(*names):
    def register(source):
        SOURCE_OF.update(dict.fromkeys(names, source))
        return source
    return register


def _since(now):
    return now - timedelta(days=PERIOD_DAYS)


@_gives("topics_entered", "posts_read", "minutes_read")
def _reading(member, now, recent=False) -> dict:
    per_topic = select(TopicView.topic_id, func.max(TopicView.posts_read).label("most"),
                       func.sum(TopicView.posts_read).label("every")).where(TopicView.user_id == member.id)
    if recent:
        per_topic = per_topic.where(TopicView.day >= _since(now).date())
    per_topic = per_topic.group_by(TopicView.topic_id).subquery()
    topics, posts, every = db.session.execute(select(
        func.count(), func.coalesce(func.sum(per_topic.c.most), 0), func.coalesce(func.sum(per_topic.c.every), 0)
    ).select_from(per_topic)).one()
    if recent:
        return {"recent_topics_read": topics, "recent_posts_read": int(posts)}
    seconds = current_app.config.get("FORUM_READING_SECONDS_PER_POST", READING_SECONDS_PER_POST)
    # Posts read: each topic's best day (re-reading doesn't count twice); reading time: every day's reading.
    return {"topics_entered": topics, "posts_read": int(posts), "minutes_read": int(every) * seconds // 60}


@_gives("recent_topics_read", "recent_posts_read")
def _recent_reading(member, now) -> dict:
    return _reading(member, now, recent=True)


def _recent(column, now, value=1):
    """`value` for rows of the last 100 days, NULL otherwise (count() and count(distinct) skip NULLs)."""
    since = _since(now).date() if isinstance(column.type, Date) else _since(now)
    return case((column >= since, value))


@_gives("days_visited", "recent_days_visited")
def _visits(member, now) -> dict:
    days, recent = db.session.execute(select(func.count(), func.count(_recent(Visit.day, now)))
                                      .where(Visit.user_id == member.id)).one()
    return {"days_visited": days, "recent_days_visited": recent}


@_gives("thanks_given", "recent_thanks_given")
def _thanks_given(member, now) -> dict:
    given, recent = db.session.execute(
        select(func.count(), func.count(_recent(Thanks.created_at, now))).select_from(Thanks)
        .join(Post, Post.id == Thanks.post_id).where(Thanks.user_id == member.id, Post.deleted_at.is_(None))).one()
    return {"thanks_given": given, "recent_thanks_given": recent}


@_gives("thanks_received", "recent_thanks_received", "recent_thanks_days", "recent_thankers")
def _thanks_received(member, now) -> dict:
    received, recent, days, people = db.session.execute(
        select(func.count(), func.count(_recent(Thanks.created_at, now)),
               func.count(distinct(_recent(Thanks.created_at, now, func.date(Thanks.created_at)))),
               func.count(distinct(_recent(Thanks.created_at, now, Thanks.user_id))))
        .select_from(Thanks).join(Post, Post.id == Thanks.post_id)
        .where(Post.author_id == member.id, Post.deleted_at.is_(None))).one()
    return {"thanks_received": received, "recent_thanks_received": recent, "recent_thanks_days": days,
            "recent_thankers": people}


@_gives("topics_replied", "recent_topics_replied")
def _replies(member, now) -> dict:
    """Other members' topics this member replied in (Discourse counts the same way)."""
    topics, recent = db.session.execute(
        select(func.count(distinct(Post.topic_id)), func.count(distinct(_recent(Post.created_at, now, Post.topic_id))))
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == member.id, Post.number > 1, Post.deleted_at.is_(None), Topic.deleted_at.is_(None),
               Topic.author_id != member.id)).one()
    return {"topics_replied": topics, "recent_topics_replied": recent}


@_gives("new_topics", "new_posts")
def _new_content(member, now) -> dict:
    topics = select(func.count()).select_from(Topic).where(Topic.created_at >= _since(now), Topic.deleted_at.is_(None))
    posts = select(func.count()).select_from(Post).where(Post.created_at >= _since(now), Post.deleted_at.is_(None))
    new_topics, new_posts = db.session.execute(select(topics.scalar_subquery(), posts.scalar_subquery())).one()
    return {"new_topics": new_topics, "new_posts": new_posts}


@_gives("recent_posts_flagged", "recent_flaggers")
def _flags(member, now) -> dict:
    posts, people = db.session.execute(
        select(func.count(distinct(Flag.post_id)), func.count(distinct(Flag.flagger_id)))
        .join(Post, Post.id == Flag.post_id)
        .where(Post.author_id == member.id, Flag.resolution == "agreed", Flag.created_at >= _since(now))).one()
    return {"recent_posts_flagged": posts, "recent_flaggers": people}


class Figures(dict):
    """A member's figures, each aggregate query run once and only when a requirement asks for one of its figures."""

    def __init__(self, member, now=None):
        super().__init__()
        self.member, self.now = member, now or utcnow()

    def __missing__(self, name):
        self.update(SOURCE_OF[name](self.member, self.now))
        return self[name]


def requirements(level: int, figures: Figures) -> list[Requirement]:
    """What reaching `level` asks for, with the member's figures."""
    rows = []
    for name, rule_ in REQUIREMENTS[level].items():
        have = figures[name]
        need = int(rule_.need) if rule_.of is None else min(math.ceil(rule_.need * figures[rule_.of]), rule_.cap)
        rows.append(Requirement(rule_.label, have, need, have <= need if rule_.at_most else have >= need))
    return rows


def progress(member) -> list[Requirement]:
    """The requirements for the member's next level: (label, have, need, met). Empty at TL3 and above (TL4 is
    granted by staff) and for a level staff set by hand."""
    if member.trust_level_locked or member.trust_level >= 3:
        return []
    return requirements(member.trust_level + 1, Figures(member))


def _keeps_regular(figures: Figures) -> bool:
    return all(row.met if REQUIREMENTS[3][name].at_most else row.have >= KEEP_SHARE * row.need
               for name, row in zip(REQUIREMENTS[3], requirements(3, figures), strict=True))


def _promote(member, figures: Figures, top: int = 3) -> int:
    """Promotion is immediate once every requirement of the next level is met (several levels at once too)."""
    while member.trust_level < top and all(row.met for row in requirements(member.trust_level + 1, figures)):
        member.trust_level += 1
    return member.trust_level


def recompute(member, now=None) -> int:
    """Promote as far as the figures allow; a Regular who falls below 90 % of a figure gets a 14-day grace, then
    goes back to Member. Staff-set (locked) levels and TL4 never change here. Writes to `member`; the caller
    commits."""
    if member.trust_level_locked or member.trust_level >= 4:
        return member.trust_level
    figures = Figures(member, now)
    if member.trust_level < 3:
        if _promote(member, figures) == 3:
            member.trust_grace_until = None
    elif _keeps_regular(figures):
        member.trust_grace_until = None
    elif member.trust_grace_until is None:
        member.trust_grace_until = figures.now + timedelta(days=GRACE_DAYS)
    elif aware(member.trust_grace_until) <= figures.now:
        member.trust_level, member.trust_grace_until = 2, None
    return member.trust_level


def after_posting(author) -> None:
    """A new member who just posted may have earned TL1 or TL2 already (cheap: TL3 waits for the daily run)."""
    if not author.trust_level_locked and author.trust_level < 2:
        _promote(author, Figures(author), top=2)


# Staff ---------------------------------------------------------------------------------------------------------

@rule("member.set_trust_level", refusal="Only managers and admins set trust levels.")
def _set_trust_level(user, member):
    return has_role(user, "manager")


def grant_trust_level(member, level: int | None, by) -> int:
    """Staff set a member's level (0-4) and lock it; `None` gives the level back to the member's activity."""
    if not has_role(by, "manager"):
        raise NotAllowed("Only managers and admins set trust levels.")
    if level is None:
        member.trust_level_locked, member.trust_level, member.trust_grace_until = False, 0, None
        return _promote(member, Figures(member))
    if level not in NAMES:
        raise Invalid(f"Choose a trust level from 0 ({NAMES[0]}) to 4 ({NAMES[4]}).", field="level")
    member.trust_level, member.trust_level_locked, member.trust_grace_until = level, True, None
    return level


# The nightly run -----------------------------------------------------------------------------------------------

BATCH = 200


@click.command("trust")
def trust_command():
    """Recompute every member's trust level (promotions, and demotions after the grace period)."""
    counts = {"promoted": 0, "demoted": 0, "unchanged": 0}
    with write_intent():
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        with click.progressbar(length=len(ids), label="Recomputing trust levels") as bar:
            for start in range(0, len(ids), BATCH):
                batch = ids[start:start + BATCH]
                for member in db.session.scalars(select(User).where(User.id.in_(batch))):
                    before = member.trust_level
                    after = recompute(member)
                    counts["promoted" if after > before else "demoted" if after < before else "unchanged"] += 1
                db.session.commit()
                bar.update(len(batch))
    click.echo("Promoted {promoted}, demoted {demoted}, unchanged {unchanged}.".format(**counts))
