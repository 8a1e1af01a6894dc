"""Notifications: the bell, and the mail that follows it (immediately, in a daily digest, or not at all).

`notify()` is the one way any part of the forum tells a member something. It writes the in-app row and, for a
member who wants mail at once, queues the mail in the same transaction (sent after commit, never on rollback).
"""

from sqlalchemy import func, select, update

from ..accounts.models import User
from ..core.timeutil import utcnow
from ..extensions import db
from . import mailing
from .models import Notification, Post, Topic

# What each kind says, from the reader's point of view ({actor} and {title} are filled in).
KINDS = {
    "reply": "{actor} replied to your post in “{title}”",
    "watched": "{actor} replied in “{title}”, which you watch",
    "mention": "{actor} mentioned you in “{title}”",
    "accepted": "{actor} marked your reply as the answer to “{title}”",
    "thanks": "{actor} thanked your post in “{title}”",
    "flagged": "Your post in “{title}” was hidden after members flagged it: edit it to show it again",
    "reminder": "Did an answer solve “{title}”? Mark it, so others find it",
}
MAILED_AT_ONCE = {"reply", "watched", "mention", "accepted", "flagged", "reminder"}  # thanks wait for the digest


def notify(user: User | int, kind: str, *, topic: Topic | None = None, post: Post | None = None,
           actor: User | None = None) -> Notification | None:
    """Tell `user` about something. Never tells people about their own doing; thanks on one post are batched into
    the unread row that is already there ("Ana and 3 others thanked your post")."""
    assert kind in KINDS, kind
    user_id = getattr(user, "id", user)
    if actor is not None and actor.id == user_id:
        return None
    if topic is None and post is not None:
        topic = post.topic
    if kind == "thanks" and post is not None:
        batched = db.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.kind == "thanks", Notification.post_id == post.id,
                   Notification.read_at.is_(None))
            .values(others=Notification.others + 1, actor_id=actor.id if actor else None, created_at=utcnow())
        )
        if batched.rowcount:
            return None
    note = Notification(user_id=user_id, kind=kind, topic_id=topic.id if topic else None,
                        post_id=post.id if post else None, actor_id=actor.id if actor else None)
    db.session.add(note)
    db.session.flush()
    if kind in MAILED_AT_ONCE:
        mailing.mail_now(note)
    return note


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
