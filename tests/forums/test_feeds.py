"""Atom feeds: valid Atom 1.0 that feedparser reads without complaint, with the right entries."""

import feedparser

from community.extensions import db
from community.forums import services
from tests.factories import make_category, make_member, make_reply, make_topic


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_latest_feed_lists_topics_newest_first_with_solved_marks(client, app):
    asker = make_member("asker")
    older = make_topic(asker, title="An older question about exports")
    newer = make_topic(asker, title="A newer question about webhooks")
    services.accept_answer(older, make_reply(older), asker)
    db.session.commit()
    feed = parse(client, "/forums/latest.atom")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["[Solved] An older question about exports",
                                                "A newer question about webhooks"]
    assert feed.entries[1].link == f"http://localhost/t/{newer.id}-{newer.slug}"
    assert feed.entries[1].author == "asker"


def test_category_feed_holds_only_that_category(client, app):
    make_topic(category=make_category("billing"), title="Where do I find my invoices?")
    make_topic(category=make_category("integrations"), title="How do webhooks retry?")
    feed = parse(client, "/forums/c/billing.atom")
    assert [e.title for e in feed.entries] == ["Where do I find my invoices?"]
    assert client.get("/forums/c/nope.atom").status_code == 404


def test_topic_feed_has_every_post_with_its_html(client, app):
    topic = make_topic(body="The **question** in detail, with enough words.")
    make_reply(topic, make_member("helper"), "An answer with `code` in it, long enough.")
    feed = parse(client, f"/t/{topic.id}.atom")
    assert [e.title for e in feed.entries] == ["#1 by " + topic.author.name, "#2 by helper"]
    assert "<code>code</code>" in feed.entries[1].content[0].value


def test_private_topics_never_reach_a_feed_even_for_staff(client, login, app):
    staff_room = make_category("staff-room", kind="discussion", min_role="moderator")
    topic = make_topic(make_member("mod", role="moderator"), staff_room, "Moderation notes for this week")
    login("mod")
    assert "Moderation notes" not in client.get("/forums/latest.atom").get_data(as_text=True)
    assert client.get(f"/t/{topic.id}.atom").status_code == 404
    assert client.get("/forums/c/staff-room.atom").status_code == 404


def test_pages_announce_their_feed(client, app):
    topic = make_topic()
    assert 'type="application/atom+xml"' in client.get("/forums/").get_data(as_text=True)
    assert f'href="/t/{topic.id}.atom"' in client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
