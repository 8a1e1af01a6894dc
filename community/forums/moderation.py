"""Moderator actions on topics and posts, each written to the moderator log. Services: flush, never commit."""

from sqlalchemy import update

from .. import signals
from ..core.errors import Conflict, NotAllowed
from ..core.permissions import has_role
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Category, ModeratorAction, Post, Topic


def log(by, action: str, topic: Topic, post: Post | None = None, reason: str = "") -> ModeratorAction:
    entry = ModeratorAction(actor_id=by.id, action=action, topic_id=topic.id, post_id=post.id if post else None,
                            reason=reason.strip())
    db.session.add(entry)
    return entry


def _moderator(by) -> None:
    if not has_role(by, "moderator"):
        raise NotAllowed("Only moderators pin, close and restore topics.")


def set_pinned(topic: Topic, by, pinned: bool, reason: str = "") -> None:
    _moderator(by)
    if (topic.pinned_at is not None) == pinned:
        raise Conflict("This topic is already pinned." if pinned else "This topic is not pinned.")
    topic.pinned_at = utcnow() if pinned else None
    log(by, "pin" if pinned else "unpin", topic, reason=reason)


def set_closed(topic: Topic, by, closed: bool, reason: str = "") -> None:
    _moderator(by)
    if (topic.locked_at is not None) == closed:
        raise Conflict("This topic is already closed." if closed else "This topic is already open.")
    topic.locked_at = utcnow() if closed else None
    log(by, "close" if closed else "reopen", topic, reason=reason)


def can_delete(user, post: Post) -> bool:
    return post.author_id == user.id or has_role(user, "moderator")


def delete_post(post: Post, by, reason: str = "") -> None:
    """Soft-delete a post; deleting the opening post deletes the topic. Counters follow."""
    if not can_delete(by, post):
        raise NotAllowed("You can delete your own posts; moderators can delete any.")
    if post.deleted_at is not None:
        raise Conflict("This post is already deleted.")
    topic = post.topic
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = None
        signals.answer_unaccepted.send(post, topic=topic, by=by)
    post.deleted_at = utcnow()
    if post.number == 1:
        topic.deleted_at = post.deleted_at
        db.session.execute(update(Category).where(Category.id == topic.category_id)
                           .values(topic_count=Category.topic_count - 1))
    else:
        topic.reply_count -= 1
    log(by, "delete_topic" if post.number == 1 else "delete_post", topic, post, reason)
    db.session.flush()
    signals.post_deleted.send(post, topic=topic, by=by)


def restore_post(post: Post, by, reason: str = "") -> None:
    if not has_role(by, "moderator"):
        raise NotAllowed("Only moderators restore deleted posts.")
    if post.deleted_at is None:
        raise Conflict("This post is not deleted.")
    topic = post.topic
    post.deleted_at = None
    if post.number == 1:
        topic.deleted_at = None
        db.session.execute(update(Category).where(Category.id == topic.category_id)
                           .values(topic_count=Category.topic_count + 1))
    else:
        topic.reply_count += 1
    log(by, "restore_topic" if post.number == 1 else "restore_post", topic, post, reason)
    db.session.flush()
    signals.post_restored.send(post, topic=topic, by=by)
