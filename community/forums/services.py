"""Every write to the forums. Services take models and plain values, flush, raise domain errors, send signals."""

import re
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..core import text
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound, TooMany
from ..core.permissions import has_role
from ..core.timeutil import aware, local, utcnow
from ..extensions import db
from . import trust
from .limits import check_reply, check_topic
from .models import Category, Post, Tag, Thanks, Topic

TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")


def _config(name):
    return current_app.config[name]


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80].rstrip("-") or "topic"


def _check_body(body: str) -> str:
    body = body.strip()
    if len(body) < _config("FORUM_MIN_POST_LENGTH"):
        raise Invalid(f"Write at least {_config('FORUM_MIN_POST_LENGTH')} characters, so others can help.",
                      field="body")
    return body


def _tags(names) -> list[Tag]:
    wanted = sorted({name.strip().lower().lstrip("#") for name in names if name.strip()})
    if len(wanted) > _config("FORUM_MAX_TAGS"):
        raise Invalid(f"Use up to {_config('FORUM_MAX_TAGS')} tags.", field="tags")
    bad = [name for name in wanted if not TAG.match(name)]
    if bad:
        raise Invalid(f"Tags use lower-case letters, digits and dashes (up to 30): {', '.join(bad)}.", field="tags")
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    return [existing.get(name) or _new_tag(name) for name in wanted]


def _new_tag(name: str) -> Tag:
    """A new tag, or the one another request created a moment ago."""
    try:
        with db.session.begin_nested():
            tag = Tag(name=name)
            db.session.add(tag)
        return tag
    except IntegrityError:
        return db.session.scalar(select(Tag).where(Tag.name == name))


def _is_first_post(author) -> bool:
    """A new member's first words here: marked on the page so others greet them."""
    return db.session.scalar(select(Post.id).where(Post.author_id == author.id).limit(1)) is None


def _limited(limits: bool | None) -> bool:
    """The new-member limits guard what members post on the site (a request); seeding and imports pass them by."""
    return has_request_context() if limits is None else limits


def can_open_topic(user, category: Category) -> bool:
    """Announcements are posted by staff: moderators and the community team (managers, admins)."""
    return category.kind != "announcements" or has_role(user, "moderator")


def create_topic(author, category: Category, title: str, body: str, tags=(), *, limits: bool | None = None) -> Topic:
    """Open a topic with its first post. Raises Invalid (naming the field), NotAllowed, Conflict or TooMany (the
    new-member limits: on by default during a request, see `_limited`)."""
    low, high = _config("FORUM_TITLE_LENGTH")
    title = " ".join(title.split())
    if not low <= len(title) <= high:
        raise Invalid(f"A title has {low} to {high} characters: say what you need in a sentence.", field="title")
    body = _check_body(body)
    if not can_open_topic(author, category):
        raise NotAllowed(f"Only moderators and the community team open topics in {category.name}; you can reply "
                         "to them.")
    since = utcnow() - timedelta(minutes=_config("FORUM_DUPLICATE_TITLE_MINUTES"))
    duplicate = select(Topic.id).where(Topic.author_id == author.id, func.lower(Topic.title) == title.lower(),
                                       Topic.created_at >= since)
    if db.session.scalar(duplicate):
        raise Conflict("You opened a topic with this title a moment ago: find it under My topics, or change the "
                       "title.")
    body_html = text.render(body)
    if _limited(limits):
        check_topic(author, body_html)
    now = utcnow()
    topic = Topic(category=category, author=author, title=title, slug=slugify(title), created_at=now,
                  last_posted_at=now, last_poster_id=author.id, highest_post_number=1, tags=_tags(tags))
    post = Post(topic=topic, number=1, author=author, body=body, body_html=body_html, created_at=now,
                first_of_author=_is_first_post(author))
    db.session.add_all([topic, post])
    db.session.execute(update(Category).where(Category.id == category.id)
                       .values(topic_count=Category.topic_count + 1))
    db.session.flush()
    trust.after_posting(author)
    signals.topic_created.send(topic, post=post)
    if category.is_questions:
        signals.question_asked.send(topic, post=post)
    return topic


def post_reply(topic: Topic, author, body: str, *, reply_to: int | None = None, limits: bool | None = None) -> Post:
    """Reply in a topic, optionally to one of its posts (by number: its author hears of it). Raises Invalid,
    NotFound (deleted, even for moderators), Conflict (closed) or TooMany (the new-member limits, as for topics)."""
    if topic.deleted_at is not None:
        raise NotFound("This topic is deleted: it takes no replies. A moderator can restore it first.")
    if topic.locked_at is not None:
        raise Conflict("This topic is closed: it takes no new replies. Open a new topic and link to this one.")
    body = _check_body(body)
    body_html = text.render(body)
    if _limited(limits):
        check_reply(author, topic, body_html)
    # One atomic UPDATE hands out the post number, so two replies at once never collide.
    number = db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(highest_post_number=Topic.highest_post_number + 1, reply_count=Topic.reply_count + 1,
                last_posted_at=utcnow(), last_poster_id=author.id)
        .returning(Topic.highest_post_number)
    ).scalar_one()
    if reply_to is not None and db.session.scalar(select(Post.id).where(
            Post.topic_id == topic.id, Post.number == reply_to, Post.deleted_at.is_(None))) is None:
        reply_to = None  # that post is gone (or never was): the reply stands on its own
    post = Post(topic=topic, number=number, author=author, body=body, body_html=body_html, reply_to_number=reply_to,
                first_of_author=_is_first_post(author))
    db.session.add(post)
    db.session.flush()
    db.session.refresh(topic)
    trust.after_posting(author)
    signals.reply_posted.send(post, topic=topic)
    return post


def may_mark_answers(user, topic: Topic) -> bool:
    """The asker, a moderator, or a community leader (trust level 4, granted by staff)."""
    return user.id == topic.author_id or has_role(user, "moderator") or user.trust_level >= 4


def can_accept(user, topic: Topic) -> bool:
    return topic.category.is_questions and may_mark_answers(user, topic)


def accept_answer(topic: Topic, post: Post, by) -> Post:
    if not may_mark_answers(by, topic):
        raise NotAllowed("Only the person who asked, a moderator or a community leader marks the answer that "
                         "solved it.")
    if not topic.category.is_questions:
        raise Invalid(f"{topic.category.name} is for discussion: only topics in a questions category have "
                      "accepted answers. Thank the reply that helped instead.")
    if post.topic_id != topic.id or post.number == 1 or post.deleted_at is not None:
        raise Invalid("Choose a reply in this topic as the answer.")
    if topic.accepted_post_id == post.id:
        raise Conflict("This reply is already the accepted answer.")
    previous = db.session.get(Post, topic.accepted_post_id) if topic.accepted_post_id else None
    topic.accepted_post_id, topic.solved_at = post.id, utcnow()
    db.session.flush()
    if previous is not None:
        signals.answer_unaccepted.send(previous, topic=topic, by=by)
    signals.answer_accepted.send(post, topic=topic, by=by, self_answer=post.author_id == topic.author_id)
    return post


def unaccept_answer(topic: Topic, by) -> None:
    if not may_mark_answers(by, topic):
        raise NotAllowed("Only the person who asked, a moderator or a community leader changes the accepted answer.")
    if topic.accepted_post_id is None:
        raise Conflict("This question has no accepted answer.")
    previous = db.session.get(Post, topic.accepted_post_id)
    topic.accepted_post_id = topic.solved_at = None
    db.session.flush()
    signals.answer_unaccepted.send(previous, topic=topic, by=by)


def thank(post: Post, by) -> Thanks:
    if post.deleted_at is not None or post.topic.deleted_at is not None:
        raise NotFound("This post is deleted, so there is nobody left to thank for it.")
    if post.author_id == by.id:
        raise NotAllowed("You can't thank your own post — but others can.")
    if db.session.scalar(select(Thanks.id).where(Thanks.post_id == post.id, Thanks.user_id == by.id)):
        raise Conflict("You have thanked this post already.")
    day_ago = utcnow() - timedelta(days=1)
    given = select(Thanks.created_at).where(Thanks.user_id == by.id, Thanks.created_at >= day_ago)
    recent = [aware(at) for at in db.session.scalars(given.order_by(Thanks.created_at))]
    limit = _config("FORUM_THANKS_PER_DAY")
    if len(recent) >= limit:
        lifts = recent[-limit] + timedelta(days=1)  # when the oldest of the last `limit` thanks turns a day old
        raise TooMany(f"You have given {limit} thanks in the last 24 hours, the most a day allows. You can thank "
                      f"again from {local(lifts, by.time_zone):%-d %B at %H:%M} ({by.time_zone}).", retry_at=lifts)
    thanks = Thanks(post_id=post.id, user_id=by.id)
    try:
        with db.session.begin_nested():  # a double click sends two requests at once
            db.session.add(thanks)
    except IntegrityError:
        raise Conflict("You have thanked this post already.") from None
    db.session.execute(update(Post).where(Post.id == post.id).values(thanks_count=Post.thanks_count + 1))
    db.session.flush()
    signals.post_thanked.send(post, by=by, thanks=thanks)
    return thanks


def unthank(post: Post, by) -> None:
    thanks = db.session.scalar(select(Thanks).where(Thanks.post_id == post.id, Thanks.user_id == by.id))
    if thanks is None:
        raise Conflict("You haven't thanked this post.")
    window = timedelta(minutes=_config("FORUM_THANKS_UNDO_MINUTES"))
    if utcnow() - aware(thanks.created_at) > window:
        raise Conflict(f"Thanks can be taken back within {_config('FORUM_THANKS_UNDO_MINUTES')} minutes; "
                       "this one stays.")
    db.session.delete(thanks)
    db.session.execute(update(Post).where(Post.id == post.id).values(thanks_count=Post.thanks_count - 1))
    db.session.flush()
    signals.post_unthanked.send(post, by=by)
