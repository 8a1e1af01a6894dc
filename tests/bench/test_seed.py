"""The benchmark's community, seeded on a tiny size: the rows it promises, consistent with what the portal itself
would have written (counters, accepted answers, rendered bodies), usable afterwards (new posts get fresh ids on
PostgreSQL too) and searchable after a reindex."""

import pytest
from sqlalchemy import func, select

from bench import seed as bench_seed
from community.accounts.models import User
from community.core import search
from community.core import text as core_text
from community.core.permissions import ROLES
from community.extensions import db
from community.forums.models import Category, Post, Topic
from tests.factories import make_member, make_reply

TINY = bench_seed.SIZES["tiny"]


def test_seeding_writes_the_promised_community(app):
    counts = bench_seed.seed(TINY)
    assert counts["members"] == db.session.scalar(select(func.count(User.id))) == TINY.members
    assert db.session.scalar(select(func.count(Category.id))) == TINY.categories
    assert db.session.scalar(select(func.count(Topic.id))) == TINY.topics
    assert counts["posts"] == db.session.scalar(select(func.count(Post.id))) == TINY.posts
    longest = db.session.scalar(select(func.max(Topic.reply_count)))
    assert longest == TINY.long_topic - 1  # the long thread

    for topic in db.session.scalars(select(Topic)).all():
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id).order_by(Post.number)).all()
        numbers = [post.number for post in posts]
        assert numbers == list(range(1, topic.highest_post_number + 1)) and topic.reply_count == len(numbers) - 1
        last = posts[-1]
        assert (topic.last_poster_id, topic.last_posted_at) == (last.author_id, last.created_at)
        if topic.accepted_post_id is not None:
            assert db.session.get(Post, topic.accepted_post_id).topic_id == topic.id
    for category in db.session.scalars(select(Category)):
        assert category.topic_count == db.session.scalar(select(func.count(Topic.id))
                                                         .where(Topic.category_id == category.id))
    for post in db.session.scalars(select(Post).limit(15)):
        assert post.body_html == core_text.render(post.body)  # what the portal renders for the same words


def test_seeding_is_deterministic():
    import random

    first = bench_seed.Words(random.Random(1))
    second = bench_seed.Words(random.Random(1))
    assert [first.title() for _ in range(20)] == [second.title() for _ in range(20)]


def test_a_seeded_community_takes_new_posts_and_is_found_by_search(app, indexing):
    bench_seed.seed(TINY)
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    post = make_reply(topic, make_member(), body="Zanzibar harbour cranes, checked twice.")
    assert post.id == TINY.posts + 1  # the sequences continue after the seeded ids (PostgreSQL)
    assert search.reindex(app) == search.expected_count(db.session)
    found = search.search("zanzibar", visible=(search.PUBLIC, *ROLES))
    assert [hit.key for hit in found.hits] == [f"post:{post.id}"]
    differences = search.check()
    assert (differences.missing, differences.extra, differences.stale) == ([], [], [])


def test_seeding_refuses_a_database_that_has_members(app):
    make_member("already_here")
    with pytest.raises(SystemExit, match="already has members"):
        bench_seed.seed(TINY)
