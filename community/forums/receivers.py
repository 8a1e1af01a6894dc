"""How the forum reacts to its own signals: who is notified of a new topic, a reply, a mention, an accepted answer,
a thank-you; who watches what automatically. Receivers write in the sender's transaction and never commit."""

from sqlalchemy import select

from .. import signals
from ..accounts.models import User
from ..core import text
from ..core.permissions import may_enter
from ..extensions import db
from . import notifications, similar
from .models import Post


def _can_see(user: User, topic) -> bool:
    required = topic.category.min_role
    return user.suspended_at is None and (may_enter(user, required))


def _members(ids=(), names=()) -> list[User]:
    if not ids and not names:
        return []
    query = select(User).where(User.id.in_(list(ids)) | User.username_key.in_(list(names)))
    return list(db.session.scalars(query))


def _tell_everyone(post, topic, actor, *, new_topic: bool, mentioned: list[str]) -> None:
    """One notification per member per post, the most personal kind first: mention, reply to my post, reply to my
    topic, watched."""
    levels = notifications.effective_levels(topic)
    watchers = {user_id for user_id, level in levels.items() if level == "watching"}
    answered = None  # the author of the post this one replies to
    if post.reply_to_number:
        answered = db.session.scalar(select(Post.author_id).where(Post.topic_id == topic.id,
                                                                  Post.number == post.reply_to_number))
    people = {user.id: user for user in _members(watchers | {topic.author_id, answered} - {None}, mentioned)}
    told = {actor.id}

    def tell(user, kind):
        if user is None or user.id in told or levels.get(user.id) == "muted" or not _can_see(user, topic):
            return
        told.add(user.id)
        notifications.notify(user, kind, topic=topic, post=post, actor=actor)

    for user in people.values():
        if user.username_key in mentioned:
            tell(user, "mention")
    if answered is not None:
        tell(people.get(answered), "reply_post")
    if not new_topic:
        tell(people.get(topic.author_id), "reply")
    for user_id in sorted(watchers):
        tell(people.get(user_id), "new_topic" if new_topic else "watched")


@signals.topic_created.connect
def topic_created(topic, post, **extra):
    notifications.watch_automatically(topic.author_id, topic)
    _tell_everyone(post, topic, topic.author, new_topic=True, mentioned=text.mentions(post.body))
    similar.mark_asked(topic.author)  # the suggestions they opened in the last hour did not answer it


@signals.reply_posted.connect
def reply_posted(post, topic, **extra):
    notifications.watch_automatically(post.author_id, topic)
    _tell_everyone(post, topic, post.author, new_topic=False, mentioned=text.mentions(post.body))


@signals.post_edited.connect
def post_edited(post, by, previous_body, **extra):
    """Only the mentions an edit adds are news."""
    before = set(text.mentions(previous_body))
    added = [name for name in text.mentions(post.body) if name not in before]
    if added:
        topic = post.topic
        levels = notifications.effective_levels(topic)
        for user in _members(names=added):
            if user.id != by.id and levels.get(user.id) != "muted" and _can_see(user, topic):
                notifications.notify(user, "mention", topic=topic, post=post, actor=by)


@signals.answer_accepted.connect
def answer_accepted(post, topic, by, **extra):
    notifications.notify(post.author, "accepted", topic=topic, post=post, actor=by)


@signals.post_thanked.connect
def post_thanked(post, by, **extra):
    notifications.notify(post.author, "thanks", topic=post.topic, post=post, actor=by)


@signals.post_unthanked.connect
def post_unthanked(post, by, **extra):
    notifications.withdraw_thanks(post, by)


@signals.post_deleted.connect
def post_deleted(post, topic, by, **extra):
    """What a deleted post said is no news any more: its unread notifications go, and the bell follows."""
    notifications.withdraw_for(post, topic)
