"""The forums' documents in the search index: one per topic (its title and opening post) and one per reply.

Any flush that adds, moves, edits, hides, deletes or restores a post or changes a topic queues the matching outbox
keys (`post:<id>`, `thread:<topic id>`) in the same transaction; a category whose privacy changes queues its
threads (`category:<id>`). Only topics everyone in their category may read are indexed: deleted, unlisted and
merged topics, topics whose opening post flags hid, and deleted or hidden replies are left out.
"""

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from .. import signals
from ..core import search
from ..core.permissions import ROLES
from ..core.text import plain
from .models import Category, Post, Topic

THREAD_ATTRS = ("title", "category_id", "deleted_at", "unlisted_at", "accepted_post_id", "merged_into_id", "tags",
                "author_id")
POST_ATTRS = ("body_html", "topic_id", "number", "deleted_at", "hidden_at", "author_id", "created_at")
CHUNK = 500


def _post_keys(post: Post, old) -> list[str]:
    keys = [f"post:{post.id}"]
    if old("topic_id") or old("number") or (post.number == 1 and (old("deleted_at") or old("hidden_at")
                                                                   or post.deleted_at or post.hidden_at)):
        keys.extend(f"thread:{topic_id}" for topic_id in {*old("topic_id"), post.topic_id} if topic_id)
    return keys


search.watch(Post, POST_ATTRS, _post_keys)
search.watch(Topic, THREAD_ATTRS, lambda topic, old: [f"thread:{topic.id}"])
search.watch(Category, ("min_role",), lambda category, old: [f"category:{category.id}"])


@signals.post_edited.connect
def _edited(post, **extra):
    """Edits write the body with a guarded UPDATE (no ORM change to see), so they say so here."""
    search.queue(Session.object_session(post), [f"post:{post.id}"])


# Documents -------------------------------------------------------------------------------------------------------

def _listed(topic: Topic) -> bool:
    return topic.deleted_at is None and topic.unlisted_at is None and topic.merged_into_id is None


def _shown(post: Post) -> bool:
    return post.deleted_at is None and post.hidden_at is None


def _visibility(category: Category) -> str:
    """Who may find the category's posts: everyone, its lowest role, or its audience (the advocates); a name the
    index doesn't know (a typo, a role added later) counts as the highest role rather than as public."""
    if category.min_role is None:
        return search.PUBLIC
    return category.min_role if category.min_role in search.VISIBILITIES else ROLES[-1]


def _doc(topic: Topic, post: Post) -> dict:
    opening = post.number == 1
    return {
        "key": f"topic:{topic.id}" if opening else f"post:{post.id}",
        "kind": "topic" if opening else "post",
        "id": topic.id if opening else post.id,
        "topic_id": str(topic.id),
        "number": post.number,
        "title": topic.title if opening else None,  # a reply is found by its own words; its topic by the title
        "body": plain(post.body_html),
        "tags": ",".join(sorted(tag.name for tag in topic.tags)),
        "category": str(topic.category_id),
        "author": str(post.author_id),
        "created": post.created_at,
        "solved": topic.accepted_post_id is not None,
        "visibility": _visibility(topic.category),
    }


def _thread_docs(topic: Topic, posts: list[Post]) -> list[dict]:
    """A topic's documents: none unless it is listed and its opening post shows."""
    opening = next((post for post in posts if post.number == 1), None)
    if not _listed(topic) or opening is None or not _shown(opening):
        return []
    return [_doc(topic, post) for post in posts if _shown(post)]


def _topics(session: Session, ids) -> dict[int, Topic]:
    query = select(Topic).where(Topic.id.in_(list(ids))).options(selectinload(Topic.category),
                                                                   selectinload(Topic.tags))
    return {topic.id: topic for topic in session.scalars(query)}


# What a document needs of a post, read as plain rows: a reindex reads every post, and building ORM objects
# (with the markdown source it doesn't need) was a tenth of its time.
POST_COLUMNS = (Post.id, Post.topic_id, Post.number, Post.author_id, Post.body_html, Post.created_at,
                Post.deleted_at, Post.hidden_at)


def _posts_of(session: Session, topic_ids) -> dict[int, list]:
    posts: dict[int, list] = {}
    for post in session.execute(select(*POST_COLUMNS).where(Post.topic_id.in_(list(topic_ids)))
                                .order_by(Post.number)):
        posts.setdefault(post.topic_id, []).append(post)
    return posts


def thread_changes(session: Session, topic_ids: list[int]) -> Iterator[search.Change]:
    for start in range(0, len(topic_ids), CHUNK):
        chunk = topic_ids[start:start + CHUNK]
        topics, posts = _topics(session, chunk), _posts_of(session, chunk)
        for topic_id in chunk:
            topic = topics.get(topic_id)
            docs = _thread_docs(topic, posts.get(topic_id, [])) if topic else []
            yield search.Change(drop=[("topic_id", str(topic_id))], docs=docs)


def post_changes(session: Session, post_ids: list[int]) -> Iterator[search.Change]:
    posts = {post.id: post for post in session.scalars(select(Post).where(Post.id.in_(post_ids)))}
    topics = _topics(session, {post.topic_id for post in posts.values()})
    openings = {post.topic_id: post for post in session.scalars(
        select(Post).where(Post.topic_id.in_(list(topics)), Post.number == 1))}
    for post_id in post_ids:
        post = posts.get(post_id)
        change = search.Change(drop=[("key", f"post:{post_id}")])
        if post is not None:
            topic, opening = topics[post.topic_id], openings.get(post.topic_id)
            alive = _listed(topic) and opening is not None and _shown(opening) and _shown(post)
            if alive:
                change.docs.append(_doc(topic, post))
            elif post.number == 1:
                change.drop.append(("key", f"topic:{topic.id}"))
        yield change


def category_changes(session: Session, category_ids: list[int]) -> Iterator[search.Change]:
    topic_ids = list(session.scalars(select(Topic.id).where(Topic.category_id.in_(category_ids)).order_by(Topic.id)))
    yield from thread_changes(session, topic_ids)


def everything(session: Session) -> Iterator[dict]:
    """Every forum document, a chunk of topics at a time."""
    after = 0
    while True:
        ids = list(session.scalars(select(Topic.id).where(Topic.id > after, Topic.deleted_at.is_(None),
                                                          Topic.unlisted_at.is_(None), Topic.merged_into_id.is_(None))
                                   .order_by(Topic.id).limit(CHUNK)))
        if not ids:
            return
        topics, posts = _topics(session, ids), _posts_of(session, ids)
        for topic_id in ids:
            yield from _thread_docs(topics[topic_id], posts.get(topic_id, []))
        session.expunge_all()  # keep memory flat on large communities
        after = ids[-1]


def count(session: Session) -> int:
    """How many documents `everything` yields: the shown posts of listed topics whose opening post shows."""
    opening = aliased(Post)
    listed = (Topic.deleted_at.is_(None), Topic.unlisted_at.is_(None), Topic.merged_into_id.is_(None))
    return session.scalar(
        select(func.count()).select_from(Post).join(Topic, Post.topic_id == Topic.id)
        .join(opening, (opening.topic_id == Topic.id) & (opening.number == 1))
        .where(*listed, Post.deleted_at.is_(None), Post.hidden_at.is_(None), opening.deleted_at.is_(None),
               opening.hidden_at.is_(None))) or 0


search.register(search.Source("thread", thread_changes, everything, count))
search.register(search.Source("post", post_changes))
search.register(search.Source("category", category_changes))
