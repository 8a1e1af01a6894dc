"""Similar questions while asking: the list as the title is typed (JSON) or checked without JavaScript, and the
deflections counted when an asker opens one and asks nothing."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from community.core.timeutil import utcnow
from community.extensions import db
from community.forums import flags, moderation, services, similar
from community.forums.models import Deflection, Post, Topic
from tests.factories import make_category, make_member, make_reply, make_topic

ANSWER = ("Raise the **sync timeout** in *Settings → Connections* to 120 seconds: the default of 60 is too short for "
          "large warehouses. Then run the sync again from the connection page and watch the log; if it still stops, "
          "split the tables into two schedules so that each run finishes well inside the limit you chose.")
QUESTION = {"category": "questions", "title": "Warehouse sync times out", "body": "The nightly sync stops after a "
            "minute with a timeout error.", "tags": "sync, warehouse"}


def solve(topic, body=ANSWER, helper=None):
    answer = make_reply(topic, helper, body)
    services.accept_answer(topic, answer, topic.author)
    db.session.commit()
    return answer


def look(client, title):
    return client.get("/forums/similar.json", query_string={"title": title})


def titles(response) -> list[str]:
    return [topic["title"] for topic in response.get_json()["topics"]]


def deflection_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(Deflection).order_by(Deflection.id)))


@pytest.fixture
def asker(client, login):
    member = make_member("asker")
    login("asker")
    return member


@pytest.fixture
def forum(indexing):
    make_category()
    unsolved = make_topic(title="Warehouse sync times out every night")
    solved = make_topic(title="Sync with the warehouse stops with a timeout")
    answer = solve(solved)
    make_topic(title="How do I invite my team to a dashboard?")
    return {"unsolved": unsolved, "solved": solved, "answer": answer}


# The list ----------------------------------------------------------------------------------------------------------

def test_similar_questions_come_solved_first_with_the_accepted_answers_first_words(client, asker, forum):
    response = look(client, "Warehouse sync times out every night again")  # the unsolved one is the closer match
    assert response.status_code == 200 and response.mimetype == "application/json"
    first, second = response.get_json()["topics"]
    solved, unsolved = forum["solved"], forum["unsolved"]
    assert first["title"] == "Sync with the warehouse stops with a timeout" and first["solved"] is True
    assert first["url"] == f"/t/{solved.id}-{solved.slug}?via={similar.marker(asker, solved)}"
    assert first["answer_excerpt"].startswith("Raise the sync timeout in Settings → Connections to 120 seconds")
    assert first["answer_excerpt"].endswith("…") and len(first["answer_excerpt"]) <= 201
    assert "**" not in first["answer_excerpt"] and "<" not in first["answer_excerpt"]
    assert second == {"title": "Warehouse sync times out every night", "solved": False, "answer_excerpt": None,
                      "url": f"/t/{unsolved.id}-{unsolved.slug}?via={similar.marker(asker, unsolved)}"}


def test_at_most_five_questions_are_suggested(client, asker, indexing):
    for number in range(8):
        make_topic(title=f"Export to spreadsheet fails, case {number}")
    assert len(titles(look(client, "export to spreadsheet"))) == 5


def test_a_title_of_fewer_than_three_letters_or_only_common_words_suggests_nothing(client, asker, forum):
    for title in ("ab", "?! …", "how do I", "the"):
        response = look(client, title)
        assert response.status_code == 200 and response.get_json() == {"topics": []}, title


def test_the_words_every_question_has_suggest_nothing_on_their_own(client, asker, forum):
    assert titles(look(client, "How do I export my report to a spreadsheet?")) == []
    assert titles(look(client, "Why does my warehouse sync NOT finish (AND time out)?")) == [
        "Sync with the warehouse stops with a timeout", "Warehouse sync times out every night"]


def test_questions_in_a_private_category_are_suggested_only_to_those_who_may_read_them(client, login, indexing):
    staff = make_category("staff-room", "discussion", min_role="moderator")
    make_topic(make_member(role="moderator"), staff, "Rota for the quokka release weekend")
    make_member("member")
    make_member("mod", role="moderator")
    login("member")
    assert titles(look(client, "quokka release rota")) == []
    login("mod")
    assert titles(look(client, "quokka release rota")) == ["Rota for the quokka release weekend"]


def test_deleted_and_unlisted_questions_are_never_suggested(client, asker, indexing):
    moderator = make_member("mod", role="moderator")
    gone = make_topic(title="Pelican importer drops the last row")
    unlisted = make_topic(title="Pelican importer skips the header")
    kept = make_topic(title="Pelican importer needs a newer version")
    opening = db.session.scalar(select(Post).where(Post.topic_id == gone.id, Post.number == 1))
    moderation.delete_post(opening, moderator)
    moderation.set_unlisted(unlisted, moderator, True)
    db.session.commit()
    assert titles(look(client, "pelican importer")) == [kept.title]


def test_an_accepted_answer_hidden_by_flags_gives_no_excerpt(client, asker, indexing):
    topic = make_topic(title="Toucan connector rejects the token")
    answer = solve(topic, "Buy cheap toucan tokens at my shop, best prices on the web.", make_member())
    flags.flag_post(answer, make_member(role="moderator"), "spam")  # staff spam flag on a new member: hidden at once
    db.session.commit()
    assert db.session.get(Post, answer.id).hidden_at is not None
    [found] = look(client, "toucan connector token").get_json()["topics"]
    assert found["solved"] is True and found["answer_excerpt"] is None


# Refusals --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ({}, "Type the title of your question to see similar ones."),
    ({"title": "   "}, "Type the title of your question to see similar ones."),
    ({"title": "x" * 256}, "A title has at most 255 characters: shorten it to see similar questions."),
])
def test_a_missing_or_too_long_title_is_a_400_that_says_why(client, asker, query, message):
    response = client.get("/forums/similar.json", query_string=query)
    assert response.status_code == 400 and response.get_json() == {"error": message}


def test_anonymous_visitors_are_asked_to_sign_in(client, forum):
    response = look(client, "warehouse sync")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=80).filter(lambda t: "\x00" not in t))
def test_any_typed_title_gets_a_list_or_a_400_never_a_500(client, asker, forum, title):
    response = look(client, title)
    assert response.status_code in (200, 400)
    assert set(response.get_json()) == ({"topics"} if response.status_code == 200 else {"error"})


def test_the_list_costs_the_same_queries_for_one_or_ten_similar_questions(client, asker, count_queries, indexing):
    def grow(n):
        for number in range(n):
            solve(make_topic(title=f"Lemur dashboard loads slowly, take {number}", author=make_member()),
                  helper=make_member())

    def queries():
        with count_queries() as counter:
            response = look(client, "lemur dashboard slowly")
        return counter.count, len(response.get_json()["topics"])

    grow(1)
    few, shown = queries()
    assert shown == 1
    grow(9)
    assert queries() == (few, 5)


# Without JavaScript ------------------------------------------------------------------------------------------------

def test_checking_for_similar_questions_keeps_the_form_lists_them_and_posts_nothing(client, asker, forum):
    response = client.submit("/forums/ask", {**QUESTION, "similar": "Check for similar questions"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Warehouse sync times out"' in page and QUESTION["body"] in page
    assert 'value="sync, warehouse"' in page and '<option selected value="questions">' in page
    solved = forum["solved"]
    link = f'href="/t/{solved.id}-{solved.slug}?via={similar.marker(asker, solved)}"'
    assert f"{link}>Sync with the warehouse stops with a timeout</a>" in page
    assert page.index(solved.title) < page.index("Warehouse sync times out every night")
    assert "Accepted answer: Raise the sync timeout" in page
    assert "Please fix the marked fields" not in page
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 3


def test_checking_a_title_nothing_matches_says_so(client, asker, forum):
    response = client.submit("/forums/ask", {**QUESTION, "title": "Quarterly capybara census",
                                             "similar": "Check for similar questions"})
    assert response.status_code == 200
    assert "No similar question yet: go ahead and post yours." in response.get_data(as_text=True)


def test_checking_without_a_title_asks_for_one(client, asker, forum):
    response = client.submit("/forums/ask", {**QUESTION, "title": "", "similar": "Check for similar questions"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give your topic a title." in page and QUESTION["body"] in page
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 3


def test_posting_after_a_check_still_posts(client, asker, forum):
    client.submit("/forums/ask", {**QUESTION, "similar": "Check for similar questions"})
    response = client.submit("/forums/ask", {**QUESTION, "submit": "Post my topic"})
    assert response.status_code == 302
    assert db.session.scalar(select(Topic).where(Topic.title == QUESTION["title"])) is not None


# Deflections -----------------------------------------------------------------------------------------------------

def test_opening_a_suggestion_records_one_deflection_an_hour(client, asker, forum):
    solved = forum["solved"]
    url = look(client, "warehouse sync timeout").get_json()["topics"][0]["url"]
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # a reload within the hour
    assert [(row.user_id, row.topic_id, row.asked_at) for row in deflection_rows()] == [(asker.id, solved.id, None)]
    assert client.get(f"/t/{solved.id}-{solved.slug}").status_code == 200  # opened another way: no deflection
    assert client.get(f"/t/{solved.id}-{solved.slug}?via=ask").status_code == 200  # a marker nobody signed
    other = make_member()
    assert client.get(f"/t/{solved.id}-{solved.slug}?via={similar.marker(other, solved)}").status_code == 200
    assert len(deflection_rows()) == 1  # neither a forged marker nor another member's counts


def test_a_suggestion_opened_by_an_anonymous_visitor_records_nothing(client, forum):
    solved = forum["solved"]
    assert client.get(f"/t/{solved.id}-{solved.slug}?via=ask").status_code == 200
    assert deflection_rows() == []


def test_posting_a_topic_within_the_hour_marks_the_suggestions_opened_as_asked(client, asker, forum):
    earlier, solved = forum["unsolved"], forum["solved"]
    client.get(f"/t/{earlier.id}-{earlier.slug}?via={similar.marker(asker, earlier)}")
    [old] = deflection_rows()
    old.opened_at = utcnow() - timedelta(hours=2)  # opened two hours ago: it stays a deflection
    db.session.commit()
    client.get(f"/t/{solved.id}-{solved.slug}?via={similar.marker(asker, solved)}")
    someone_else = Deflection(user_id=make_member().id, topic_id=solved.id)
    db.session.add(someone_else)
    db.session.commit()
    assert client.submit("/forums/ask", QUESTION).status_code == 302
    asked = {row.topic_id: row.asked_at is not None for row in deflection_rows() if row.user_id == asker.id}
    assert asked == {earlier.id: False, solved.id: True}
    assert db.session.get(Deflection, someone_else.id).asked_at is None


def test_deflections_count_only_suggestions_opened_over_an_hour_ago_and_never_followed_by_a_question(app, forum):
    member, since = make_member(), utcnow() - timedelta(days=7)
    topic = forum["solved"]

    def opened(ago, asked=False):
        row = Deflection(user_id=member.id, topic_id=topic.id, opened_at=utcnow() - ago)
        row.asked_at = row.opened_at + timedelta(minutes=5) if asked else None
        db.session.add(row)
        db.session.commit()

    opened(timedelta(hours=3))  # counts
    opened(timedelta(days=2))  # counts
    opened(timedelta(hours=2), asked=True)  # asked after all
    opened(timedelta(minutes=10))  # the hour to ask has not passed
    opened(timedelta(days=8))  # before `since`
    assert similar.deflections(since) == 2
    assert similar.deflections(utcnow() - timedelta(days=1)) == 1
