"""Moderator actions on topics and posts, each written to the moderator log: pin, close, delete, restore, and
move, split and merge topics (counters recomputed from the posts). Services: flush, never commit."""

import re

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from .. import signals
from ..core.errors import Conflict, Invalid, NotAllowed
from ..core.permissions import has_role, require, roles_up_to, rule
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Category, ModeratorAction, Post, Topic
from .services import slugify


def log(by, action: str, topic: Topic, post: Post | None = None, reason: str = "") -> ModeratorAction:
    entry = ModeratorAction(actor_id=by.id, action=action, topic_id=topic.id, post_id=post.id if post else None,
                            reason=reason.strip())
    db.session.add(entry)
    return entry


def _moderator(by, refusal: str = "Only moderators pin, close and restore topics.") -> None:
    if not has_role(by, "moderator"):
        raise NotAllowed(refusal)


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


def set_unlisted(topic: Topic, by, unlisted: bool, reason: str = "") -> None:
    """Unlisted topics leave every list and feed; anyone with the link still reads them (their author too)."""
    _moderator(by)
    if (topic.unlisted_at is not None) == unlisted:
        raise Conflict("This topic is already unlisted." if unlisted else "This topic is already listed.")
    topic.unlisted_at = utcnow() if unlisted else None
    log(by, "unlist" if unlisted else "relist", topic, reason=reason)


def can_delete(user, post: Post) -> bool:
    return post.author_id == user.id or has_role(user, "moderator")


def _others_replied(post: Post) -> bool:
    """Someone but the author has a live reply in the post's topic."""
    return db.session.scalar(select(Post.id).where(
        Post.topic_id == post.topic_id, Post.number > 1, Post.author_id != post.author_id,
        Post.deleted_at.is_(None)).limit(1)) is not None


def delete_post(post: Post, by, reason: str = "") -> None:
    """Soft-delete a post; deleting the opening post deletes the topic. Counters and the last poster follow.
    An author deletes their topic only while nobody else has replied; moderators delete any post."""
    if not can_delete(by, post):
        raise NotAllowed("You can delete your own posts; moderators can delete any.")
    if post.deleted_at is not None:
        raise Conflict("This post is already deleted.")
    if post.number == 1 and not has_role(by, "moderator") and _others_replied(post):
        raise Conflict("Others have replied here: ask a moderator to remove the topic, or edit your post.")
    topic = post.topic
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = topic.solved_at = None
        signals.answer_unaccepted.send(post, topic=topic, by=by)
    post.deleted_at = utcnow()
    if post.number == 1:
        topic.deleted_at = post.deleted_at
        db.session.execute(update(Category).where(Category.id == topic.category_id)
                           .values(topic_count=Category.topic_count - 1))
    _recount(topic)
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
    _recount(topic)
    log(by, "restore_topic" if post.number == 1 else "restore_post", topic, post, reason)
    db.session.flush()
    signals.post_restored.send(post, topic=topic, by=by)


# Move, split, merge ----------------------------------------------------------------------------------------------

REORGANIZE = ("Only moderators move, split and merge topics. If a topic is in the wrong place, flag its opening post "
              "and a moderator will look.")
TOPIC_ADDRESS = re.compile(r"/t/(\d+)")


@rule("forums.split", refusal=REORGANIZE)
def _split(user, topic):
    return has_role(user, "moderator")


@rule("forums.recategorise", refusal=REORGANIZE)
def _recategorise(user, topic):
    """Moderators; other areas may widen it (the advocate programme's light moderation, public topics only)."""
    return has_role(user, "moderator")


@rule("forums.merge", refusal=REORGANIZE)
def _merge(user, topic):
    """Merging a duplicate into the question it repeats: moderators, and whoever another area allows."""
    return has_role(user, "moderator")


def may_reorganize(topic: Topic, by, action: str = "forums.split") -> None:
    """Raise unless `by` may move (forums.recategorise), split or merge `topic` (the pages call it before showing
    their form). Those allowed by another area than the moderators' own (advocates) reorganise public topics only."""
    require(by, action, topic)
    if not has_role(by, "moderator") and topic.category.min_role is not None:
        raise NotAllowed("Topics in private categories are reorganised by moderators.")
    if topic.deleted_at is not None:
        raise Conflict("This topic is deleted: restore it first, then move, split or merge it.")


def move_topic(topic: Topic, category: Category, by, reason: str = "") -> Topic:
    """Move a topic to another category. A category without accepted answers drops the topic's accepted answer."""
    may_reorganize(topic, by, "forums.recategorise")
    if not has_role(by, "moderator") and category.min_role is not None:
        raise Invalid(f"{category.name} is private: moving topics into it is for moderators.", field="category")
    if category.id == topic.category_id:
        raise Invalid(f"This topic is already in {category.name}: choose another category.", field="category")
    old = topic.category
    dropped = None if category.is_questions else _drop_answer(topic)
    topic.category = category
    _recount_categories(old.id, category.id)
    log(by, "move", topic, reason=_why(f"{old.name} → {category.name}", reason))
    db.session.flush()
    _unaccepted(dropped, topic, by)
    return topic


def splittable_replies(topic: Topic) -> list[Post]:
    """The replies a moderator may split off, in order (one query, whatever the topic's length)."""
    return list(db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.number > 1, Post.deleted_at.is_(None))
        .options(joinedload(Post.author)).order_by(Post.number)))


def split_topic(topic: Topic, numbers, title: str, category: Category, by, reason: str = "") -> Topic:
    """Make the chosen replies (by number) a new topic: the first becomes its opening post, all renumbered 1..n."""
    may_reorganize(topic, by)
    wanted = sorted(set(numbers))
    if not wanted:
        raise Invalid("Choose at least one reply to move into the new topic.", field="posts")
    if 1 in wanted:
        raise Invalid("The opening post stays with its topic: choose replies only.", field="posts")
    title = _title(title)
    posts = list(db.session.scalars(select(Post).where(
        Post.topic_id == topic.id, Post.number.in_(wanted), Post.deleted_at.is_(None)).order_by(Post.number)))
    if len(posts) != len(wanted):
        raise Invalid("Some of the chosen replies are no longer in this topic: check the list and choose again.",
                      field="posts")
    first = posts[0]
    new = Topic(category=category, author_id=first.author_id, title=title, slug=slugify(title),
                created_at=first.created_at, last_posted_at=first.created_at, last_poster_id=first.author_id)
    db.session.add(new)
    dropped = _drop_answer(topic) if topic.accepted_post_id in {post.id for post in posts} else None
    for number, post in enumerate(posts, start=1):  # a new topic has no numbers yet: nothing to collide with
        post.topic, post.number = new, number
    _recount(topic, new)
    _recount_categories(topic.category_id, category.id)
    moved = f"{len(posts)} {'reply' if len(posts) == 1 else 'replies'}"
    log(by, "split", topic, reason=_why(f"{moved} moved to “{new.title}”", reason))
    log(by, "split", new, reason=_why(f"{moved} split from “{topic.title}”", reason))
    db.session.flush()
    _unaccepted(dropped, topic, by)
    return new


def merge_topics(source: Topic, target_ref: str, by, reason: str = "") -> Topic:
    """Append every post of `source` to the topic that `target_ref` names (its number or address), after its own
    posts in the order they were written; `source` is deleted and its address leads to the target. Returns it."""
    may_reorganize(source, by, "forums.merge")
    target = _merge_target(source, target_ref, by)
    dropped = _drop_answer(source)
    posts = list(db.session.scalars(
        select(Post).where(Post.topic_id == source.id).order_by(Post.created_at, Post.number)))
    after = max(target.highest_post_number,
                db.session.scalar(select(func.max(Post.number)).where(Post.topic_id == target.id)) or 0)
    for offset, post in enumerate(posts, start=1):  # above every number the target has: nothing to collide with
        post.topic, post.number = target, after + offset
    source.deleted_at, source.merged_into_id = utcnow(), target.id
    _recount(source, target)
    _recount_categories(source.category_id, target.category_id)
    log(by, "merge", source, reason=_why(f"Merged into “{target.title}” (#{target.id})", reason))
    log(by, "merge", target, reason=_why(f"“{source.title}” (#{source.id}) merged in from post #{after + 1}", reason))
    db.session.flush()
    _unaccepted(dropped, source, by)
    return target


def can_see(viewer, topic: Topic) -> bool:
    """May `viewer` read `topic`: its category is open to their role, and it is live (or they are a moderator)."""
    required = topic.category.min_role
    return ((required is None or required in roles_up_to(viewer))
            and (topic.deleted_at is None or has_role(viewer, "moderator")))


def merged_target(topic_id: int, viewer) -> Topic | None:
    """The topic a merged topic's posts now live in (following merges of merges), or None if it was never merged
    or if `viewer` may not read both the merged topic's category and the target (no address leads them there)."""
    row = db.session.execute(select(Topic.merged_into_id, Category.min_role).join(Topic.category)
                             .where(Topic.id == topic_id)).first()
    if row is None or (row.min_role is not None and row.min_role not in roles_up_to(viewer)):
        return None
    merged_into, target = row.merged_into_id, None
    for _ in range(10):
        if merged_into is None:
            break
        target = db.session.get(Topic, merged_into)
        merged_into = target.merged_into_id if target else None
    return target if target is not None and can_see(viewer, target) else None


def _merge_target(source: Topic, ref: str, by) -> Topic:
    ref = (ref or "").strip()
    found = TOPIC_ADDRESS.search(ref) or re.fullmatch(r"#?(\d+)", ref)
    if found is None:
        raise Invalid("Enter the number of the topic to merge into (e.g. 42) or paste its address.", field="target")
    topic_id = int(found.group(1))
    target = db.session.get(Topic, topic_id) if 1 <= topic_id < 2**31 else None
    if target is None or not can_see(by, target):  # a topic they can't see is one that isn't there, for them
        raise Invalid(f"No topic with that number (#{topic_id}). Open the topic you mean and copy its address from "
                      "the browser.", field="target")
    if target.id == source.id:
        raise Invalid("A topic can't be merged into itself: enter the other topic's number or address.",
                      field="target")
    if target.deleted_at is not None:
        raise Invalid(f"“{target.title}” is deleted: choose a topic people can read, or restore it first.",
                      field="target")
    if target.category.min_role is not None and target.category.min_role != source.category.min_role:
        raise Invalid(f"“{target.title}” is in the private category {target.category.name}: members who read this "
                      "topic could not read its posts there. Choose a topic they can see.", field="target")
    if source.category.min_role != target.category.min_role:
        raise Invalid(f"This topic is in the private category {source.category.name}, and more people read "
                      f"“{target.title}”: its posts would show to them. Choose a topic in a category with the same "
                      "readers, or move this topic first.", field="target")
    return target


def _title(title: str) -> str:
    low, high = current_app.config["FORUM_TITLE_LENGTH"]
    title = " ".join((title or "").split())
    if not low <= len(title) <= high:
        raise Invalid(f"A title has {low} to {high} characters: say what the new topic is about in a sentence.",
                      field="title")
    return title


def _why(what: str, reason: str) -> str:
    reason = (reason or "").strip()
    return f"{what}: {reason}" if reason else what


def _drop_answer(topic: Topic) -> Post | None:
    """Clear the topic's accepted answer; the caller sends answer_unaccepted once the change is flushed."""
    if topic.accepted_post_id is None:
        return None
    post = db.session.get(Post, topic.accepted_post_id)
    topic.accepted_post_id = topic.solved_at = None
    return post


def _unaccepted(post: Post | None, topic: Topic, by) -> None:
    if post is not None:
        signals.answer_unaccepted.send(post, topic=topic, by=by)


def _recount(*topics: Topic) -> None:
    """Recompute replies, the highest post number and the last post of topics whose posts moved in or out."""
    db.session.flush()
    alive = Post.deleted_at.is_(None)
    for topic in topics:
        replies, highest = db.session.execute(
            select(func.count(case((alive & (Post.number > 1), Post.id))), func.coalesce(func.max(Post.number), 0))
            .where(Post.topic_id == topic.id)).one()
        last = db.session.execute(select(Post.created_at, Post.author_id).where(Post.topic_id == topic.id, alive)
                                  .order_by(Post.created_at.desc(), Post.number.desc()).limit(1)).first()
        topic.reply_count, topic.highest_post_number = replies, highest
        if last is not None:
            topic.last_posted_at, topic.last_poster_id = last
    db.session.flush()


def _recount_categories(*category_ids: int) -> None:
    """Each category's topic_count is its live topics: recounted, so moves and merges can never drift it."""
    db.session.flush()
    live = (select(func.count(Topic.id)).where(Topic.category_id == Category.id, Topic.deleted_at.is_(None))
            .scalar_subquery())
    db.session.execute(update(Category).where(Category.id.in_(set(category_ids))).values(topic_count=live)
                       .execution_options(synchronize_session="fetch"))
