"""Crafted addresses and input never end on a 500; lists show exactly what the viewer may see."""

import pytest
from sqlalchemy import func, select

from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import moderation
from community.forums.models import ModeratorAction, Notification, Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic

NUL_MESSAGE = "Your text contains a character we can&#39;t store (a NUL byte). Remove it and send again."
QUESTION = {"category": "questions", "title": "How do I connect my warehouse?",
            "body": "I tried the wizard but it times out after a minute.", "tags": "setup"}
FAR_KEYS = ["0001-01-01T00:00:00%2B14:00_1", "9999-12-31T23:59:59-14:00_1", "0001-01-01T00:00:00_1"]


# 1. Keyset cursors that no page of ours made -------------------------------------------------------------------

@pytest.mark.parametrize("key", FAR_KEYS[:2])
def test_cursors_beyond_the_calendar_are_404_not_500(client, login, app, key):
    category = make_category()
    make_topic(category=category)
    make_member("reader")
    login("reader")
    for url in (f"/forums/?after={key}", f"/forums/c/{category.slug}?after={key}", f"/notifications?after={key}"):
        assert client.get(url).status_code == 404, url


def test_a_cursor_at_the_start_of_the_calendar_is_an_empty_page(client, app):
    make_topic(title="How do I connect my warehouse?")
    response = client.get(f"/forums/?after={FAR_KEYS[2]}")
    assert response.status_code == 200 and "How do I connect my warehouse?" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/forums/log", "/u/", "/manage/"])  # search pages by number: tests/site
def test_numeric_cursors_too_large_for_an_id_are_404(client, login, app, url):
    make_member("boss", role="admin")
    login("boss")
    assert client.get(url).status_code == 200
    for after in ("99999999999999999999999", str(2**31), "-99999999999999999999999", "0"):
        assert client.get(f"{url}{'&' if '?' in url else '?'}after={after}").status_code == 404, after


def test_a_real_numeric_cursor_still_pages(client, login, app):
    boss = make_member("boss", role="moderator")
    login("boss")
    topic = make_topic(title="How do I connect my warehouse?")
    for _ in range(3):
        moderation.log(boss, "pin", topic, reason="A note for the log")
    db.session.commit()
    newest = db.session.scalar(select(func.max(ModeratorAction.id)))
    assert client.get(f"/forums/log?after={newest}").status_code == 200


# 2. NUL bytes -----------------------------------------------------------------------------------------------------

def test_a_nul_byte_in_a_form_is_a_400_that_says_why(client, login, app):
    make_category()
    make_member("asker")
    login("asker")
    response = client.submit("/forums/ask", {**QUESTION, "body": "I tried the wizard\x00 but it times out."})
    assert response.status_code == 400
    assert NUL_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(Topic)) is None
    assert client.submit("/forums/ask", QUESTION).status_code == 302  # the same form without it goes through


def test_a_nul_byte_in_a_reply_a_bio_or_a_query_is_refused_too(client, login, app):
    topic = make_topic()
    make_member("writer")
    login("writer")
    reply = client.submit(f"/t/{topic.id}/reply", {"body": "Try the advanced\x00 settings, it worked."},
                          page=f"/t/{topic.id}-{topic.slug}")
    assert reply.status_code == 400 and NUL_MESSAGE in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Post.id))) == 1
    bio = client.submit("/account/profile", {"display_name": "Writer", "bio": "Hello\x00", "time_zone": "UTC"})
    assert bio.status_code == 400 and NUL_MESSAGE in bio.get_data(as_text=True)
    for url in ("/search?q=ware%00house", "/u/?q=%00", "/forums/?after=%00"):
        response = client.get(url)
        assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True), url


def test_a_nul_byte_in_an_address_is_a_404(client, app):
    make_category()
    for url in ("/forums/c/ques%00tions", "/u/mem%00ber"):
        assert client.get(url).status_code == 404, url


# 3. Pinned topics -------------------------------------------------------------------------------------------------

def test_every_pinned_topic_shows_on_the_first_page(client, app):
    category, author = make_category(), make_member()
    pinned = [make_topic(author, category, f"Pinned notice number {i:02} for all") for i in range(12)]
    for topic in pinned:
        topic.pinned_at = utcnow()
    db.session.commit()
    for url in ("/forums/", f"/forums/c/{category.slug}", "/forums/latest.atom"):
        page = client.get(url).get_data(as_text=True)
        assert all(t.title in page for t in pinned), url


# 4. Topics whose opening post is hidden by flags ----------------------------------------------------------------

def _hidden_topic():
    category = make_category()
    asker = make_member("asker")
    shown = make_topic(asker, category, "A question everyone can still read")
    hidden = make_topic(asker, category, "A question that flags have hidden")
    make_reply(hidden)
    db.session.scalar(select(Post).where(Post.topic_id == hidden.id, Post.number == 1)).hidden_at = utcnow()
    db.session.commit()
    return category, shown, hidden


def test_a_topic_with_a_hidden_opening_post_leaves_lists_and_feeds(client, login, app):
    category, shown, hidden = _hidden_topic()
    make_member("reader")
    urls = ("/forums/", f"/forums/c/{category.slug}", "/forums/?filter=unsolved", "/forums/latest.atom",
            f"/forums/c/{category.slug}.atom")
    for signed_in in (False, True):
        if signed_in:
            login("reader")
        for url in urls:
            page = client.get(url).get_data(as_text=True)
            assert shown.title in page and hidden.title not in page, url
    assert client.get(f"/t/{hidden.id}-{hidden.slug}").status_code == 200  # the topic page shows the notice


def test_moderators_still_list_it_and_its_author_finds_it_in_my_topics(client, login, app):
    category, _shown, hidden = _hidden_topic()
    login("asker")
    assert hidden.title not in client.get("/forums/").get_data(as_text=True)
    assert hidden.title in client.get("/forums/?filter=mine").get_data(as_text=True)
    make_member("mod", role="moderator")
    login("mod")  # (signing in as someone else replaces the session)
    for url in ("/forums/", f"/forums/c/{category.slug}"):
        assert hidden.title in client.get(url).get_data(as_text=True), url


def test_a_hidden_pinned_topic_leaves_the_pinned_rows_too(client, app):
    _category, shown, hidden = _hidden_topic()
    hidden.pinned_at = utcnow()
    db.session.commit()
    page = client.get("/forums/").get_data(as_text=True)
    assert shown.title in page and hidden.title not in page


# 5. Notifications about topics moved out of sight ----------------------------------------------------------------

def test_notifications_about_a_topic_moved_to_a_private_category_disappear(client, login, app):
    asker = make_member("asker")
    topic = make_topic(asker, make_category(), "A question that moved to the staff room")
    make_reply(topic, make_member("helper"))
    db.session.add(Notification(user_id=asker.id, kind="flagged"))  # a notification about no topic
    db.session.commit()
    login("asker")
    page = client.get("/notifications").get_data(as_text=True)
    assert "helper replied to your topic “A question that moved to the staff room”" in page
    moderation.move_topic(topic, make_category("staff", kind="discussion", min_role="moderator"),
                          make_member("mod", role="moderator"))
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "staff room" not in page and "Your post in “a topic” is hidden" in page
