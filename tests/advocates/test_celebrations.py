"""Celebration: badges, levels and hosting celebrated as they happen, with a mail to the member; a customer's own
milestone shows only after their yes; the spotlight and the home page's strip."""

import re

from sqlalchemy import select

from community.advocates import celebrations
from community.advocates.models import Celebration
from community.extensions import db
from tests.advocates.test_ledger import seasoned
from tests.advocates.test_rising import answers
from tests.checkers import nu_errors
from tests.factories import make_member


def test_a_first_accepted_answer_is_celebrated_and_the_member_is_told(client, smtp):
    helper = make_member("helper")
    answers(helper, [(seasoned("asker"), 1)])
    row = db.session.scalar(select(Celebration).where(Celebration.member_id == helper.id))
    assert row.text == "earned the First accepted answer badge" and row.shown_at is not None
    mail = next(m for m in smtp.wait_for(1, timeout=15) if m["To"] == "helper@example.com")
    assert mail["Subject"] == "Congratulations: you earned the First accepted answer badge"
    assert "earned the First accepted answer badge" in client.get("/advocates/spotlight").get_data(as_text=True)
    assert "Celebrating" in client.get("/").get_data(as_text=True)


def test_a_customer_milestone_shows_only_after_the_members_yes(client, login, smtp):
    make_member("maria", role="manager")
    make_member("lena")
    make_member("other")
    login("maria")
    client.submit("/advocates/milestones/new", {"username": "lena", "text": "went live with Harbor in 40 stores"})
    assert "went live with Harbor" not in client.get("/advocates/spotlight").get_data(as_text=True)
    mail = smtp.wait_for(1, timeout=15)[-1]
    assert mail["Subject"] == "May we celebrate this?"
    link = re.search(r"http://localhost(/advocates/milestone/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    login("other")
    assert client.get(link).status_code == 403
    login("lena")
    assert "Yes, celebrate it" in client.get(link).get_data(as_text=True)
    done = client.submit(link, {"answer": "yes"}, follow_redirects=True)
    assert "on the spotlight" in done.get_data(as_text=True)
    assert "went live with Harbor in 40 stores" in client.get("/advocates/spotlight").get_data(as_text=True)
    again = client.submit(link, {"answer": "no"})
    assert again.status_code == 409


def test_a_declined_milestone_stays_private(app):
    manager, member = make_member("maria", role="manager"), make_member("lena")
    row = celebrations.propose_milestone(member, "got certified", manager)
    celebrations.answer(row, member, False)
    db.session.commit()
    assert celebrations.shown() == []


def test_celebration_pages_are_valid(client, login):
    helper = make_member("helper")
    answers(helper, [(seasoned("asker"), 1)])
    manager = make_member("maria", role="manager")
    row = celebrations.propose_milestone(helper, "went live with Harbor", manager)
    db.session.commit()
    pages = {"spotlight": client.get("/advocates/spotlight").get_data(as_text=True),
             "home": client.get("/").get_data(as_text=True)}
    login("helper")
    pages["consent"] = client.get(f"/advocates/milestone/{celebrations.token(row)}").get_data(as_text=True)
    login("maria")
    pages["new milestone"] = client.get("/advocates/milestones/new").get_data(as_text=True)
    pages["milestone refused"] = client.submit("/advocates/milestones/new", {"username": "helper", "text": "x"}
                                               ).get_data(as_text=True)
    errors = nu_errors(pages)
    assert errors == [], "\n".join(errors)
