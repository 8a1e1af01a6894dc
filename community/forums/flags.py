"""Flags on posts: weighted scores, hiding, the moderators' queue and each flagger's accuracy.

Services flush and never commit. A flag scores 1 + the flagger's trust level (staff 5); a post is hidden when its
unresolved flags reach FORUM_FLAG_HIDE_SCORE, or at once when a TL3+ member flags a TL0 member's post as spam.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from .. import signals
from ..accounts.models import User
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound
from ..core.permissions import has_role, roles_up_to, rule
from ..core.timeutil import utcnow
from ..extensions import db
from . import moderation, notifications
from .models import FLAG_KINDS, Category, Flag, Post, Topic

REPEAT_WINDOW = timedelta(hours=24)
STAFF_SCORE = 5
QUEUE_SIZE = 50
# decision → (Flag.resolution, moderator log action)
DECISIONS = {
    "agree": ("agreed", "flag_agree"),
    "agree_delete": ("agreed", "flag_agree"),
    "disagree": ("disagreed", "flag_disagree"),
    "dismiss": ("dismissed", "flag_dismiss"),
}


@rule("forums.review_flags", refusal="The flag queue is for moderators. To report a post, use the Flag link under it.")
def _review_flags(user, obj):
    return has_role(user, "moderator")


def hide_score() -> float:
    return float(current_app.config.get("FORUM_FLAG_HIDE_SCORE", 8.3))


def score_of(user: User) -> float:
    return float(STAFF_SCORE if has_role(user, "moderator") else 1 + user.trust_level)


def check_flaggable(post: Post, by: User) -> None:
    """Refuse before the form is even shown: deleted posts are gone; nobody flags their own post."""
    if post.deleted_at is not None or post.topic.deleted_at is not None:
        raise NotFound("This post is deleted, so there is nothing left to flag.")
    if post.author_id == by.id:
        raise NotAllowed("You can't flag your own post. To change it, edit it; to take it down, delete it.")
    if by.email_verified_at is None:
        raise NotAllowed("Confirm your email address first: the link is in the mail we sent you.")


def flag_post(post: Post, by: User, kind: str, note: str = "") -> Flag:
    """Record `by`'s flag on `post` and hide the post when the flags say so."""
    check_flaggable(post, by)
    note = (note or "").strip()
    if kind not in FLAG_KINDS:
        raise Invalid("Choose what is wrong with the post.", field="kind")
    if kind == "other" and not note:
        raise Invalid("Say what is wrong with the post, so a moderator can judge it.", field="note")
    repeated = db.session.scalar(select(Flag.id).where(
        Flag.post_id == post.id, Flag.flagger_id == by.id, Flag.kind == kind, Flag.post_revision == post.revision,
        Flag.created_at >= utcnow() - REPEAT_WINDOW).limit(1))
    if repeated is not None:
        raise Conflict(f"You already flagged this post as “{FLAG_KINDS[kind]}” in the last 24 hours, and a "
                       "moderator will review it. You can flag it again if it changes or after 24 hours.")
    flag = Flag(post_id=post.id, flagger_id=by.id, kind=kind, note=note, score=score_of(by),
                post_revision=post.revision)
    db.session.add(flag)
    db.session.flush()
    if post.hidden_at is None and _hides_now(post, flag, by):
        post.hidden_at = utcnow()
        notifications.notify(post.author, "flagged", post=post)
    return flag


def _hides_now(post: Post, flag: Flag, by: User) -> bool:
    trusted = by.trust_level >= 3 or has_role(by, "moderator")
    if flag.kind == "spam" and trusted and post.author.trust_level == 0:
        return True
    return open_score(post) >= hide_score()


def open_score(post: Post) -> float:
    return float(db.session.scalar(select(func.coalesce(func.sum(Flag.score), 0)).where(
        Flag.post_id == post.id, Flag.resolved_at.is_(None))))


def unhide_after_edit(post: Post) -> bool:
    """A post the flags hid was edited: it shows again, and its flags stay in the queue for a moderator to judge.
    A post a moderator kept hidden (its latest flags agreed, none open) stays hidden whatever the edit. Editing
    code calls this after saving the new text; returns True when the post shows again."""
    if post.hidden_at is None:
        return False
    latest = db.session.execute(select(Flag.resolved_at, Flag.resolution).where(Flag.post_id == post.id)
                                .order_by(Flag.resolved_at.is_not(None), Flag.resolved_at.desc()).limit(1)).first()
    if latest is not None and latest.resolved_at is not None and latest.resolution == "agreed":
        return False
    post.hidden_at = None
    return True


def resolve(post: Post, by: User, decision: str, reason: str = "") -> list[Flag]:
    """Judge all the open flags on `post`: agree (hide; `agree_delete` also deletes it), disagree (show it again)
    or dismiss (leave it as it is). Agree and disagree count for or against each flagger's accuracy."""
    if not has_role(by, "moderator"):
        raise NotAllowed("Only moderators judge flags.")
    if decision not in DECISIONS:
        raise Invalid("Choose agree, disagree or dismiss.")
    flags = list(db.session.scalars(select(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                                    .order_by(Flag.id).with_for_update()))
    if not flags:
        raise Conflict("The flags on this post are already resolved: another moderator got there first.")
    resolution, action = DECISIONS[decision]
    now = utcnow()
    for flag in flags:
        flag.resolved_at, flag.resolved_by_id, flag.resolution = now, by.id, resolution
    _count_accuracy(flags, resolution)
    if resolution == "agreed" and post.hidden_at is None:
        post.hidden_at = now
    elif resolution == "disagreed":
        post.hidden_at = None
    moderation.log(by, action, post.topic, post, reason)
    if decision == "agree_delete" and post.deleted_at is None:
        moderation.delete_post(post, by, reason)
    db.session.flush()
    if resolution == "agreed":
        signals.flag_upheld.send(post, by=by, flags=flags)
    return flags


def _count_accuracy(flags: list[Flag], resolution: str) -> None:
    column = {"agreed": "flags_agreed", "disagreed": "flags_disagreed"}.get(resolution)
    if column is None:
        return
    for flagger_id, count in Counter(f.flagger_id for f in flags).items():
        db.session.execute(update(User).where(User.id == flagger_id)
                           .values({column: getattr(User, column) + count}))


# Queries for the queue ------------------------------------------------------------------------------------------

@dataclass
class QueueItem:
    post: Post
    score: float
    flags: list[Flag]


def queue(viewer, limit: int = QUEUE_SIZE) -> tuple[list[QueueItem], bool]:
    """Posts with open flags, highest total score first, each with its flags and flaggers: two queries for any
    number of posts. Returns (items, more waiting beyond `limit`?)."""
    totals = (select(Flag.post_id, func.sum(Flag.score).label("score"), func.min(Flag.created_at).label("first"))
              .where(Flag.resolved_at.is_(None)).group_by(Flag.post_id).subquery())
    rows = db.session.execute(
        select(Post, totals.c.score).join(totals, totals.c.post_id == Post.id).join(Post.topic).join(Topic.category)
        .where(or_(Category.min_role.is_(None), Category.min_role.in_(roles_up_to(viewer))))
        .options(contains_eager(Post.topic).contains_eager(Topic.category), joinedload(Post.author))
        .order_by(totals.c.score.desc(), totals.c.first, Post.id).limit(limit + 1)).unique().all()
    more = len(rows) > limit
    rows = rows[:limit]
    by_post = {post.id: QueueItem(post, float(score), []) for post, score in rows}
    if by_post:
        for flag in db.session.scalars(select(Flag).where(Flag.post_id.in_(by_post), Flag.resolved_at.is_(None))
                                       .options(joinedload(Flag.flagger)).order_by(Flag.created_at, Flag.id)):
            by_post[flag.post_id].flags.append(flag)
    return list(by_post.values()), more


def accuracy(user: User) -> str:
    """"4 of 5 flags upheld" (only judged flags count)."""
    judged = user.flags_agreed + user.flags_disagreed
    if not judged:
        return "no flags judged yet"
    return f"{user.flags_agreed} of {judged} {'flag' if judged == 1 else 'flags'} upheld"
