"""Moderator actions: pin, close, delete and restore, each in the moderator log; authors delete their own posts."""

import pytest
from sqlalchemy import select

from community import signals
from community.core.errors import Conflict, NotAllowed
from community.extensions import db
from community.forums import moderation, services
from community.forums.models import Category, ModeratorAction, Post, Topic
from tests.factories import make_member, make_reply, make_topic


def log_entries():
    return [(e.action, e.reason) for e in db.session.scalars(select(ModeratorAction).order_by(ModeratorAction.id))]


def test_a_moderator_pins_and_closes_and_the_log_says_so(client, login, app):
    topic = make_topic(title="Read this before you post, please")
    other = make_topic(title="A newer topic that would otherwise lead")
    make_member("mod", role="moderator")
    login("mod")
    url = f"/t/{topic.id}-{topic.slug}"
    assert client.submit(f"/t/{topic.id}/pin", {"pinned": "1"}, page=url).status_code == 302
    forum = client.get("/forums/").get_data(as_text=True)
    assert forum.index(topic.title) < forum.index(other.title)
    assert client.submit(f"/t/{topic.id}/close", {"closed": "1"}, page=url).status_code == 302
    assert "This topic is closed" in client.get(url).get_data(as_text=True)
    again = client.submit(f"/t/{topic.id}/close", {"closed": "1"}, page=url)
    assert again.status_code == 409 and "already closed" in again.get_data(as_text=True)
    assert [a for a, _ in log_entries()] == ["pin", "close"]
    page = client.get("/forums/log").get_data(as_text=True)
    assert "Pin" in page and "Close" in page and topic.title in page


def test_members_cannot_pin_close_restore_or_read_the_log(client, login, app):
    topic = make_topic()
    make_member("lena")
    login("lena")
    url = f"/t/{topic.id}-{topic.slug}"
    assert "Moderator actions" not in client.get(url).get_data(as_text=True)
    assert client.submit(f"/t/{topic.id}/pin", {"pinned": "1"}, page=url).status_code == 403
    assert client.submit(f"/t/{topic.id}/close", {"closed": "1"}, page=url).status_code == 403
    assert client.get("/forums/log").status_code == 403
    assert db.session.get(Topic, topic.id).pinned_at is None and log_entries() == []


def test_an_author_deletes_a_reply_and_the_counts_and_accepted_answer_follow(app):
    asker = make_member("asker")
    topic = make_topic(asker)
    reply = make_reply(topic, make_member("helper"))
    services.accept_answer(topic, reply, asker)
    sent = []
    handler = lambda post, **kw: sent.append(post.id)  # noqa: E731
    signals.post_deleted.connect(handler)
    try:
        moderation.delete_post(reply, reply.author)
    finally:
        signals.post_deleted.disconnect(handler)
    db.session.commit()
    topic = db.session.get(Topic, topic.id)
    assert topic.reply_count == 0 and topic.accepted_post_id is None and sent == [reply.id]
    assert log_entries() == [("delete_post", "")]


def test_nobody_else_deletes_a_post_but_a_moderator_can_and_can_restore(app):
    topic = make_topic()
    reply = make_reply(topic)
    with pytest.raises(NotAllowed):
        moderation.delete_post(reply, make_member("bystander"))
    mod = make_member("mod", role="moderator")
    moderation.delete_post(reply, mod, "Spam link")
    with pytest.raises(Conflict):
        moderation.delete_post(reply, mod)
    with pytest.raises(NotAllowed):
        moderation.restore_post(reply, reply.author)
    moderation.restore_post(reply, mod, "Not spam after all")
    db.session.commit()
    assert db.session.get(Topic, topic.id).reply_count == 1 and db.session.get(Post, reply.id).deleted_at is None
    assert log_entries() == [("delete_post", "Spam link"), ("restore_post", "Not spam after all")]


def test_deleting_the_opening_post_deletes_the_topic_for_everyone_but_moderators(client, login, app):
    author = make_member("author")
    topic = make_topic(author, title="A topic its author regrets")
    make_member("mod", role="moderator")
    login("author")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    response = client.submit(f"/p/{first.id}/delete", page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 302 and response.headers["Location"] == "/forums/c/questions"
    assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 404
    assert topic.title not in client.get("/forums/").get_data(as_text=True)
    assert db.session.scalar(select(Category.topic_count)) == 0
    client.submit("/account/logout", page="/")
    login("mod")
    page = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert "Only moderators see it." in page and "Restore" in page
    assert client.submit(f"/p/{first.id}/restore", page=f"/t/{topic.id}-{topic.slug}").status_code == 302
    assert db.session.scalar(select(Category.topic_count)) == 1
    client.submit("/account/logout", page="/")
    assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200


def test_a_deleted_reply_vanishes_from_the_page_and_its_permalink(client, login, app):
    topic = make_topic()
    reply = make_reply(topic, body="A reply that will be deleted soon.")
    moderation.delete_post(reply, reply.author)
    db.session.commit()
    assert "A reply that will be deleted soon." not in client.get(f"/t/{topic.id}-{topic.slug}").get_data(
        as_text=True)
    assert client.get(f"/p/{reply.id}").status_code == 404


def test_the_moderator_says_why_and_the_log_keeps_it(client, login, app):
    topic = make_topic(title="Read this before you post, please")
    reply = make_reply(topic, body="Buy followers at a very low price, today only.")
    make_member("mod", role="moderator")
    login("mod")
    url = f"/t/{topic.id}-{topic.slug}"
    page = client.get(url).get_data(as_text=True)
    assert page.count("Reason (optional, for the moderator log)") >= 4  # pin, close, and each post's delete
    client.submit(f"/t/{topic.id}/pin", {"pinned": "1", "reason": "House rules for everyone"}, page=url)
    client.submit(f"/p/{reply.id}/delete", {"reason": "Advertising"}, page=url)
    client.submit(f"/p/{reply.id}/restore", {"reason": "Appeal upheld"}, page=url)
    assert log_entries() == [("pin", "House rules for everyone"), ("delete_post", "Advertising"),
                             ("restore_post", "Appeal upheld")]
    assert "Advertising" in client.get("/forums/log").get_data(as_text=True)


def test_a_moderator_unlists_a_topic_and_lists_it_again(client, login, app):
    topic = make_topic(title="A topic only its link should lead to")
    make_member("mod", role="moderator")
    make_member("member")
    login("member")
    assert client.submit(f"/t/{topic.id}/unlist", {"unlisted": "1"}, page=f"/t/{topic.id}-{topic.slug}"
                         ).status_code == 403
    login("mod")
    url = f"/t/{topic.id}-{topic.slug}"
    response = client.submit(f"/t/{topic.id}/unlist", {"unlisted": "1", "reason": "Duplicate of the FAQ"}, page=url,
                             follow_redirects=True)
    assert "Unlisted: it left the lists and feeds" in response.get_data(as_text=True)
    assert db.session.scalar(select(Topic.unlisted_at).where(Topic.id == topic.id)) is not None
    assert client.submit(f"/t/{topic.id}/unlist", {"unlisted": "1"}, page=url).status_code == 409
    client.submit(f"/t/{topic.id}/unlist", {"unlisted": "0"}, page=url)
    assert log_entries() == [("unlist", "Duplicate of the FAQ"), ("relist", "")]
