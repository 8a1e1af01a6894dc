"""Read positions and "N new" counts on watched and tracked topics; unlisted topics out of every list and feed."""

import re

import pytest
from sqlalchemy import select

from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import notifications, trust
from community.forums.models import Watch
from tests.checkers import nu_errors
from tests.factories import PASSWORD, make_category, make_member, make_reply, make_topic

LISTS = ["/forums/", "/forums/c/questions", "/forums/?filter=watching"]


def signed_in(app, who):
    """A client of its own, signed in through the real form (several members side by side)."""
    client = app.test_client()
    assert client.submit("/account/login", {"login": who, "password": PASSWORD}).status_code == 302
    return client


def row(page: str, title: str) -> str | None:
    """The topic list row that shows this title, or None when the list leaves it out."""
    return next((chunk for chunk in page.split('<li class="topic-row')[1:] if title in chunk), None)


def badge(page: str, title: str) -> str | None:
    """What the "N new" badge of a topic's row says, hidden words included; None without a badge."""
    found = re.search(r'<a class="tag tag-new" href="([^"]*)">(\d+) new<span class="visually-hidden"> '
                      r'(posts?) since you last read</span></a>', row(page, title) or "")
    return f"{found[2]} new {found[3]} since you last read → {found[1]}" if found else None


def address(topic) -> str:
    return f"/t/{topic.id}-{topic.slug}"


def read_position(member, topic) -> int | None:
    db.session.commit()  # a fresh look
    return db.session.scalar(select(Watch.last_read_number).where(Watch.user_id == member.id,
                                                                  Watch.topic_id == topic.id))


def test_watched_and_tracked_topics_show_how_many_posts_came_since_the_member_last_read(client, app):
    reader = make_member("reader")
    topics = {level: make_topic(title=f"A topic the reader set to {level}") for level in
              ("watching", "tracking", "normal", "muted")}
    unwatched = make_topic(title="A topic the reader never chose a level for")
    for level, topic in topics.items():
        notifications.set_watch(reader, level, topic=topic)
    db.session.commit()
    for topic in [*topics.values(), unwatched]:
        trust.record_topic_view(reader, topic, 1, 1)  # read the opening post
    for topic, replies in [(topics["watching"], 3), (topics["tracking"], 1), (topics["normal"], 2),
                           (topics["muted"], 2), (unwatched, 2)]:
        for _ in range(replies):
            make_reply(topic)
    watching, tracking = topics["watching"], topics["tracking"]

    member = signed_in(app, "reader")
    pages = {url: member.get(url).get_data(as_text=True) for url in LISTS}
    for url, page in pages.items():
        assert badge(page, watching.title) == f"3 new posts since you last read → {address(watching)}#post-2"
        assert badge(page, tracking.title) == f"1 new post since you last read → {address(tracking)}#post-2"
        for title in (topics["normal"].title, topics["muted"].title, unwatched.title):
            assert (row(page, title) is None) if "watching" in url else ("tag-new" not in row(page, title))
    for page in (client.get("/forums/").get_data(as_text=True),  # anonymous
                 signed_in(app, make_member("someone-else").username).get("/forums/").get_data(as_text=True)):
        assert row(page, watching.title) and "tag-new" not in page
    assert nu_errors(pages) == []


def test_the_badge_leads_to_the_first_new_post_on_its_page(app):
    reader = make_member("reader")
    topic = make_topic(title="A long topic the reader tracks")
    for i in range(24):
        make_reply(topic, body=f"Reply number {i} with enough text.")
    notifications.set_watch(reader, "tracking", topic=topic)
    db.session.commit()
    trust.record_topic_view(reader, topic, 20, 20)  # page 1 of 2 (25 posts)
    page = signed_in(app, "reader").get("/forums/").get_data(as_text=True)
    assert badge(page, topic.title) == f"5 new posts since you last read → {address(topic)}?page=2#post-21"


def test_reading_raises_the_read_position_of_an_existing_watch_only_and_never_lowers_it(app, count_queries):
    reader, stranger = make_member("reader"), make_member("stranger")
    topic = make_topic()
    for _ in range(25):
        make_reply(topic)
    notifications.set_watch(reader, "tracking", topic=topic)
    db.session.commit()

    trust.record_topic_view(reader, topic, 6, 26)  # the last page first
    assert read_position(reader, topic) == 26
    trust.record_topic_view(reader, topic, 20, 20)  # then back to page 1: the position stays
    trust.record_topic_view(reader, topic, 20)  # a caller that doesn't say which posts: the position stays
    assert read_position(reader, topic) == 26
    trust.record_topic_view(stranger, topic, 20, 20)  # no watch row: none is made
    assert db.session.scalar(select(Watch).where(Watch.user_id == stranger.id)) is None

    def statements(*last_number):
        with count_queries() as counter:
            trust.record_topic_view(stranger, topic, 20, *last_number)
        return counter.count

    assert statements(20) <= statements() + 1


def test_reading_the_topic_pages_clears_the_count(app):
    reader = make_member("reader")
    topic = make_topic(title="A long topic the reader watches")
    for i in range(25):
        make_reply(topic, body=f"Reply number {i} with enough text.")
    notifications.set_watch(reader, "watching", topic=topic)
    db.session.commit()
    member = signed_in(app, "reader")
    assert badge(member.get("/forums/").get_data(as_text=True), topic.title).startswith("26 new posts")
    member.get(address(topic))
    assert badge(member.get("/forums/").get_data(as_text=True), topic.title).startswith("6 new posts")
    member.get(f"{address(topic)}?page=2")
    assert badge(member.get("/forums/").get_data(as_text=True), topic.title) is None
    make_reply(topic)
    assert badge(member.get("/forums/").get_data(as_text=True), topic.title).startswith("1 new post ")


@pytest.mark.parametrize("url", LISTS)
def test_lists_with_counts_issue_the_same_queries_for_5_or_50_watched_topics(app, count_queries, url):
    reader = make_member("reader")
    category = make_category()
    member = signed_in(app, "reader")
    made = []

    def grow(n):
        for i in range(n):
            topic = make_topic(category=category, title=f"Watched question number {len(made)} about invoices")
            notifications.set_watch(reader, "watching" if i % 2 else "tracking", topic=topic)
            db.session.commit()
            trust.record_topic_view(reader, topic, 1, 1)
            make_reply(topic)
            made.append(topic)

    def statements():
        with count_queries() as counter:
            page = member.get(url).get_data(as_text=True)
        assert badge(page, made[-1].title).startswith("1 new post ")
        return counter.count

    grow(5)
    few = statements()
    grow(45)
    assert statements() == few


def test_unlisted_topics_leave_every_list_and_feed_but_open_by_link(client, app):
    author = make_member("author")
    make_member("mod", role="moderator")
    watcher = make_member("watcher")
    hidden = make_topic(author, title="An unlisted question about invoices")
    listed = make_topic(title="A listed question about invoices")
    notifications.set_watch(watcher, "watching", topic=hidden)
    notifications.set_watch(watcher, "watching", topic=listed)
    hidden.unlisted_at = utcnow()
    db.session.commit()

    def shows(who, url):
        page = (signed_in(app, who) if who else client).get(url)
        assert page.status_code == 200
        assert "mine" in url or listed.title in page.get_data(as_text=True)
        return hidden.title in page.get_data(as_text=True)

    for url in ("/forums/", "/forums/c/questions", "/forums/?filter=unanswered", "/forums/?filter=unsolved"):
        assert not shows(None, url), url
        assert not shows("author", url), url
        assert shows("mod", url), url
    assert not shows(None, "/forums/latest.atom") and not shows(None, "/forums/c/questions.atom")
    assert not shows("watcher", "/forums/?filter=watching")
    assert shows("author", "/forums/?filter=mine")
    assert hidden.title in client.get(address(hidden)).get_data(as_text=True)
