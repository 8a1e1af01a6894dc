"""Every page, as each kind of visitor sees it: valid HTML, and a bounded number of SQL queries."""

import re

import pytest
from sqlalchemy import select

from community.accounts import tokens
from community.accounts.models import User
from community.extensions import db
from community.forums import services as forums
from tests.checkers import nu_errors
from tests.factories import make_category, make_member, make_reply, make_topic

PUBLIC = ["/", "/forums/", "/events/", "/advocates/", "/search", "/search?q=lena", "/u/", "/u/?q=zzz", "/u/lena",
          "/account/login", "/account/register", "/account/reset", "/account/verify", "/account/check-inbox",
          "/account/check-inbox?reset=1", "/account/verify/not-a-token", "/account/reset/not-a-token", "/nowhere"]
SIGNED_IN = ["/", "/u/lena", "/account/profile", "/account/password"]
ADMIN = ["/manage/", "/manage/?status=suspended", "/manage/members/lena/suspend", "/u/lena"]
FORUMS = ["/forums/c/questions", "/forums/?filter=solved", "/forums/?filter=unanswered", "/forums/c/ideas"]


@pytest.fixture
def people(app):
    make_member("lena", display_name="Lena Fischer", bio="Hello **there**\n\n- a list\n- [link](https://a.example)")
    make_member("ada", role="admin")
    make_member("kenji", role="moderator")
    fresh = make_member("fresh", verified=False)
    topic = make_topic(make_member("asker"), make_category(), "How do I connect my warehouse?",
                       "Steps:\n\n1. open the wizard\n2. `connect`\n\n```\nerror: timeout\n```", ["setup"])
    answer = make_reply(topic, body="Raise the timeout: see [the docs](https://docs.example/timeouts).")
    forums.accept_answer(topic, answer, topic.author)
    forums.thank(answer, db.session.scalar(select(User).where(User.username == "lena")))
    make_topic(make_member("chatty"), make_category("ideas", kind="discussion"), "Dark mode for office screens")
    db.session.commit()
    return {"verify": tokens.make(fresh, "verify"), "reset": tokens.make(fresh, "reset"),
            "topic": f"/t/{topic.id}-{topic.slug}"}


def collect(client, login, people):
    pages = {f"anonymous {url}": client.get(url).get_data(as_text=True) for url in PUBLIC}
    pages["confirm your address"] = client.get(f"/account/verify/{people['verify']}").get_data(as_text=True)
    pages["choose a new password"] = client.get(f"/account/reset/{people['reset']}").get_data(as_text=True)
    for url in [*FORUMS, people["topic"]]:
        pages[f"anonymous {url}"] = client.get(url).get_data(as_text=True)
    pages["register with errors"] = client.submit("/account/register", {"username": "x", "email": "bad",
                                                                        "password": "short"}).get_data(as_text=True)
    pages["login with error"] = client.submit("/account/login", {"login": "lena", "password": "wrong password"}
                                              ).get_data(as_text=True)
    login("lena")
    pages.update({f"member {url}": client.get(url).get_data(as_text=True) for url in [*SIGNED_IN, people["topic"]]})
    pages["ask"] = client.get("/forums/ask").get_data(as_text=True)
    pages["ask with errors"] = client.submit("/forums/ask", {"category": "questions", "title": "x", "body": "y"}
                                             ).get_data(as_text=True)
    pages["ask preview"] = client.submit("/forums/ask", {"category": "questions", "title": "A fine title here",
                                                         "body": "**bold** text", "preview": "Preview"}
                                         ).get_data(as_text=True)
    pages["reply preview"] = client.submit(people["topic"].split("-")[0] + "/reply",
                                           {"body": "A `preview` of a reply", "preview": "Preview"},
                                           page=people["topic"]).get_data(as_text=True)
    pages["profile with errors"] = client.submit("/account/profile", {"display_name": "x" * 100, "time_zone": "Nope"}
                                                 ).get_data(as_text=True)
    client.submit("/account/logout", page="/")
    login("ada")
    pages.update({f"admin {url}": client.get(url).get_data(as_text=True) for url in [*ADMIN, people["topic"]]})
    client.submit(people["topic"].split("-")[0] + "/pin", {"pinned": "1"}, page=people["topic"])
    pages["moderator log"] = client.get("/forums/log").get_data(as_text=True)
    return pages


def test_every_page_passes_the_nu_html_checker(client, login, people):
    pages = collect(client, login, people)
    assert len(pages) >= 20
    assert nu_errors(pages) == []


def test_every_page_has_one_h1_a_named_title_landmarks_and_a_skip_link(client, login, people):
    for name, html in collect(client, login, people).items():
        assert html.count("<h1") == 1, name
        title = re.search(r"<title>(.*?) · Harbor Community</title>", html)
        assert title and title.group(1).strip(), name
        assert '<main id="main"' in html and "<header" in html and "<footer" in html and "<nav" in html, name
        assert 'href="#main">Skip to content</a>' in html, name


def test_nu_checker_finds_errors_when_there_are_some():
    errors = nu_errors({"broken": "<!DOCTYPE html><html lang=en><title>x</title><p><div></span>"})
    assert errors and errors[0].startswith("broken:")


@pytest.mark.parametrize("url", ["/", "/u/", "/search?q=member", "/manage/", "/forums/"])
def test_pages_issue_the_same_number_of_queries_for_5_or_50_members(client, login, count_queries, url, app):
    make_member("ada", role="admin")
    login("ada")

    def queries():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    for _ in range(4):
        make_member()
    few = queries()
    for _ in range(45):
        make_member()
    db.session.commit()
    assert queries() == few
    assert few <= (5 if url == "/" else 4)  # the home page also reads the next events and the celebrations
