"""Notifications and watching: the bell, the list, and who hears about what.

`notify()` is the one way any part of the forum tells a member something. It writes the in-app row, keeps the
member's unread count (shown on every page without a query), and, for a member who wants mail at once, queues the
mail in the same transaction (sent after commit, never on rollback).

Watching levels, per topic and per category (a topic's own level wins): watching (every reply), tracking (counted,
no notification), normal (mentions and replies to me), muted (nothing).
"""

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.errors import Conflict, Invalid, NotFound
from ..core.timeutil import utcnow
from ..extensions import db
from . import mailing
from .models import WATCH_LEVELS, Category, Notification, Post, Thanks, Topic, Watch

# What each kind says, from the reader's point of view.
KINDS = {
    "reply": "{actor} replied to your topic “{title}”",
    "reply_post": "{actor} replied to your post in “{title}”",
    "watched": "{actor} replied in “{title}”, which you watch",
    "new_topic": "{actor} opened “{title}” in {category}, which you watch",
    "mention": "{actor} mentioned you in “{title}”",
    "accepted": "{actor} marked your reply as the answer to “{title}”",
    "thanks": "{actor} thanked your post in “{title}”",
    "thanks_many": "{actor} and {others} thanked your post in “{title}”",
    "flagged": "Your post in “{title}” is hidden after members flagged it: edit it to show it again",
    "reminder": "Did an answer solve “{title}”? Mark it, so the next person finds it",
}
MAILED_AT_ONCE = {"reply", "reply_post", "watched", "new_topic", "mention", "accepted", "flagged", "reminder"}
LEVEL_WORDS = {
    "watching": "Watching: every new reply",
    "tracking": "Tracking: count new replies, no notifications",
    "normal": "Normal: when someone mentions you or replies to your topic",
    "muted": "Muted: nothing at all",
}


def notify(user: User | int, kind: str, *, topic: Topic | None = None, post: Post | None = None,
           actor: User | None = None) -> Notification | None:
    """Tell `user` about something. Never tells people about their own doing; thanks on one post are batched into
    the unread row that is already there ("Ana and 3 others thanked your post")."""
    if kind not in KINDS or kind == "thanks_many":
        raise ValueError(f"unknown notification kind {kind!r}")
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
            .execution_options(synchronize_session=False)
        )
        if batched.rowcount:
            return None
    note = Notification(user_id=user_id, kind=kind, topic_id=topic.id if topic else None,
                        post_id=post.id if post else None, actor_id=actor.id if actor else None)
    db.session.add(note)
    db.session.execute(update(User).where(User.id == user_id)
                       .values(unread_notifications=User.unread_notifications + 1)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    if kind in MAILED_AT_ONCE:
        mailing.mail_now(note, topic=topic, post=post, actor=actor)
    return note


def describe(note: Notification, topic: Topic | None = None, actor: User | None = None) -> str:
    """The sentence a notification says, e.g. "Ana and 2 others thanked your post in “Sync times out”"."""
    topic = topic or note.topic
    actor = actor or note.actor
    kind = "thanks_many" if note.kind == "thanks" and note.others else note.kind
    others = f"{note.others} other" + ("s" if note.others != 1 else "")
    return KINDS[kind].format(actor=actor.name if actor else "Someone", others=others,
                              title=topic.title if topic else "a topic",
                              category=topic.category.name if topic else "a category")


def target(note: Notification) -> tuple[str, dict]:
    """Where a notification leads: (endpoint, values) of its post, else its topic, else the list."""
    if note.post_id:
        return "forums.post", {"post_id": note.post_id}
    if note.topic_id:
        return "forums.topic", {"topic_id": note.topic_id}
    return "forums.notifications_page", {}


def mark_read(user: User, note_id: int) -> Notification:
    note = db.session.scalar(select(Notification).where(Notification.id == note_id,
                                                        Notification.user_id == user.id))
    if note is None:
        raise NotFound("That notification is gone, or it belongs to someone else.")
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.execute(update(User).where(User.id == user.id, User.unread_notifications > 0)
                           .values(unread_notifications=User.unread_notifications - 1)
                           .execution_options(synchronize_session=False))
        db.session.flush()
    return note


def mark_all_read(user: User) -> int:
    done = db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.execute(update(User).where(User.id == user.id).values(unread_notifications=0)
                       .execution_options(synchronize_session=False))
    return done


def withdraw_for(post: Post, topic: Topic) -> int:
    """A post was deleted: its unread notifications go (for the opening post, those of the whole topic), and the
    bell of each member who had one counts again. Read ones stay in the list. Returns how many went."""
    if post.number == 1:
        posts = select(Post.id).where(Post.topic_id == topic.id)
        about = Notification.post_id.in_(posts) | (Notification.post_id.is_(None) & (Notification.topic_id == topic.id))
    else:
        about = Notification.post_id == post.id
    gone = db.session.execute(delete(Notification).where(about, Notification.read_at.is_(None))
                              .returning(Notification.user_id).execution_options(synchronize_session=False)).all()
    if gone:
        _recount_unread({user_id for (user_id,) in gone})
    return len(gone)


def withdraw_thanks(post: Post, by: User) -> None:
    """Someone took back their thanks: the author's unread batch is recounted from the thanks given since the author
    last read one for this post, so "Bea and 3 others" never counts Bea thanking, undoing and thanking again. A batch
    left with nobody goes, and the bell with it."""
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == post.author_id, Notification.kind == "thanks", Notification.post_id == post.id,
        Notification.read_at.is_(None)))
    if note is None:
        return
    last_read = (select(func.max(Notification.read_at)).where(
        Notification.user_id == post.author_id, Notification.kind == "thanks", Notification.post_id == post.id)
        .scalar_subquery())
    batch = list(db.session.scalars(select(Thanks.user_id).where(
        Thanks.post_id == post.id, last_read.is_(None) | (Thanks.created_at > last_read))
        .order_by(Thanks.created_at.desc(), Thanks.id.desc())))
    if not batch:
        db.session.delete(note)
        db.session.flush()
        _recount_unread({post.author_id})
        return
    note.others, note.actor_id = len(batch) - 1, batch[0]
    db.session.flush()


def _recount_unread(member_ids) -> None:
    """Each member's bell is the number of their unread rows: recounted, so it can never drift."""
    unread = (select(func.count(Notification.id)).where(Notification.user_id == User.id,
                                                         Notification.read_at.is_(None)).scalar_subquery())
    db.session.execute(update(User).where(User.id.in_(list(member_ids))).values(unread_notifications=unread)
                       .execution_options(synchronize_session=False))


# Watching -------------------------------------------------------------------------------------------------------

def set_watch(user: User, level: str, *, topic: Topic | None = None, category: Category | None = None) -> Watch:
    """Set the member's level for one topic or one category (replacing the one they had)."""
    if level not in WATCH_LEVELS:
        raise Invalid(f"Choose one of: {', '.join(WATCH_LEVELS)}.", field="level")
    if (topic is None) == (category is None):
        raise ValueError("a watch is for one topic or one category")
    target = Watch.topic_id == topic.id if topic is not None else Watch.category_id == category.id
    watch = db.session.scalar(select(Watch).where(Watch.user_id == user.id, target))
    if watch is None:
        watch = Watch(user_id=user.id, topic_id=topic.id if topic else None,
                      category_id=category.id if category else None, level=level)
        try:
            with db.session.begin_nested():  # two tabs at once
                db.session.add(watch)
        except IntegrityError:
            raise Conflict("Your watching level changed in another window a moment ago: look again.") from None
    watch.level = level
    db.session.flush()
    return watch


def watch_automatically(user_id: int, topic: Topic) -> None:
    """Askers and repliers watch their topic, unless they chose a level for it already."""
    exists = select(Watch.id).where(Watch.user_id == user_id, Watch.topic_id == topic.id)
    if db.session.scalar(exists) is None:
        try:
            with db.session.begin_nested():
                db.session.add(Watch(user_id=user_id, topic_id=topic.id, level="watching"))
        except IntegrityError:
            pass  # another request made it a moment ago: theirs stands


def levels_for(user: User, topic: Topic) -> tuple[str | None, str | None]:
    """(the member's level for this topic, for its category); None where they chose none. One query."""
    rows = db.session.execute(select(Watch.topic_id, Watch.level).where(
        Watch.user_id == user.id, (Watch.topic_id == topic.id) | (Watch.category_id == topic.category_id)))
    own = {topic_id is not None: level for topic_id, level in rows}
    return own.get(True), own.get(False)


def effective_levels(topic: Topic) -> dict[int, str]:
    """{member id: level} for everyone who chose a level for this topic or its category (the topic's wins)."""
    levels: dict[int, str] = {}
    rows = db.session.execute(select(Watch.user_id, Watch.topic_id, Watch.level).where(
        (Watch.topic_id == topic.id) | (Watch.category_id == topic.category_id)))
    for user_id, topic_id, level in rows:
        if topic_id is not None or user_id not in levels:
            levels[user_id] = level
    return levels



def category_levels(user: User) -> dict[int, str]:
    """{category id: level} for the categories the member chose a level for (one query)."""
    return dict(db.session.execute(select(Watch.category_id, Watch.level).where(
        Watch.user_id == user.id, Watch.category_id.is_not(None))).all())
