"""The welcome page: what a member who just confirmed their address needs to find their way around."""

from sqlalchemy import select

from community.extensions import db
from community.forums import moderation
from community.forums.models import Post
from tests.checkers import nu_errors
from tests.factories import make_category, make_member, make_topic


def test_anonymous_visitors_are_asked_to_sign_in_first(client, app):
    response = client.get("/welcome")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_welcome_page_greets_the_member_and_lists_the_categories_they_can_see(client, login, app):
    make_category("questions", "questions", name="Getting started")
    make_category("ideas", "discussion", name="Ideas")
    make_category("team", "discussion", name="Team room", min_role="moderator")
    make_member("ana", display_name="Ana Lima")
    login("ana")
    response = client.get("/welcome")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Welcome, Ana Lima</h1>" in page
    assert '<a href="/forums/c/questions">' in page and "All about questions." in page
    assert '<a href="/forums/c/ideas">' in page and "Team room" not in page
    assert "How we treat each other" in page and "Trust levels, in plain words" in page
    assert "accepted" in page and "thank" in page.lower()


def test_the_pinned_discussion_topic_about_introductions_is_where_members_say_hello(client, login, app):
    mod = make_member("mod", role="moderator")
    ideas = make_category("ideas", "discussion", name="Ideas")
    make_topic(category=ideas, title="Introduce a dark mode, please")  # not pinned
    pinned_question = make_topic(category=make_category(), title="Introduce yourself? No, a question")
    hello = make_topic(category=ideas, title="Introductions: say hello to everyone!")
    for topic in (pinned_question, hello):
        moderation.set_pinned(topic, mod, True)
    db.session.commit()
    make_member("ana")
    login("ana")
    page = client.get("/welcome").get_data(as_text=True)
    assert f'href="/t/{hello.id}-{hello.slug}">Say hello in “{hello.title}”' in page
    assert f"/t/{pinned_question.id}-" not in page


def test_a_configured_introductions_topic_wins(client, login, app):
    chosen = make_topic(category=make_category("ideas", "discussion"), title="Hello from every corner of the world")
    app.config["FORUM_INTRODUCTIONS_TOPIC_ID"] = chosen.id
    make_member("ana")
    login("ana")
    assert f'href="/t/{chosen.id}-{chosen.slug}">Say hello in' in client.get("/welcome").get_data(as_text=True)


def test_without_an_introductions_topic_members_are_asked_to_open_one_in_a_discussion_category(client, login, app):
    make_category()
    make_category("ideas", "discussion", name="Ideas")
    make_member("ana")
    login("ana")
    page = client.get("/welcome").get_data(as_text=True)
    assert 'href="/forums/ask?category=ideas">Introduce yourself in Ideas' in page


def test_the_welcome_page_is_valid_html(client, login, app):
    make_category()
    hello = make_topic(category=make_category("ideas", "discussion"), title="Introduce yourself here, everyone")
    moderation.set_pinned(hello, make_member("mod", role="moderator"), True)
    db.session.commit()
    make_member("ana")
    login("ana")
    with_thread = client.get("/welcome").get_data(as_text=True)
    moderation.delete_post(db.session.scalar(select(Post).where(Post.topic_id == hello.id)), hello.author)
    db.session.commit()
    without = client.get("/welcome").get_data(as_text=True)
    assert "Introduce yourself in Ideas" in without
    assert nu_errors({"welcome": with_thread, "welcome without a thread": without}) == []

