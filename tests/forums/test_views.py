"""Forum pages for anonymous people, members, authors and moderators."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.extensions import db
from community.forums import services
from community.forums import services as forums
from community.forums.models import Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic

QUESTION = {"category": "questions", "title": "How do I connect my warehouse?",
            "body": "I tried the wizard but it times out after a minute.", "tags": "setup, warehouse"}


def test_anyone_reads_the_forum_lists_and_topics(client, app):
    topic = make_topic(title="How do I connect my warehouse?")
    make_reply(topic, body="Raise the **timeout** to 120 seconds.")
    forum = client.get("/forums/").get_data(as_text=True)
    assert "How do I connect my warehouse?" in forum and "Questions" in forum
    page = client.get(f"/t/{topic.id}-{topic.slug}")
    assert page.status_code == 200 and "<strong>timeout</strong>" in page.get_data(as_text=True)
    assert "Sign in</a> or <a" in page.get_data(as_text=True)


def test_topic_address_without_or_with_an_old_slug_redirects_to_the_canonical_one(client, app):
    topic = make_topic(title="How do I connect my warehouse?")
    response = client.get(f"/t/{topic.id}-old-name")
    assert response.status_code == 301 and response.headers["Location"] == f"/t/{topic.id}-{topic.slug}"
    assert client.get(f"/t/{topic.id}").status_code == 301


def test_unknown_topics_posts_categories_filters_and_pages_are_404(client, app):
    topic = make_topic()
    for url in ("/t/999", "/p/999", "/forums/c/nope", "/forums/?filter=nope", "/t/99999999999", "/p/99999999999",
                "/t/99999999999.atom", f"/t/{topic.id}-{topic.slug}?page=200000000",
                f"/t/{topic.id}-{topic.slug}?page=0"):
        assert client.get(url).status_code == 404, url


def test_the_canonical_redirect_keeps_only_the_page(client, app):
    topic = make_topic()
    response = client.get(f"/t/{topic.id}?slug=x&topic_id=5&_external=1&_anchor=x&page=1",
                          headers={"Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/t/{topic.id}-{topic.slug}?page=1"


def test_my_topics_asks_anonymous_visitors_to_sign_in(client, app):
    response = client.get("/forums/?filter=mine")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_member_asks_a_question(client, login, app):
    make_category()
    make_member("asker")
    login("asker")
    response = client.submit("/forums/ask", QUESTION)
    topic = db.session.scalar(select(Topic))
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{topic.id}-{topic.slug}"
    assert [t.name for t in topic.tags] == ["setup", "warehouse"]
    assert "Your topic is posted." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_asking_needs_an_account(client, app):
    assert client.get("/forums/ask").status_code == 302


def test_a_bad_question_comes_back_with_what_to_fix_and_the_text_kept(client, login, app):
    make_category()
    make_member("asker")
    login("asker")
    response = client.submit("/forums/ask", {**QUESTION, "title": "Help"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A title has 15 to 255 characters" in page
    assert "I tried the wizard but it times out after a minute." in page and 'value="Help"' in page
    assert db.session.scalar(select(Topic)) is None


def test_preview_shows_the_rendered_question_without_posting(client, login, app):
    make_category()
    make_member("asker")
    login("asker")
    response = client.submit("/forums/ask", {**QUESTION, "body": "Use **bold** here, please look.",
                                             "preview": "Preview"})
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.get_data(as_text=True)
    assert db.session.scalar(select(Topic)) is None


def test_member_replies_and_lands_on_their_post(client, login, app):
    topic = make_topic()
    make_member("helper")
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "Raise the timeout to 120 seconds."},
                             page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 302 and response.headers["Location"].endswith("#post-2")


def test_a_short_reply_keeps_the_text_and_says_why(client, login, app):
    topic = make_topic()
    make_member("helper")
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "Too short"}, page=f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write at least 20 characters" in page and "Too short</textarea>" in page


def test_closed_topic_refuses_a_reply_with_409(client, login, app):
    topic = make_topic()
    topic.locked_at = topic.created_at
    db.session.commit()
    make_member("helper")
    login("helper")
    response = client.submit(f"/t/{topic.id}/reply", {"body": "A reply that is long enough."}, page="/forums/")
    assert response.status_code == 409 and "This topic is closed" in response.get_data(as_text=True)


def test_the_asker_accepts_and_the_answer_shows_under_the_question(client, login, app):
    asker = make_member("asker")
    topic = make_topic(asker)
    reply = make_reply(topic, make_member("helper", display_name="Helpful Hana"), "Set **retries** to five.")
    login("asker")
    page_url = f"/t/{topic.id}-{topic.slug}"
    assert "This solved it" in client.get(page_url).get_data(as_text=True)
    response = client.submit(f"/p/{reply.id}/accept", page=page_url)
    assert response.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "Solved by <a" in page and "Helpful Hana" in page and page.count("<strong>retries</strong>") == 2
    assert "✓ Solved" in client.get("/forums/?filter=solved").get_data(as_text=True)


def test_another_member_cannot_accept_and_is_told_why(client, login, app):
    topic = make_topic(make_member("asker"))
    reply = make_reply(topic)
    make_member("bystander")
    login("bystander")
    assert "This solved it" not in client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    response = client.submit(f"/p/{reply.id}/accept", page="/forums/")
    assert response.status_code == 403 and "Only the person who asked" in response.get_data(as_text=True)
    assert db.session.get(Topic, topic.id).accepted_post_id is None


def test_thanks_and_undo(client, login, app):
    topic = make_topic()
    reply = make_reply(topic)
    make_member("fan")
    login("fan")
    page_url = f"/t/{topic.id}-{topic.slug}"
    assert client.submit(f"/p/{reply.id}/thanks", page=page_url).status_code == 302
    assert "♥ Thanked · 1" in client.get(page_url).get_data(as_text=True)
    assert client.submit(f"/p/{reply.id}/thanks", {"undo": "1"}, page=page_url).status_code == 302
    assert db.session.get(Post, reply.id).thanks_count == 0
    again = client.submit(f"/p/{reply.id}/thanks", {"undo": "1"}, page=page_url)
    assert again.status_code == 409


def test_private_categories_are_invisible_below_their_role(client, login, app):
    staff_room = make_category("staff-room", kind="questions", min_role="moderator")
    topic = make_topic(make_member("mod", role="moderator"), staff_room, "Moderation notes for this week")
    reply = make_reply(topic, make_member("mod2", role="moderator"))
    make_member("lena")
    assert client.get(f"/t/{topic.id}").status_code == 404
    login("lena")
    assert client.get("/forums/c/staff-room").status_code == 404
    assert "Moderation notes" not in client.get("/forums/").get_data(as_text=True)
    assert client.get(f"/p/{reply.id}").status_code == 404
    assert "staff-room" not in client.get("/forums/ask").get_data(as_text=True)
    for url, data in ((f"/p/{reply.id}/thanks", {}), (f"/p/{reply.id}/accept", {}),
                      (f"/t/{topic.id}/unaccept", {}), (f"/t/{topic.id}/reply", {"body": "A long enough reply."})):
        assert client.submit(url, data, page="/forums/").status_code == 404, url
    assert db.session.get(Post, reply.id).thanks_count == 0
    client.submit("/account/logout", page="/")
    login("mod")
    assert client.get(f"/t/{topic.id}-{topic.slug}").status_code == 200


def test_lists_filter_unanswered_unsolved_solved_and_mine(client, login, app):
    me = make_member("myself")
    waiting = make_topic(me, title="A question nobody answered yet")
    answered = make_topic(title="A question with a reply but no answer")
    make_reply(answered)
    solved = make_topic(me, title="A question that someone solved")
    services.accept_answer(solved, make_reply(solved), me)
    db.session.commit()
    login("myself")

    def titles(name):
        return {t for t in (waiting.title, answered.title, solved.title)
                if t in client.get(f"/forums/?filter={name}").get_data(as_text=True)}

    assert titles("unanswered") == {waiting.title}
    assert titles("unsolved") == {waiting.title, answered.title}
    assert titles("solved") == {solved.title}
    assert titles("mine") == {waiting.title, solved.title}


def test_topic_lists_page_by_key(client, app):
    app.config["FORUM_TOPICS_PER_PAGE"] = 2
    category = make_category()
    author = make_member()
    titles = [make_topic(author, category, f"Question number {i} about warehouses").title for i in range(5)]
    first = client.get("/forums/").get_data(as_text=True)
    assert titles[4] in first and titles[3] in first and titles[2] not in first
    after = first.split("after=", 1)[1].split('"', 1)[0]
    second = client.get(f"/forums/?after={after}").get_data(as_text=True)
    assert titles[2] in second and titles[1] in second and titles[4] not in second
    assert client.get("/forums/?after=garbage").status_code == 404
    assert client.get("/forums/?after=2020-01-01T00:00:00_99999999999999999999").status_code == 404


def test_topics_with_the_same_time_are_neither_lost_nor_repeated_across_pages(client, app):
    app.config["FORUM_TOPICS_PER_PAGE"] = 2
    category, author = make_category(), make_member()
    topics = [make_topic(author, category, f"Question number {i} about warehouses") for i in range(5)]
    same = topics[0].last_posted_at
    for topic in topics:
        topic.last_posted_at = same
    db.session.commit()
    seen, url = [], "/forums/"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [t.title for t in topics if t.title in page]
        url = "/forums/?after=" + page.split("after=", 1)[1].split('"', 1)[0] if "after=" in page else None
    assert sorted(seen) == sorted(t.title for t in topics) and len(seen) == 5


def test_long_topics_have_pages_and_permalinks_land_on_the_right_one(client, app):
    topic = make_topic()
    replies = [make_reply(topic, body=f"Reply number {i} with enough text.") for i in range(25)]
    response = client.get(f"/p/{replies[-1].id}")
    assert response.headers["Location"] == f"/t/{topic.id}-{topic.slug}?page=2#post-26"
    page2 = client.get(f"/t/{topic.id}-{topic.slug}?page=2").get_data(as_text=True)
    assert "Reply number 24 with enough text." in page2 and "Reply number 10 with" not in page2
    assert client.get(f"/t/{topic.id}-{topic.slug}?page=3").status_code == 404


@pytest.mark.parametrize("url", ["/forums/", "/forums/c/questions", "/forums/?filter=unsolved", "topic",
                                 "/forums/latest.atom"])
def test_forum_pages_issue_the_same_queries_for_5_or_50_rows(client, login, count_queries, app, url):
    category = make_category()
    reader = make_member("reader")
    login("reader")
    asker = make_member("asker")
    topic = make_topic(asker, category, tags=["a", "b"])
    pinned = make_topic(category=make_category("news", kind="discussion"), title="Read this first, everyone")
    pinned.pinned_at = pinned.created_at
    db.session.commit()

    def grow(n):  # (repliers who take no mail: everyone watches the topic, so mail would grow with n²)
        for i in range(n):
            reply = make_reply(topic, make_member(mail="none"), body=f"Reply number {i} with enough text.")
            forums.thank(reply, reader)
            other = make_topic(category=make_category(f"area-{i % 7}"), tags=[f"t{i % 3}"])
            forums.accept_answer(other, make_reply(other), other.author)
        db.session.commit()

    def queries():
        target = f"/t/{topic.id}-{topic.slug}" if url == "topic" else url
        with count_queries() as counter:
            assert client.get(target).status_code == 200
        return counter.count

    grow(4)
    few = queries()
    grow(45)
    assert queries() == few
    assert few <= (13 if url == "topic" else 9)  # a topic's author cards: 4 for their rank, level and badges


def test_the_daily_thanks_limit_is_a_429_page_with_retry_after(client, login, app):
    app.config["FORUM_THANKS_PER_DAY"] = 1
    topic = make_topic()
    first, second = make_reply(topic), make_reply(topic)
    make_member("fan")
    login("fan")
    page_url = f"/t/{topic.id}-{topic.slug}"
    client.submit(f"/p/{first.id}/thanks", page=page_url)
    response = client.submit(f"/p/{second.id}/thanks", page=page_url)
    assert response.status_code == 429
    assert 23 * 3600 < int(response.headers["Retry-After"]) <= 24 * 3600
    assert "You have given 1 thanks in the last 24 hours" in response.get_data(as_text=True)


def test_after_ten_minutes_thanks_shows_as_given_without_an_undo_button(client, login, app):
    topic = make_topic()
    reply = make_reply(topic)
    fan = make_member("fan")
    thanks = forums.thank(reply, fan)
    thanks.created_at = thanks.created_at - timedelta(minutes=11)
    db.session.commit()
    login("fan")
    page = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert '<span class="muted">♥ Thanked · 1</span>' in page and 'name="undo"' not in page
