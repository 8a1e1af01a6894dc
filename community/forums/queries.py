"""Reads for forum pages: a fixed number of queries per page, whatever the size of the community."""

from datetime import UTC, datetime, timedelta

from flask import abort, current_app
from sqlalchemy import and_, case, exists, false, literal, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from ..core.pagination import Page, keyset
from ..core.permissions import has_role, roles_up_to
from ..core.timeutil import aware, utcnow
from ..extensions import db
from .models import Category, ModeratorAction, Notification, Post, Thanks, Topic, Watch

EMPTY = {
    "latest": "No topic here yet. Ask the first question!",
    "unanswered": "Every topic here has a reply. Thank you, everyone!",
    "unsolved": "Every question here has an accepted answer.",
    "solved": "No question here is marked solved yet.",
    "mine": "You haven't opened a topic yet. Ask your first question!",
    "watching": "You watch no topic here yet. Topics you ask or answer are watched for you.",
}
FILTERS = {
    "latest": "Latest",
    "unanswered": "Unanswered",
    "unsolved": "Unsolved",
    "solved": "Solved",
    "mine": "My topics",
    "watching": "Watching",
}
SIGNED_IN_FILTERS = ("mine", "watching")
PINNED_MAX = 50  # every pinned topic shows on a list's first page; pins are few by nature, this only bounds a page


def _visible(viewer):
    return or_(Category.min_role.is_(None), Category.min_role.in_(roles_up_to(viewer)))


def categories(viewer) -> list[Category]:
    return list(db.session.scalars(select(Category).where(_visible(viewer)).order_by(Category.position)))


def category_or_404(slug: str, viewer) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug, _visible(viewer)))
    if category is None:
        abort(404)
    return category


def _alive(model, viewer):
    """Deleted rows are gone for everyone but moderators, who can restore them."""
    return true() if has_role(viewer, "moderator") else model.deleted_at.is_(None)


def topic_or_404(topic_id: int, viewer) -> Topic:
    topic = db.session.scalar(select(Topic).join(Topic.category).options(contains_eager(Topic.category)).where(
        Topic.id == topic_id, _alive(Topic, viewer), _visible(viewer)))
    if topic is None:
        abort(404)
    return topic


def post_or_404(post_id: int, viewer) -> Post:
    post = db.session.scalar(select(Post).join(Post.topic).join(Topic.category).where(
        Post.id == post_id, _alive(Post, viewer), _alive(Topic, viewer), _visible(viewer)))
    if post is None:
        abort(404)
    return post


def moderator_log(after: int | None, per_page: int = 50):
    query = select(ModeratorAction).options(joinedload(ModeratorAction.actor), joinedload(ModeratorAction.topic))
    return keyset(query, ModeratorAction.id, after, per_page)


def _opening_post_shown(viewer, name: str):
    """A topic whose question flags have hidden leaves the lists (and feeds) until a moderator decides; moderators
    still list it, and its author finds it in "My topics". One NOT EXISTS inside the list's own query."""
    if name == "mine" or has_role(viewer, "moderator"):
        return true()
    return ~exists().where(Post.topic_id == Topic.id, Post.number == 1, Post.hidden_at.is_not(None))


def _listed(viewer, name: str):
    """An unlisted topic is out of every list and feed (its page stays open by link); moderators still list it, and
    its author finds it in "My topics"."""
    if name == "mine" or has_role(viewer, "moderator"):
        return true()
    return Topic.unlisted_at.is_(None)


def _list_query(viewer, name: str, category: Category | None):
    """Topics with, for a signed-in viewer, how many posts came after their read position in the topics they watch
    or track (0 elsewhere): the viewer's topic watch is outer-joined into the same query."""
    member_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    new_posts = literal(0)
    query = select(Topic)
    if member_id is not None:
        new_posts = case((Watch.id.is_(None), 0), else_=Topic.highest_post_number - Watch.last_read_number)
        query = query.outerjoin(Watch, and_(Watch.topic_id == Topic.id, Watch.user_id == member_id,
                                            Watch.level.in_(("watching", "tracking"))))
    query = (query.add_columns(new_posts.label("new_posts")).join(Topic.category)
             .where(Topic.deleted_at.is_(None), _visible(viewer), _opening_post_shown(viewer, name),
                    _listed(viewer, name))
             .options(contains_eager(Topic.category), joinedload(Topic.author), joinedload(Topic.last_poster),
                      selectinload(Topic.tags)))
    if category is not None:
        query = query.where(Topic.category_id == category.id)
    if name == "unanswered":
        query = query.where(Topic.reply_count == 0)
    elif name == "unsolved":
        query = query.where(Category.kind == "questions", Topic.accepted_post_id.is_(None))
    elif name == "solved":
        query = query.where(Topic.accepted_post_id.is_not(None))
    elif name == "mine":
        query = query.where(Topic.author_id == member_id)
    elif name == "watching":
        query = query.where(Watch.id.is_not(None) if member_id is not None else false())
    return query


def _topics(query) -> list[Topic]:
    """Run a list query; each topic gets `new_posts` (posts past the viewer's read position, 0 if none or unknown)
    and `read_up_to` (the last post number they read, for a link to the first new one)."""
    topics = []
    for topic, new_posts in db.session.execute(query).unique():
        topic.new_posts = max(new_posts or 0, 0)
        topic.read_up_to = topic.highest_post_number - topic.new_posts
        topics.append(topic)
    return topics


def topic_list(viewer, name: str = "latest", category: Category | None = None, after: str | None = None):
    """(pinned topics, a page of the rest by last activity). Keyset: `after` is "<iso time>_<id>" of the last row.
    All pinned topics (up to PINNED_MAX, newest pin first) come with the first page, in one query. Each topic
    carries `new_posts` for the viewer (see `_topics`)."""
    per_page = current_app.config["FORUM_TOPICS_PER_PAGE"]
    base = _list_query(viewer, name, category)
    pinned = [] if after else _topics(
        base.where(Topic.pinned_at.is_not(None)).order_by(Topic.pinned_at.desc(), Topic.id.desc()).limit(PINNED_MAX))
    query = base.where(Topic.pinned_at.is_(None))
    key = _parse_after(after)
    if key is not None:
        query = query.where(or_(Topic.last_posted_at < key[0],
                                (Topic.last_posted_at == key[0]) & (Topic.id < key[1])))
    rows = _topics(query.order_by(Topic.last_posted_at.desc(), Topic.id.desc()).limit(per_page + 1))
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_after = f"{aware(rows[-1].last_posted_at).isoformat()}_{rows[-1].id}" if more else None
    return pinned, Page(rows, next_after)


def _parse_after(after: str | None):
    """The (time, id) key of a list page's link; a key that was not made by us is a page that doesn't exist."""
    if not after:
        return None
    stamp, _, topic_id = after.rpartition("_")
    try:
        key = aware(datetime.fromisoformat(stamp)).astimezone(UTC), int(topic_id)
    except (ValueError, OverflowError):  # OverflowError: a time near year 1 or 9999 that UTC can't hold
        abort(404)
    if not 1 <= key[1] < 2**31:
        abort(404)
    return key


def topic_page(topic: Topic, page: int, viewer):
    """The posts of one page (20 by post number, so #post-<n> links never move); the viewer's thanks on them
    ({post id: still undoable?}); the accepted answer; the number of pages. 404 for a page that doesn't exist."""
    per_page = current_app.config["FORUM_POSTS_PER_PAGE"]
    pages = max(1, -(-topic.highest_post_number // per_page))
    if not 1 <= page <= pages:
        abort(404)
    first = (page - 1) * per_page + 1
    posts = list(db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, _alive(Post, viewer),
                           Post.number.between(first, first + per_page - 1))
        .options(joinedload(Post.author)).order_by(Post.number)))
    thanked = {}
    if getattr(viewer, "is_authenticated", False):
        undo_since = utcnow() - timedelta(minutes=current_app.config["FORUM_THANKS_UNDO_MINUTES"])
        thanked = {post_id: aware(at) > undo_since for post_id, at in db.session.execute(
            select(Thanks.post_id, Thanks.created_at).where(
                Thanks.user_id == viewer.id, Thanks.post_id.in_([p.id for p in posts])))}
    accepted = None
    if topic.accepted_post_id:
        accepted = db.session.scalar(select(Post).where(Post.id == topic.accepted_post_id)
                                     .options(joinedload(Post.author)))
    return posts, thanked, accepted, pages


def page_of(number: int) -> int:
    return (number - 1) // current_app.config["FORUM_POSTS_PER_PAGE"] + 1


def latest_posts(topic: Topic, limit: int = 50) -> list[Post]:
    """The newest posts of a topic, oldest first (for its feed)."""
    posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id, Post.deleted_at.is_(None),
                                                  Post.hidden_at.is_(None))
                               .options(joinedload(Post.author)).order_by(Post.number.desc()).limit(limit))
    return list(reversed(list(posts)))


def notifications(user, after: str | None, per_page: int = 30):
    """A member's notifications, newest first (batched thanks move up when another thank-you joins them), with
    what each needs to be said and linked: one query a page. `after` is "<iso time>_<id>" of the last row.
    Notifications about a topic the member can no longer read (deleted, or moved to a category above their role)
    are left out; those about no topic stay."""
    query = (select(Notification).outerjoin(Notification.topic).outerjoin(Topic.category)
             .where(Notification.user_id == user.id,
                    or_(Notification.topic_id.is_(None), and_(_alive(Topic, user), _visible(user))))
             .options(contains_eager(Notification.topic).contains_eager(Topic.category),
                      joinedload(Notification.actor)))
    key = _parse_after(after)
    if key is not None:
        query = query.where(or_(Notification.created_at < key[0],
                                (Notification.created_at == key[0]) & (Notification.id < key[1])))
    rows = list(db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .limit(per_page + 1)))
    more, rows = len(rows) > per_page, rows[:per_page]
    return Page(rows, f"{aware(rows[-1].created_at).isoformat()}_{rows[-1].id}" if more else None)


# Search results --------------------------------------------------------------------------------------------------

def search_items(hits, viewer) -> dict[str, dict]:
    """The topics and posts behind search hits, checked again against the database (deleted, hidden, unlisted or
    private ones are dropped even if the index has not caught up yet): key → what the result shows. 2 queries."""
    topic_ids = {hit.topic_id for hit in hits if hit.kind in ("topic", "post")}
    post_ids = {hit.id for hit in hits if hit.kind == "post"}
    if not topic_ids:
        return {}
    topics = {topic.id: topic for topic in db.session.scalars(
        select(Topic).join(Topic.category).options(contains_eager(Topic.category), selectinload(Topic.tags))
        .where(Topic.id.in_(topic_ids), _visible(viewer), *_searchable_topic()))}
    posts = {post.id: post for post in db.session.scalars(  # (the result shows no post text: the index's snippet)
        select(Post).options(load_only(Post.id, Post.topic_id, Post.number, Post.author_id, Post.created_at))
        .where(Post.id.in_(post_ids), Post.deleted_at.is_(None), Post.hidden_at.is_(None)))} if post_ids else {}
    items = {}
    for hit in hits:
        topic = topics.get(hit.topic_id)
        if topic is None or (hit.kind == "post" and hit.id not in posts):
            continue
        post = posts.get(hit.id) if hit.kind == "post" else None
        items[hit.key] = {"topic": topic, "post": post, "author_id": post.author_id if post else topic.author_id}
    return items


def _searchable_topic():
    """What the index holds, asked again of the database: listed, not merged, its question not hidden by flags."""
    return (Topic.deleted_at.is_(None), Topic.unlisted_at.is_(None), Topic.merged_into_id.is_(None),
            ~exists().where(Post.topic_id == Topic.id, Post.number == 1, Post.hidden_at.is_not(None)))


def similar_topics(ids: list[int], viewer) -> list[Topic]:
    """Topics by id in the given order (suggestions while asking), solved ones first, each with its accepted answer
    loaded; the ones the viewer may not see are left out. 2 queries."""
    if not ids:
        return []
    found = {topic.id: topic for topic in db.session.scalars(
        select(Topic).join(Topic.category)
        .options(contains_eager(Topic.category), selectinload(Topic.accepted_post))
        .where(Topic.id.in_(ids), _visible(viewer), *_searchable_topic()))}
    ordered = [found[i] for i in ids if i in found]
    return sorted(ordered, key=lambda topic: topic.accepted_post_id is None)  # stable: relevance within each group
